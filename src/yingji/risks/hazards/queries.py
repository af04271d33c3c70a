"""Hazard reads: detail with history, the scoped list (overdue first), statistics, nearby.

Every read except ``find_open_hazards_near`` (a system lookup for alarms and patrols) is
scoped by the actor: division prefix for government users, exactly one enterprise for an
enterprise officer. A hazard outside the scope is "not found", never "forbidden".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from yingji.accounts.queries import department_names
from yingji.accounts.scoping import division_filter, scope_clause
from yingji.core.actor import Actor
from yingji.core.clock import local_today
from yingji.core.clock import zone as local_zone
from yingji.core.db import session_settings
from yingji.core.errors import NotFound
from yingji.core.pagination import Page, PageParams
from yingji.enterprises.industries import industry_names
from yingji.geo.queries import division_names
from yingji.geo.schemas import distance_m
from yingji.risks.hazards.models import Hazard, HazardTransition
from yingji.risks.hazards.rules import (
    ACTION_LABELS,
    LEVEL_LABELS,
    OPEN_STATES,
    OVERDUE_STATES,
    STATE_LABELS,
    HazardState,
    is_overdue,
    rectification_rate,
)
from yingji.risks.hazards.schemas import (
    HazardFilters,
    HazardRead,
    HazardStatistics,
    RectificationPlan,
    StatisticsRow,
    TransitionRead,
)


def transition_read(t: HazardTransition) -> TransitionRead:
    """Return the API shape of one history step."""
    return TransitionRead.of(
        t,
        action_label=ACTION_LABELS.get(t.action, _EXTRA_ACTION_LABELS.get(t.action, t.action)),
        photo_keys=list(t.photo_keys or []),
    )


_EXTRA_ACTION_LABELS = {
    "report": "上报",
    "supervise": "挂牌督办",
    "deadline": "调整期限",
    "plan": "整改方案",
    "photo": "上传照片",
    "escalate": "逾期督促",
}


def hazard_read(h: Hazard, today: date) -> HazardRead:
    """Return the API shape of a stored hazard (without its history)."""
    state = HazardState(h.state)
    return HazardRead.of(
        h,
        level_label=LEVEL_LABELS.get(h.level, h.level),
        description=h.description or "",
        state_label=STATE_LABELS[state],
        photo_keys=list(h.photo_keys or []),
        overdue=is_overdue(state, h.deadline, today),
        plan=RectificationPlan.model_validate(h.plan) if h.plan else None,
    )


def scoped(actor: Actor) -> Select[tuple[Hazard]]:
    """Return SELECT hazards limited to what ``actor`` may see."""
    return select(Hazard).where(scope_clause(actor, Hazard.division_code, Hazard.enterprise_id))


def get_hazard_row(session: Session, actor: Actor, hazard_id: int) -> Hazard:
    """Return the hazard row if the actor may see it, else NotFound."""
    row = session.scalar(scoped(actor).where(Hazard.id == hazard_id))
    if row is None:
        raise NotFound("隐患不存在")
    return row


def list_transitions(session: Session, hazard_id: int) -> list[TransitionRead]:
    """Return a hazard's history, oldest first (the caller checked visibility)."""
    stmt = select(HazardTransition).where(HazardTransition.hazard_id == hazard_id)
    return [transition_read(t) for t in session.scalars(stmt.order_by(HazardTransition.id))]


def get_hazard(
    session: Session, actor: Actor, hazard_id: int, *, today: date | None = None
) -> HazardRead:
    """Return a visible hazard with its history; NotFound outside the actor's scope."""
    row = get_hazard_row(session, actor, hazard_id)
    read = hazard_read(row, today or local_today(session_settings(session).timezone))
    read.transitions = list_transitions(session, row.id)
    return read


def overdue_clause(today: date) -> Any:
    """Return the clause "past its deadline while the owner still owes the work"."""
    return and_(
        Hazard.deadline.is_not(None),
        Hazard.deadline < today,
        Hazard.state.in_([s.value for s in OVERDUE_STATES]),
    )


def _filtered(actor: Actor, filters: HazardFilters, today: date) -> Select[tuple[Hazard]]:
    stmt = scoped(actor)
    if filters.state is not None:
        stmt = stmt.where(Hazard.state == filters.state)
    elif filters.open_only:
        stmt = stmt.where(Hazard.state.in_([s.value for s in OPEN_STATES]))
    if filters.level is not None:
        stmt = stmt.where(Hazard.level == filters.level)
    if filters.overdue is True:
        stmt = stmt.where(overdue_clause(today))
    elif filters.overdue is False:
        stmt = stmt.where(~overdue_clause(today))
    if filters.division_code:
        stmt = stmt.where(division_filter(Hazard.division_code, filters.division_code))
    if filters.enterprise_id is not None:
        stmt = stmt.where(Hazard.enterprise_id == filters.enterprise_id)
    if filters.supervised_listing is not None:
        stmt = stmt.where(Hazard.supervised_listing.is_(filters.supervised_listing))
    if filters.q:
        stmt = stmt.where(Hazard.title.contains(filters.q, autoescape=True))
    return stmt


def page_hazards(
    session: Session,
    actor: Actor,
    params: PageParams,
    filters: HazardFilters | None = None,
    *,
    today: date | None = None,
) -> Page[HazardRead]:
    """Return a page of visible hazards: overdue first, then by deadline, newest first."""
    today = today or local_today(session_settings(session).timezone)
    stmt = _filtered(actor, filters or HazardFilters(), today)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    overdue_first = case((overdue_clause(today), 0), else_=1)
    # Deadlines nearest first; hazards without one after those with one.
    no_deadline = case((Hazard.deadline.is_(None), 1), else_=0)
    ordered = stmt.order_by(overdue_first, no_deadline, Hazard.deadline, Hazard.id.desc())
    rows = session.scalars(ordered.offset(params.offset).limit(params.size))
    items = [hazard_read(h, today) for h in rows]
    return Page[HazardRead](items=items, total=total, page=params.page, size=params.size)


def count_by_state(session: Session, actor: Actor, *, today: date | None = None) -> dict[str, int]:
    """Return the number of visible hazards per state, plus "overdue"."""
    today = today or local_today(session_settings(session).timezone)
    where = scope_clause(actor, Hazard.division_code, Hazard.enterprise_id)
    rows = session.execute(
        select(Hazard.state, func.count()).where(where).group_by(Hazard.state)
    ).all()
    out = {state: int(n) for state, n in rows}
    out["overdue"] = int(
        session.scalar(select(func.count()).where(where, overdue_clause(today))) or 0
    )
    return out


# --- statistics ---------------------------------------------------------------------------------

Dimension = Literal["township", "industry", "department"]


@dataclass
class _Counts:
    found: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    major: int = 0
    keys: set[str] = field(default_factory=set)

    def row(self, key: str, label: str) -> StatisticsRow:
        return StatisticsRow.of(
            self,
            key=key,
            label=label,
            rectification_rate=rectification_rate(self.found, self.closed),
        )


def _day_start(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone(timezone))


def _labels(session: Session, by: Dimension, keys: Iterable[str]) -> dict[str, str]:
    keys = [k for k in keys if k]
    if by == "township":
        return division_names(session, keys)
    if by == "industry":
        names = industry_names()
        return {k: f"{k} {names[k]}" if k in names else k for k in keys}
    return {str(k): v for k, v in department_names(session, [int(k) for k in keys]).items()}


_NONE_LABELS = {
    "township": "未知镇街",
    "industry": "非企业（公共场所等）",
    "department": "未指定部门",
}


def hazard_statistics(
    session: Session,
    actor: Actor,
    by: Dimension = "township",
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
    timezone: str | None = None,
) -> HazardStatistics:
    """Return found / closed / open / overdue / major and 整改率 per group, visible hazards only.

    "Found" counts every reported hazard except rejected reports (a rejected report was no
    hazard); the rate is closed / found. ``date_from``/``date_to`` bound the report date.
    """
    timezone = timezone or session_settings(session).timezone
    today = today or local_today(timezone)
    key_column: Any
    if by == "township":
        key_column = func.substr(Hazard.division_code, 1, 9)
    elif by == "industry":
        key_column = func.substr(Hazard.industry_code, 1, 2)
    else:
        key_column = Hazard.department_id
    overdue = case((overdue_clause(today), 1), else_=0)
    stmt = (
        select(key_column, Hazard.state, Hazard.level, overdue, func.count())
        .where(
            scope_clause(actor, Hazard.division_code, Hazard.enterprise_id),
            Hazard.state != HazardState.REJECTED.value,
        )
        .group_by(key_column, Hazard.state, Hazard.level, overdue)
    )
    if date_from is not None:
        stmt = stmt.where(Hazard.reported_at >= _day_start(date_from, timezone))
    if date_to is not None:
        stmt = stmt.where(Hazard.reported_at < _day_start(date_to + timedelta(days=1), timezone))
    groups: dict[str, _Counts] = {}
    total = _Counts()
    open_states = {s.value for s in OPEN_STATES}
    for key, state, level, late, n in session.execute(stmt):
        key = "" if key is None else str(key)
        for counts in (groups.setdefault(key, _Counts()), total):
            counts.found += n
            counts.closed += n if state == HazardState.CLOSED.value else 0
            counts.open += n if state in open_states else 0
            counts.overdue += n if late else 0
            counts.major += n if level == "major" else 0
    labels = _labels(session, by, groups)
    rows = [
        counts.row(key, labels.get(key, key) if key else _NONE_LABELS[by])
        for key, counts in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))
    ]
    return HazardStatistics(
        by=by, date_from=date_from, date_to=date_to, rows=rows, total=total.row("", "合计")
    )


# --- system lookups -----------------------------------------------------------------------------

# Degrees of latitude per metre, for the bounding box that narrows the exact check.
_METRES_PER_DEGREE = 111_320.0


def find_open_hazards_near(
    session: Session,
    *,
    longitude: float,
    latitude: float,
    radius_m: float,
    kind: str | None = None,
) -> list[HazardRead]:
    """Return open hazards within ``radius_m`` of a point, nearest first (unscoped: system use)."""
    dlat = radius_m / _METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
    stmt = select(Hazard).where(
        Hazard.state.in_([s.value for s in OPEN_STATES]),
        Hazard.longitude.between(longitude - dlon, longitude + dlon),
        Hazard.latitude.between(latitude - dlat, latitude + dlat),
    )
    if kind is not None:
        stmt = stmt.where(Hazard.kind == kind)
    found = []
    for h in session.scalars(stmt):
        assert h.longitude is not None
        assert h.latitude is not None
        distance = distance_m(longitude, latitude, h.longitude, h.latitude)
        if distance <= radius_m:
            found.append((distance, h.id, h))
    today = local_today(session_settings(session).timezone)
    return [hazard_read(h, today) for _, _, h in sorted(found, key=lambda t: (t[0], t[1]))]


def overdue_to_escalate(session: Session, today: date) -> list[Hazard]:
    """Return overdue hazards whose current deadline has not been escalated yet."""
    stmt = select(Hazard).where(
        overdue_clause(today),
        or_(Hazard.escalated_deadline.is_(None), Hazard.escalated_deadline != Hazard.deadline),
    )
    # Two workers running the job at once: each takes the rows the other has not locked, so
    # no hazard is escalated twice for one deadline (PostgreSQL; SQLite writes one at a time).
    stmt = stmt.order_by(Hazard.id).with_for_update(skip_locked=True)
    return list(session.scalars(stmt))
