"""Duty desk writes: roster shifts (with conflict checks), leave, the log, hand-overs.

Every write is audited in its transaction. Roster conflicts (the same person on overlapping
shifts, a person on leave, a missing position) are refused with 422 naming the field. The
hand-over snapshots the open items of every registered source (``duty.sources``) and the
desk's open log entries; a person of the next shift accepts it, acknowledging each item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.accounts.models import User
from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import covers_division, scope_clause
from yingji.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.duty import queries
from yingji.duty.models import Handover, HandoverItem, Leave, LogEntry, Shift, ShiftAssignment
from yingji.duty.rules import (
    DEFAULT_CONFIG,
    LOG_CATEGORY_LABELS,
    DutyConfig,
    PersonCalendar,
    ProposedAssignment,
    Span,
    chain_order,
    shift_problems,
)
from yingji.duty.schemas import (
    AssignmentWrite,
    HandoverCreate,
    HandoverRead,
    LeaveCreate,
    LeaveRead,
    LogEntryCreate,
    LogEntryRead,
    ShiftCreate,
    ShiftRead,
    ShiftUpdate,
)
from yingji.duty.sources import OpenItemSource, open_items

# Who keeps the roster (a township officer only for their own township's desk).
ROSTER_WRITERS = frozenset({Role.ADMIN, Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICER})
# Who writes the log and hands the desk over: the roster keepers and the duty officers.
DESK_WRITERS = ROSTER_WRITERS | {Role.DUTY_OFFICER}


def _require(uow: UnitOfWork, roles: frozenset[Role], action: str) -> None:
    require_role(uow.actor, roles, f"无权{action}", or_system=True)


def desk_division(uow: UnitOfWork, given: str | None) -> str:
    """Return the desk a write acts on: ``given`` inside the actor's scope, else its own."""
    actor = uow.actor
    code = given or actor.division_code
    if code is None:
        raise ValidationFailed([FieldError("division_code", "请指定值班所属行政区划")])
    if not actor.is_system and not covers_division(actor, code):
        raise NotFound("值班单位不在管辖范围内")
    return code


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise ValidationFailed([FieldError(field, "时间须带时区（如 +08:00）")])
    return value.astimezone(UTC)


def _people(session: Session, user_ids: Sequence[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}


def _calendars(
    session: Session, user_ids: Sequence[int], span: Span, exclude_shift: int | None
) -> dict[int, PersonCalendar]:
    out = {uid: PersonCalendar() for uid in user_ids}
    if not user_ids:
        return out
    # Every desk counts: one person cannot sit two desks at once.
    stmt = (
        select(ShiftAssignment.user_id, Shift)
        .join(Shift, Shift.id == ShiftAssignment.shift_id)
        .where(
            ShiftAssignment.user_id.in_(user_ids),
            Shift.starts_at < span.end,
            Shift.ends_at > span.start,
        )
    )
    if exclude_shift is not None:
        stmt = stmt.where(Shift.id != exclude_shift)
    for user_id, shift in session.execute(stmt):
        label = shift.label or f"班次{shift.id}"
        out[user_id].other_shifts.append((Span(shift.starts_at, shift.ends_at), label))
    leaves = select(Leave).where(
        Leave.user_id.in_(user_ids), Leave.starts_at < span.end, Leave.ends_at > span.start
    )
    for leave in session.scalars(leaves):
        out[leave.user_id].leaves.append((Span(leave.starts_at, leave.ends_at), leave.reason))
    return out


def _check(
    uow: UnitOfWork,
    span: Span,
    assignments: Sequence[AssignmentWrite],
    exclude_shift: int | None,
    config: DutyConfig,
) -> dict[int, User]:
    session = uow.session
    ids = [a.user_id for a in assignments]
    users = _people(session, ids)
    errors: list[FieldError] = []
    for index, a in enumerate(assignments):
        user = users.get(a.user_id)
        if user is None or not user.is_active:
            errors.append(FieldError(f"assignments.{index}.user_id", "人员不存在或已停用"))
    proposed = [
        ProposedAssignment(
            a.user_id,
            a.position.value,
            users[a.user_id].display_name if a.user_id in users else "",
        )
        for a in assignments
    ]
    errors += shift_problems(span, proposed, _calendars(session, ids, span, exclude_shift), config)
    if errors:
        raise ValidationFailed(errors, detail="排班存在冲突")
    return users


def _write_people(
    session: Session, shift: Shift, assignments: Sequence[AssignmentWrite], users: dict[int, User]
) -> None:
    session.execute(delete(ShiftAssignment).where(ShiftAssignment.shift_id == shift.id))
    for a in assignments:
        user = users[a.user_id]
        session.add(
            ShiftAssignment(
                shift_id=shift.id,
                user_id=a.user_id,
                position=a.position.value,
                name=user.display_name,
                phone=user.phone,
            )
        )
    session.flush()


def _read(uow: UnitOfWork, shift: Shift) -> ShiftRead:
    people = list(
        uow.session.scalars(select(ShiftAssignment).where(ShiftAssignment.shift_id == shift.id))
    )
    order = chain_order(p.position for p in people)
    people.sort(key=lambda p: order.index(p.position))
    return queries.shift_read(shift, people)


def create_shift(
    uow: UnitOfWork, data: ShiftCreate, *, config: DutyConfig = DEFAULT_CONFIG
) -> ShiftRead:
    """Roster a shift with its people; refuse conflicts (422 naming the field)."""
    _require(uow, ROSTER_WRITERS, "排班")
    division = desk_division(uow, data.division_code)
    span = Span(_aware(data.starts_at, "starts_at"), _aware(data.ends_at, "ends_at"))
    users = _check(uow, span, data.assignments, None, config)
    shift = Shift(
        division_code=division,
        starts_at=span.start,
        ends_at=span.end,
        label=data.label,
        phone=data.phone,
        notes=data.notes,
        created_at=uow.clock.now(),
        created_by=uow.actor.user_id,
    )
    uow.session.add(shift)
    uow.session.flush()
    _write_people(uow.session, shift, data.assignments, users)
    read = _read(uow, shift)
    uow.audit(
        "duty.shift.create", Shift.__tablename__, shift.id, after=read.model_dump(mode="json")
    )
    return read


def update_shift(
    uow: UnitOfWork, shift_id: int, data: ShiftUpdate, *, config: DutyConfig = DEFAULT_CONFIG
) -> ShiftRead:
    """Change a shift's span, details or people; the same conflict checks apply."""
    _require(uow, ROSTER_WRITERS, "排班")
    shift = queries.find_shift_row(uow.session, uow.actor, shift_id)
    if shift is None:
        raise NotFound("班次不存在")
    before = _read(uow, shift)
    start = _aware(data.starts_at, "starts_at") if data.starts_at else shift.starts_at
    end = _aware(data.ends_at, "ends_at") if data.ends_at else shift.ends_at
    assignments = data.assignments
    if assignments is None:
        assignments = [
            AssignmentWrite.model_validate({"user_id": a.user_id, "position": a.position})
            for a in before.assignments
        ]
    users = _check(uow, Span(start, end), assignments, shift.id, config)
    shift.starts_at, shift.ends_at = start, end
    for name in ("label", "phone", "notes"):
        value = getattr(data, name)
        if value is not None:
            setattr(shift, name, value)
    _write_people(uow.session, shift, assignments, users)
    read = _read(uow, shift)
    uow.audit(
        "duty.shift.update",
        Shift.__tablename__,
        shift.id,
        before=before.model_dump(mode="json"),
        after=read.model_dump(mode="json"),
    )
    return read


def record_leave(uow: UnitOfWork, data: LeaveCreate) -> LeaveRead:
    """Record a person's leave; refuse it when they are already rostered in that span."""
    _require(uow, ROSTER_WRITERS, "登记请假")
    span = Span(_aware(data.starts_at, "starts_at"), _aware(data.ends_at, "ends_at"))
    if span.end <= span.start:
        raise ValidationFailed([FieldError("ends_at", "结束时间应晚于开始时间")])
    user = uow.session.get(User, data.user_id)
    if user is None:
        raise ValidationFailed([FieldError("user_id", "人员不存在")])
    calendar = _calendars(uow.session, [user.id], span, None)[user.id]
    if calendar.other_shifts:
        labels = "、".join(label for _, label in calendar.other_shifts)
        raise ValidationFailed(
            [FieldError("user_id", f"{user.display_name} 在该时段已排班（{labels}），请先调整排班")]
        )
    leave = Leave(
        user_id=user.id,
        division_code=desk_division(uow, None),
        starts_at=span.start,
        ends_at=span.end,
        reason=data.reason,
        created_at=uow.clock.now(),
    )
    uow.session.add(leave)
    uow.session.flush()
    read = LeaveRead(
        id=leave.id,
        user_id=leave.user_id,
        starts_at=leave.starts_at,
        ends_at=leave.ends_at,
        reason=leave.reason,
    )
    uow.audit(
        "duty.leave.create", Leave.__tablename__, leave.id, after=read.model_dump(mode="json")
    )
    return read


def add_log_entry(
    uow: UnitOfWork, data: LogEntryCreate, *, division_code: str | None = None
) -> LogEntryRead:
    """Write a duty log entry on the desk's current shift."""
    _require(uow, DESK_WRITERS, "填写值班日志")
    if data.category not in LOG_CATEGORY_LABELS:
        raise ValidationFailed([FieldError("category", f"未知类别 {data.category}")])
    division = desk_division(uow, division_code)
    now = uow.clock.now()
    at = _aware(data.occurred_at, "occurred_at") if data.occurred_at else now
    shift = queries.covering_shift(uow.session, at, division)
    entry = LogEntry(
        division_code=division,
        shift_id=shift.id if shift is not None and shift.division_code == division else None,
        occurred_at=at,
        category=data.category,
        content=data.content,
        is_open=data.is_open,
        author_id=uow.actor.user_id,
        author_name=uow.actor.name,
        created_at=now,
    )
    uow.session.add(entry)
    uow.session.flush()
    read = queries.log_read(entry)
    uow.audit(
        "duty.log_entry.create",
        LogEntry.__tablename__,
        entry.id,
        after=read.model_dump(mode="json"),
    )
    return read


def close_log_entry(uow: UnitOfWork, entry_id: int) -> LogEntryRead:
    """Close an open log entry (it is no longer carried by hand-overs)."""
    _require(uow, DESK_WRITERS, "办结值班事项")
    entry = uow.session.scalars(
        select(LogEntry).where(
            LogEntry.id == entry_id, scope_clause(uow.actor, LogEntry.division_code)
        )
    ).first()
    if entry is None:
        raise NotFound("值班日志不存在")
    if not entry.is_open:
        raise Conflict("该事项已办结")
    entry.is_open = False
    entry.closed_at = uow.clock.now()
    entry.closed_by = uow.actor.user_id
    uow.session.flush()
    read = queries.log_read(entry)
    uow.audit(
        "duty.log_entry.close", LogEntry.__tablename__, entry.id, after=read.model_dump(mode="json")
    )
    return read


def hand_over(
    uow: UnitOfWork, data: HandoverCreate, sources: Sequence[OpenItemSource] = ()
) -> HandoverRead:
    """Hand the desk to ``to_shift`` with every open item (alarms, incidents, open notes)."""
    _require(uow, DESK_WRITERS, "交接班")
    session = uow.session
    to_shift = queries.find_shift_row(session, uow.actor, data.to_shift_id)
    if to_shift is None:
        raise NotFound("接班班次不存在")
    exists = session.scalar(select(Handover.id).where(Handover.to_shift_id == to_shift.id))
    if exists is not None:
        raise Conflict("该班次已有交接记录")
    now = uow.clock.now()
    division = to_shift.division_code
    from_shift = session.scalars(
        select(Shift)
        .where(
            Shift.division_code == division,
            Shift.id != to_shift.id,
            Shift.starts_at < to_shift.starts_at,
        )
        .order_by(Shift.starts_at.desc())
    ).first()
    handover = Handover(
        division_code=division,
        from_shift_id=from_shift.id if from_shift is not None else None,
        to_shift_id=to_shift.id,
        status="pending",
        notes=data.notes,
        handed_by=uow.actor.user_id,
        handed_by_name=uow.actor.name,
        created_at=now,
    )
    session.add(handover)
    session.flush()
    items: list[dict[str, Any]] = [
        item.model_dump() for item in open_items(session, division, sources)
    ]
    notes = session.scalars(
        select(LogEntry)
        .where(LogEntry.division_code == division, LogEntry.is_open.is_(True))
        .order_by(LogEntry.occurred_at, LogEntry.id)
    )
    for note in notes:
        items.append(
            {
                "kind": "note",
                "ref_id": str(note.id),
                "title": note.content[:300],
                "status": "待办",
                "url": "/duty/log",
            }
        )
    for item in items:
        session.add(HandoverItem(handover_id=handover.id, acknowledged=False, **item))
    session.flush()
    read = queries.handover_read(session, handover)
    uow.audit(
        "duty.handover.create",
        Handover.__tablename__,
        handover.id,
        after=read.model_dump(mode="json"),
    )
    return read


def accept_handover(uow: UnitOfWork, handover_id: int) -> HandoverRead:
    """Take over the desk: a person of the next shift acknowledges every carried item."""
    session = uow.session
    handover = session.scalars(
        select(Handover).where(
            Handover.id == handover_id, scope_clause(uow.actor, Handover.division_code)
        )
    ).first()
    if handover is None:
        raise NotFound("交接班记录不存在")
    if handover.status != "pending":
        raise Conflict("该交接已确认接班")
    on_shift = session.scalar(
        select(ShiftAssignment.id).where(
            ShiftAssignment.shift_id == handover.to_shift_id,
            ShiftAssignment.user_id == uow.actor.user_id,
        )
    )
    if on_shift is None:
        raise PermissionDenied("只有接班班次的值班人员可以确认接班")
    handover.status = "accepted"
    handover.accepted_by = uow.actor.user_id
    handover.accepted_by_name = uow.actor.username
    handover.accepted_at = uow.clock.now()
    for item in session.scalars(
        select(HandoverItem).where(HandoverItem.handover_id == handover.id)
    ):
        item.acknowledged = True
    session.flush()
    read = queries.handover_read(session, handover)
    uow.audit(
        "duty.handover.accept",
        Handover.__tablename__,
        handover.id,
        after=read.model_dump(mode="json"),
    )
    return read
