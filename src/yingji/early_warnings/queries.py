"""Early-warning reads, scoped by the actor; plus the public reads of the CAP feed.

An actor sees the warnings of their jurisdiction and the warnings that cover it (a township
officer sees the district's own warnings, not another township's). The public feed lists
published, actual, public warnings only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, literal, or_, select, true
from sqlalchemy.orm import Session

from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.early_warnings.models import Warning, WarningMessage, WarningTransition
from yingji.early_warnings.rules import LEVEL_LABELS, SIGNALS, STATE_LABELS, WarningState
from yingji.early_warnings.schemas import MessageRead, TransitionRead, WarningRead


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """Return the WHERE clause of the warnings ``actor`` may read."""
    if actor.enterprise_id is not None:
        return false()
    if actor.division_code is None:
        return true() if actor.is_system else false()
    code = actor.division_code
    # Below the actor's division, or an ancestor of it (a warning that covers them).
    return or_(
        Warning.division_code.startswith(code, autoescape=True),
        literal(code).startswith(Warning.division_code),
    )


def cap_url(identifier: str) -> str:
    """Return the public URL path of a CAP document."""
    return f"/api/v1/cap/{identifier}.xml"


def _message_read(m: WarningMessage) -> MessageRead:
    return MessageRead.of(m, cap_url=cap_url(m.identifier))


def to_read(
    w: Warning,
    *,
    messages: list[WarningMessage] | None = None,
    history: list[WarningTransition] | None = None,
) -> WarningRead:
    """Return the API shape of a warning row."""
    signal = SIGNALS.get(w.signal)
    return WarningRead.of(
        w,
        signal_name=signal.name if signal else w.signal,
        level_label=LEVEL_LABELS.get(w.level, w.level),
        division_codes=list(w.area_codes or []),
        polygon=w.area_polygon,
        channels=list(w.channels or []),
        state_label=STATE_LABELS.get(w.state, w.state),
        messages=[_message_read(m) for m in messages or []],
        history=[TransitionRead.of(t) for t in history or []],
    )


def find_warning_row(session: Session, actor: Actor, warning_id: int) -> Warning | None:
    """Return the warning row if ``actor`` may read it, else None."""
    stmt = select(Warning).where(Warning.id == warning_id, visible_clause(actor))
    return session.scalars(stmt).one_or_none()


def get_warning(session: Session, actor: Actor, warning_id: int) -> WarningRead:
    """Return a warning with its messages and history; NotFound outside the actor's scope."""
    w = find_warning_row(session, actor, warning_id)
    if w is None:
        raise NotFound("预警不存在")
    messages = list(
        session.scalars(
            select(WarningMessage)
            .where(WarningMessage.warning_id == w.id)
            .order_by(WarningMessage.seq)
        )
    )
    history = list(
        session.scalars(
            select(WarningTransition)
            .where(WarningTransition.warning_id == w.id)
            .order_by(WarningTransition.at, WarningTransition.id)
        )
    )
    return to_read(w, messages=messages, history=history)


def list_warnings(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WarningRead], int]:
    """List visible warnings, newest first; return (items, total)."""
    clause = visible_clause(actor)
    if state:
        clause = and_(clause, Warning.state == state)
    total = session.scalar(select(func.count()).select_from(Warning).where(clause)) or 0
    rows = session.scalars(
        select(Warning)
        .where(clause)
        .order_by(Warning.updated_at.desc(), Warning.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [to_read(w) for w in rows], int(total)


def approval_queue(session: Session, actor: Actor) -> list[WarningRead]:
    """List visible warnings waiting for approval or publication, oldest first."""
    stmt = (
        select(Warning)
        .where(
            visible_clause(actor),
            Warning.state.in_([WarningState.SUBMITTED, WarningState.APPROVED]),
        )
        .order_by(Warning.updated_at, Warning.id)
    )
    return [to_read(w) for w in session.scalars(stmt)]


def public_message(session: Session, identifier: str) -> WarningMessage:
    """Return a published public message by identifier (the public CAP link); else NotFound."""
    m = session.scalars(
        select(WarningMessage).where(
            WarningMessage.identifier == identifier,
            WarningMessage.scope == "Public",
            WarningMessage.status == "Actual",
        )
    ).first()
    if m is None:
        raise NotFound("CAP 消息不存在")
    return m


def current_public(
    session: Session, now: datetime, *, limit: int = 100
) -> list[tuple[Warning, WarningMessage]]:
    """Return current public warnings with their latest message (for the Atom feed).

    Current: published and not yet past its end, or lifted within the last 24 hours (the
    Cancel stays in the feed for a grace period so aggregators see it; cap.md §1.7). Only
    this bureau's own warnings: imported ones belong to their authority's feed.
    """
    from datetime import timedelta

    grace = now - timedelta(hours=24)
    rows = session.scalars(
        select(Warning)
        .where(
            Warning.cap_status == "Actual",
            Warning.origin == "local",
            or_(
                and_(Warning.state == WarningState.PUBLISHED, Warning.ends_at > now),
                and_(Warning.state == WarningState.LIFTED, Warning.lifted_at > grace),
            ),
        )
        .order_by(Warning.updated_at.desc())
        .limit(limit)
    )
    out: list[tuple[Warning, WarningMessage]] = []
    for w in rows:
        latest = session.scalars(
            select(WarningMessage)
            .where(WarningMessage.warning_id == w.id, WarningMessage.scope == "Public")
            .order_by(WarningMessage.seq.desc())
        ).first()
        if latest is not None:
            out.append((w, latest))
    return out


def state_counts(session: Session, actor: Actor) -> dict[str, Any]:
    """Return {state: count} of visible warnings (the list page's tabs)."""
    rows = session.execute(
        select(Warning.state, func.count()).where(visible_clause(actor)).group_by(Warning.state)
    )
    return {state: int(n) for state, n in rows}
