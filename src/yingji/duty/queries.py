"""Duty desk reads: who is on duty (the escalation chain), rosters, the log, hand-overs.

``duty_chain`` and ``current_shift`` are system reads (alarm and warning escalation call
them from jobs); everything else is scoped by the actor's division.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.duty.models import Handover, HandoverItem, LogEntry, Shift, ShiftAssignment
from yingji.duty.rules import (
    HANDOVER_ITEM_KIND_LABELS,
    HANDOVER_STATUS_LABELS,
    LOG_CATEGORY_LABELS,
    POSITION_LABELS,
    chain_order,
)
from yingji.duty.schemas import (
    AssignmentRead,
    HandoverItemRead,
    HandoverRead,
    LogEntryRead,
    ShiftRead,
)

ChainPosition = Literal["duty_officer", "backup", "leader"]


@dataclass(frozen=True)
class DutyPerson:
    """A person on duty and their place in the escalation chain."""

    user_id: int
    name: str
    position: ChainPosition
    phone: str | None


def _covering(at: datetime, division_code: str | None) -> Select[tuple[Shift]]:
    stmt = select(Shift).where(Shift.starts_at <= at, Shift.ends_at > at)
    if division_code is None:
        # No division named: the highest desk on duty (the district's own) answers.
        return stmt.order_by(func.length(Shift.division_code), Shift.starts_at.desc(), Shift.id)
    # The most local desk whose division contains ``division_code`` answers first.
    prefixes = [division_code[:n] for n in range(1, len(division_code) + 1)]
    return stmt.where(Shift.division_code.in_(prefixes)).order_by(
        func.length(Shift.division_code).desc(), Shift.starts_at.desc(), Shift.id
    )


def covering_shift(session: Session, at: datetime, division_code: str | None) -> Shift | None:
    """Return the shift row on duty at ``at`` for ``division_code`` (None: the top desk)."""
    return session.scalars(_covering(at, division_code).limit(1)).first()


def _assignments(session: Session, shift_ids: Sequence[int]) -> dict[int, list[ShiftAssignment]]:
    out: dict[int, list[ShiftAssignment]] = {i: [] for i in shift_ids}
    if not shift_ids:
        return out
    stmt = select(ShiftAssignment).where(ShiftAssignment.shift_id.in_(shift_ids))
    for a in session.scalars(stmt.order_by(ShiftAssignment.id)):
        out[a.shift_id].append(a)
    for people in out.values():
        order = chain_order(p.position for p in people)
        people.sort(key=lambda p: order.index(p.position))
    return out


def duty_chain(
    session: Session, at: datetime, *, division_code: str | None = None
) -> list[DutyPerson]:
    """Return who is on duty at ``at``: duty officer, backup, leader ([] when nobody)."""
    shift = covering_shift(session, at, division_code)
    if shift is None:
        return []
    people = _assignments(session, [shift.id])[shift.id]
    return [DutyPerson(a.user_id, a.name, cast(ChainPosition, a.position), a.phone) for a in people]


def shift_read(shift: Shift, people: Sequence[ShiftAssignment]) -> ShiftRead:
    """Return the API shape of a shift."""
    return ShiftRead.of(
        shift,
        assignments=[
            AssignmentRead.of(a, position_label=POSITION_LABELS.get(a.position, a.position))
            for a in people
        ],
    )


def _reads(session: Session, shifts: Sequence[Shift]) -> list[ShiftRead]:
    people = _assignments(session, [s.id for s in shifts])
    return [shift_read(s, people[s.id]) for s in shifts]


def current_shift(
    session: Session, at: datetime, *, division_code: str | None = None
) -> ShiftRead | None:
    """Return the shift on duty at ``at`` (system read), or None."""
    shift = covering_shift(session, at, division_code)
    return _reads(session, [shift])[0] if shift is not None else None


def get_shift(session: Session, actor: Actor, shift_id: int) -> ShiftRead:
    """Return a shift the actor may see (NotFound otherwise)."""
    shift = find_shift_row(session, actor, shift_id)
    if shift is None:
        raise NotFound("班次不存在")
    return _reads(session, [shift])[0]


def find_shift_row(session: Session, actor: Actor, shift_id: int) -> Shift | None:
    """Return the shift row if the actor may see it, else None."""
    stmt = select(Shift).where(Shift.id == shift_id, scope_clause(actor, Shift.division_code))
    return session.scalars(stmt).first()


def list_shifts(
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    division_code: str | None = None,
) -> list[ShiftRead]:
    """Return the shifts overlapping [start, end) the actor may see, in time order."""
    stmt = select(Shift).where(
        Shift.starts_at < end, Shift.ends_at > start, scope_clause(actor, Shift.division_code)
    )
    if division_code:
        stmt = stmt.where(Shift.division_code == division_code)
    return _reads(session, list(session.scalars(stmt.order_by(Shift.starts_at, Shift.id))))


def today(
    session: Session, actor: Actor, at: datetime, division_code: str
) -> tuple[ShiftRead | None, ShiftRead | None]:
    """Return the actor's desk's current and next shifts at ``at``."""
    base = select(Shift).where(
        Shift.division_code == division_code, scope_clause(actor, Shift.division_code)
    )
    current = session.scalars(
        base.where(Shift.starts_at <= at, Shift.ends_at > at).order_by(Shift.starts_at.desc())
    ).first()
    after = current.ends_at if current is not None else at
    upcoming = session.scalars(
        base.where(Shift.starts_at >= after).order_by(Shift.starts_at, Shift.id)
    ).first()
    found = [s for s in (current, upcoming) if s is not None]
    reads = {r.id: r for r in _reads(session, found)}
    return (
        reads[current.id] if current is not None else None,
        reads[upcoming.id] if upcoming is not None else None,
    )


def log_read(e: LogEntry) -> LogEntryRead:
    """Return the API shape of a log entry."""
    return LogEntryRead.of(e, category_label=LOG_CATEGORY_LABELS.get(e.category, e.category))


def list_log(
    session: Session,
    actor: Actor,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    open_only: bool = False,
    division_code: str | None = None,
    limit: int = 200,
) -> list[LogEntryRead]:
    """Return log entries the actor may see, newest first."""
    stmt = select(LogEntry).where(scope_clause(actor, LogEntry.division_code))
    if start is not None:
        stmt = stmt.where(LogEntry.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(LogEntry.occurred_at < end)
    if open_only:
        stmt = stmt.where(LogEntry.is_open.is_(True))
    if division_code:
        stmt = stmt.where(LogEntry.division_code == division_code)
    stmt = stmt.order_by(LogEntry.occurred_at.desc(), LogEntry.id.desc()).limit(limit)
    return [log_read(e) for e in session.scalars(stmt)]


def handover_read(session: Session, h: Handover) -> HandoverRead:
    """Return the API shape of a hand-over with its items."""
    items = session.scalars(
        select(HandoverItem).where(HandoverItem.handover_id == h.id).order_by(HandoverItem.id)
    )
    return HandoverRead.of(
        h,
        status_label=HANDOVER_STATUS_LABELS.get(h.status, h.status),
        items=[
            HandoverItemRead.of(i, kind_label=HANDOVER_ITEM_KIND_LABELS.get(i.kind, i.kind))
            for i in items
        ],
    )


def get_handover(session: Session, actor: Actor, handover_id: int) -> HandoverRead:
    """Return a hand-over the actor may see (NotFound otherwise)."""
    stmt = select(Handover).where(
        Handover.id == handover_id, scope_clause(actor, Handover.division_code)
    )
    h = session.scalars(stmt).first()
    if h is None:
        raise NotFound("交接班记录不存在")
    return handover_read(session, h)


def list_handovers(session: Session, actor: Actor, limit: int = 50) -> list[HandoverRead]:
    """Return the latest hand-overs the actor may see, newest first."""
    stmt = (
        select(Handover)
        .where(scope_clause(actor, Handover.division_code))
        .order_by(Handover.created_at.desc(), Handover.id.desc())
        .limit(limit)
    )
    return [handover_read(session, h) for h in session.scalars(stmt)]
