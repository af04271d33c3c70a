"""Alarm reads: the board (open first, by level), detail with history, stats, changes.

Every read is scoped by the actor (division prefix; an enterprise officer sees only their
enterprise's alarms). ``open_items`` is the system read the duty hand-over carries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import division_filter, scope_clause
from yingji.alarms.models import Alarm, AlarmEscalation, AlarmHistory
from yingji.alarms.rules import (
    ACTION_LABELS,
    CLEAR_REASON_LABELS,
    LEVEL_LABELS,
    LEVEL_RANK,
    MANUAL_CLEAR_REASONS,
    STATE_LABELS,
    AlarmState,
    ClearReason,
    Level,
    ack_figures,
)
from yingji.alarms.schemas import (
    AlarmDetail,
    AlarmEscalationRead,
    AlarmHistoryRead,
    AlarmRead,
    AlarmStats,
    LevelCount,
)
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.core.pagination import Page, PageParams
from yingji.core.web.display import format_number
from yingji.duty.schemas import OpenItem

_STATE_ORDER = case(
    (Alarm.state == AlarmState.ACTIVE.value, 0),
    (Alarm.state == AlarmState.ACKNOWLEDGED.value, 1),
    else_=2,
)
_LEVEL_ORDER = case(*[(Alarm.level == lv, -rank) for lv, rank in LEVEL_RANK.items()], else_=0)
# The board: what needs a person first, the worst first, the newest first.
BOARD_ORDER = (_STATE_ORDER, _LEVEL_ORDER, Alarm.raised_at.desc(), Alarm.id.desc())


def alarm_read(a: Alarm) -> AlarmRead:
    """Return the API shape of an alarm."""
    return AlarmRead.of(
        a,
        state_label=STATE_LABELS.get(a.state, a.state),
        level_label=a.level_label or LEVEL_LABELS.get(a.level, a.level),
        clear_reason_label=CLEAR_REASON_LABELS.get(ClearReason(a.clear_reason))
        if a.clear_reason
        else None,
    )


def _scoped(actor: Actor) -> Select[tuple[Alarm]]:
    return select(Alarm).where(scope_clause(actor, Alarm.division_code, Alarm.enterprise_id))


def _filtered(stmt: Select[Any], filters: dict[str, Any]) -> Select[Any]:
    state = filters.get("state")
    if state == "open":
        stmt = stmt.where(Alarm.state != AlarmState.CLEARED.value)
    elif state:
        stmt = stmt.where(Alarm.state == state)
    if filters.get("level"):
        stmt = stmt.where(Alarm.level == filters["level"])
    if filters.get("division_code"):
        stmt = stmt.where(division_filter(Alarm.division_code, filters["division_code"]))
    if filters.get("enterprise_id"):
        stmt = stmt.where(Alarm.enterprise_id == filters["enterprise_id"])
    if filters.get("device_code"):
        stmt = stmt.where(Alarm.device_code == filters["device_code"])
    return stmt


def page_alarms(
    session: Session, actor: Actor, params: PageParams, filters: dict[str, Any] | None = None
) -> Page[AlarmRead]:
    """Return a page of the alarms the actor may see, in board order."""
    stmt = _filtered(_scoped(actor), filters or {})
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(*BOARD_ORDER).offset(params.offset).limit(params.size))
    return Page(
        items=[alarm_read(a) for a in rows], total=total, page=params.page, size=params.size
    )


def get_alarm(session: Session, actor: Actor, alarm_id: int) -> AlarmDetail:
    """Return an alarm with its history and escalation steps (NotFound outside scope)."""
    alarm = session.scalars(_scoped(actor).where(Alarm.id == alarm_id)).first()
    if alarm is None:
        raise NotFound("报警不存在")
    history = session.scalars(
        select(AlarmHistory)
        .where(AlarmHistory.alarm_id == alarm.id)
        .order_by(AlarmHistory.at, AlarmHistory.id)
    )
    steps = session.scalars(
        select(AlarmEscalation)
        .where(AlarmEscalation.alarm_id == alarm.id)
        .order_by(AlarmEscalation.round, AlarmEscalation.step)
    )
    return AlarmDetail.of(
        alarm_read(alarm),
        history=[
            AlarmHistoryRead.of(h, action_label=ACTION_LABELS.get(h.action, h.action))
            for h in history
        ],
        escalations=[AlarmEscalationRead.of(e, user_ids=list(e.user_ids)) for e in steps],
    )


def alarm_stats(
    session: Session,
    actor: Actor,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    division_code: str | None = None,
) -> AlarmStats:
    """Return counts by level and state, time to acknowledge and the false-alarm share."""
    stmt = _scoped(actor)
    if start is not None:
        stmt = stmt.where(Alarm.raised_at >= start)
    if end is not None:
        stmt = stmt.where(Alarm.raised_at < end)
    if division_code:
        stmt = stmt.where(division_filter(Alarm.division_code, division_code))
    rows = list(session.scalars(stmt))
    by_level = {lv.value: 0 for lv in Level}
    by_state = {s.value: 0 for s in AlarmState}
    by_reason: dict[str, int] = {}
    ack_minutes: list[float] = []
    for a in rows:
        by_level[a.level] = by_level.get(a.level, 0) + 1
        by_state[a.state] = by_state.get(a.state, 0) + 1
        if a.clear_reason:
            by_reason[a.clear_reason] = by_reason.get(a.clear_reason, 0) + 1
        if a.acknowledged_at is not None:
            ack_minutes.append((a.acknowledged_at - a.raised_at).total_seconds() / 60)
    figures = ack_figures(ack_minutes)
    manual = sum(by_reason.get(r.value, 0) for r in MANUAL_CLEAR_REASONS)
    false = by_reason.get(ClearReason.FALSE.value, 0)
    return AlarmStats(
        start=start,
        end=end,
        total=len(rows),
        by_level=[
            LevelCount(level=lv, label=LEVEL_LABELS.get(lv, lv), count=n)
            for lv, n in sorted(by_level.items(), key=lambda kv: -LEVEL_RANK.get(kv[0], -1))
        ],
        by_state=by_state,
        acknowledged=figures.count,
        ack_median_minutes=figures.median,
        ack_p90_minutes=figures.p90,
        cleared_with_reason=manual,
        false_alarms=false,
        false_alarm_share=round(false / manual, 4) if manual else None,
        by_clear_reason=by_reason,
    )


def last_change(session: Session, actor: Actor) -> str:
    """Return a token that changes whenever an alarm the actor may see changes (SSE)."""
    stmt = select(func.max(Alarm.updated_at), func.count()).where(
        scope_clause(actor, Alarm.division_code, Alarm.enterprise_id)
    )
    latest, count = session.execute(stmt).one()
    return f"{latest.isoformat() if latest else '-'}|{count}"


def open_items(session: Session, division_code: str) -> list[OpenItem]:
    """Return the open alarms within ``division_code`` as hand-over items (system read)."""
    stmt = (
        select(Alarm)
        .where(Alarm.state != AlarmState.CLEARED.value)
        .where(division_filter(Alarm.division_code, division_code))
        .order_by(*BOARD_ORDER)
    )
    return [
        OpenItem(
            kind="alarm",
            ref_id=str(a.id),
            title=f"{a.device_name} {a.level_label}（{format_number(a.last_value, a.unit)}）",
            status=STATE_LABELS.get(a.state, a.state),
            url=f"/alarms/{a.id}",
        )
        for a in session.scalars(stmt)
    ]
