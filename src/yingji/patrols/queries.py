"""Patrol reads, always scoped by the actor: patrols, coverage, grid and public reports.

A record outside the actor's jurisdiction answers NotFound, exactly like one that does not
exist; a grid member's scope is their grid (or village), so they see only that. A role that
may never read a kind of record gets PermissionDenied.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import division_filter, scope_clause
from yingji.core.actor import Actor
from yingji.core.clock import zone as local_zone
from yingji.core.db import session_settings
from yingji.core.errors import NotFound
from yingji.core.pagination import Page, PageParams
from yingji.geo.models import Division
from yingji.geo.queries import division_names
from yingji.patrols.models import GridReport, Patrol, PatrolCheck, PublicReport, TrackPoint
from yingji.patrols.rules import (
    EVENT_CATEGORY_LABELS,
    HAZARD_KIND_LABELS,
    PATROL_READERS,
    PATROL_STATE_LABELS,
    REPORT_READERS,
    REPORT_STATE_LABELS,
    REWARD_STATE_LABELS,
    CheckResult,
    GridReportType,
    ReportState,
    RewardState,
)
from yingji.patrols.schemas import (
    CheckRead,
    CoverageRead,
    CoverageRow,
    GridReportRead,
    PatrolDetail,
    PatrolRead,
    PublicReportFilters,
    PublicReportRead,
    PublicReportStatus,
    TrackPointRead,
)


def _require(actor: Actor, roles: Collection[Role], what: str) -> None:
    require_role(actor, roles, f"无权查看{what}", or_system=True)


def tracking_hash(code: str) -> str:
    """Return the stored form of a tracking code (SHA-256 hex)."""
    return hashlib.sha256(code.encode()).hexdigest()


# --- patrols -----------------------------------------------------------------------------------


def check_counts(session: Session, patrol_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Return {patrol id: (checks, anomalies)} for the given patrols (one query)."""
    if not patrol_ids:
        return {}
    rows = session.execute(
        select(PatrolCheck.patrol_id, PatrolCheck.result, func.count())
        .where(PatrolCheck.patrol_id.in_(patrol_ids))
        .group_by(PatrolCheck.patrol_id, PatrolCheck.result)
    )
    out: dict[int, tuple[int, int]] = {}
    for patrol_id, result, count in rows:
        total, anomalies = out.get(patrol_id, (0, 0))
        out[patrol_id] = (
            total + count,
            anomalies + (count if result == CheckResult.ANOMALY.value else 0),
        )
    return out


def patrol_read(
    patrol: Patrol, counts: tuple[int, int] = (0, 0), division_name: str | None = None
) -> PatrolRead:
    """Return the API shape of a patrol."""
    return PatrolRead.of(
        patrol,
        division_name=division_name,
        state_label=PATROL_STATE_LABELS[patrol.state],
        distance_m=round(patrol.distance_m, 1),
        check_count=counts[0],
        anomaly_count=counts[1],
    )


def check_read(check: PatrolCheck) -> CheckRead:
    """Return the API shape of a patrol check."""
    return CheckRead.of(
        check,
        result=CheckResult(check.result),
        note=check.note or "",
        photo_keys=list(check.photo_keys or []),
    )


def visible_patrol(session: Session, actor: Actor, patrol_id: int) -> Patrol:
    """Return the patrol if the actor may see it (NotFound otherwise)."""
    _require(actor, PATROL_READERS, "巡查记录")
    patrol = session.scalar(
        select(Patrol).where(Patrol.id == patrol_id, scope_clause(actor, Patrol.division_code))
    )
    if patrol is None:
        raise NotFound("巡查记录不存在")
    return patrol


def get_patrol(session: Session, actor: Actor, patrol_id: int) -> PatrolDetail:
    """Return a visible patrol with its checks and track (NotFound outside scope)."""
    patrol = visible_patrol(session, actor, patrol_id)
    counts = check_counts(session, [patrol.id]).get(patrol.id, (0, 0))
    checks = session.scalars(
        select(PatrolCheck)
        .where(PatrolCheck.patrol_id == patrol.id)
        .order_by(PatrolCheck.checked_at, PatrolCheck.id)
    )
    track = session.scalars(
        select(TrackPoint).where(TrackPoint.patrol_id == patrol.id).order_by(TrackPoint.recorded_at)
    )
    base = patrol_read(
        patrol, counts, division_names(session, [patrol.division_code]).get(patrol.division_code)
    )
    return PatrolDetail(
        **base.model_dump(),
        checks=[check_read(c) for c in checks],
        track=[TrackPointRead.of(p) for p in track],
    )


def page_patrols(
    session: Session,
    actor: Actor,
    params: PageParams,
    *,
    division_code: str | None = None,
    patroller_id: int | None = None,
    state: str | None = None,
) -> Page[PatrolRead]:
    """Return a page of visible patrols, newest first."""
    _require(actor, PATROL_READERS, "巡查记录")
    stmt = select(Patrol).where(
        scope_clause(actor, Patrol.division_code),
        division_filter(Patrol.division_code, division_code),
    )
    if patroller_id is not None:
        stmt = stmt.where(Patrol.patroller_id == patroller_id)
    if state:
        stmt = stmt.where(Patrol.state == state)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        session.scalars(
            stmt.order_by(Patrol.started_at.desc(), Patrol.id.desc())
            .offset(params.offset)
            .limit(params.size)
        )
    )
    counts = check_counts(session, [p.id for p in rows])
    names = division_names(session, [p.division_code for p in rows])
    items = [patrol_read(p, counts.get(p.id, (0, 0)), names.get(p.division_code)) for p in rows]
    return Page(items=items, total=total, page=params.page, size=params.size)


def ongoing_patrol(session: Session, actor: Actor) -> Patrol | None:
    """Return the actor's own patrol under way, if any."""
    if actor.user_id is None:
        return None
    return session.scalar(
        select(Patrol)
        .where(Patrol.patroller_id == actor.user_id, Patrol.state == "ongoing")
        .order_by(Patrol.id.desc())
        .limit(1)
    )


def _cells(session: Session, actor: Actor, division_code: str | None) -> list[Division]:
    """Return the patrol cells in scope: grid cells where they exist, else villages."""
    scope = scope_clause(actor, Division.code)
    wanted = division_filter(Division.code, division_code)
    for level in ("grid", "village"):
        rows = list(
            session.scalars(
                select(Division)
                .where(Division.level == level, scope, wanted)
                .order_by(Division.code)
            )
        )
        if rows:
            return rows
    # A grid member whose scope is one cell without a level below it.
    if actor.division_code and len(actor.division_code) >= 12:
        own = session.scalar(select(Division).where(Division.code == actor.division_code))
        return [own] if own is not None else []
    return []


def coverage(
    session: Session,
    actor: Actor,
    day: date,
    *,
    timezone: str | None = None,
    division_code: str | None = None,
) -> CoverageRead:
    """Return, per grid (or village) in scope, the patrols started on ``day`` (local date)."""
    _require(actor, PATROL_READERS, "巡查覆盖情况")
    zone = local_zone(timezone or session_settings(session).timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = start + timedelta(days=1)
    cells = _cells(session, actor, division_code)
    patrols = list(
        session.scalars(
            select(Patrol).where(
                scope_clause(actor, Patrol.division_code),
                division_filter(Patrol.division_code, division_code),
                Patrol.started_at >= start,
                Patrol.started_at < end,
            )
        )
    )
    counts = check_counts(session, [p.id for p in patrols])
    reports: dict[str, int] = defaultdict(int)
    for code in session.scalars(
        select(GridReport.division_code).where(
            scope_clause(actor, GridReport.division_code),
            GridReport.occurred_at >= start,
            GridReport.occurred_at < end,
        )
    ):
        reports[code] += 1
    rows: list[CoverageRow] = []
    for cell in cells:
        mine = [p for p in patrols if p.division_code.startswith(cell.code)]
        minutes = sum(
            int(((p.finished_at or p.started_at) - p.started_at).total_seconds() // 60)
            for p in mine
        )
        rows.append(
            CoverageRow(
                division_code=cell.code,
                division_name=cell.name,
                patrols=len(mine),
                patrollers=sorted({p.patroller_name for p in mine}),
                distance_m=round(sum(p.distance_m for p in mine), 1),
                minutes=minutes,
                anomalies=sum(counts.get(p.id, (0, 0))[1] for p in mine),
                reports=sum(n for code, n in reports.items() if code.startswith(cell.code)),
                covered=bool(mine),
            )
        )
    return CoverageRead(
        day=day, cells=len(rows), covered=sum(1 for r in rows if r.covered), rows=rows
    )


# --- grid reports ------------------------------------------------------------------------------


def grid_report_read(report: GridReport) -> GridReportRead:
    """Return the API shape of a grid report."""
    labels = (
        HAZARD_KIND_LABELS if report.report_type == GridReportType.HAZARD else EVENT_CATEGORY_LABELS
    )
    return GridReportRead.of(
        report,
        report_type=GridReportType(report.report_type),
        category_label=labels.get(report.category, report.category),
        description=report.description or "",
        photo_keys=list(report.photo_keys or []),
    )


def get_grid_report(session: Session, actor: Actor, report_id: int) -> GridReportRead:
    """Return a visible grid report (NotFound outside scope)."""
    _require(actor, PATROL_READERS, "网格上报")
    report = session.scalar(
        select(GridReport).where(
            GridReport.id == report_id, scope_clause(actor, GridReport.division_code)
        )
    )
    if report is None:
        raise NotFound("网格上报记录不存在")
    return grid_report_read(report)


def page_grid_reports(
    session: Session,
    actor: Actor,
    params: PageParams,
    *,
    report_type: str | None = None,
    patrol_id: int | None = None,
) -> Page[GridReportRead]:
    """Return a page of visible grid reports, newest first."""
    _require(actor, PATROL_READERS, "网格上报")
    stmt = select(GridReport).where(scope_clause(actor, GridReport.division_code))
    if report_type:
        stmt = stmt.where(GridReport.report_type == report_type)
    if patrol_id is not None:
        stmt = stmt.where(GridReport.patrol_id == patrol_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(GridReport.created_at.desc(), GridReport.id.desc())
        .offset(params.offset)
        .limit(params.size)
    )
    return Page(
        items=[grid_report_read(r) for r in rows],
        total=total,
        page=params.page,
        size=params.size,
    )


# --- public reports ----------------------------------------------------------------------------


def public_report_read(report: PublicReport, division_name: str | None = None) -> PublicReportRead:
    """Return the officers' view of a public report."""
    return PublicReportRead.of(
        report,
        kind_label=HAZARD_KIND_LABELS.get(report.kind, report.kind),
        description=report.description or "",
        division_name=division_name,
        photo_keys=list(report.photo_keys or []),
        state=ReportState(report.state),
        state_label=REPORT_STATE_LABELS[report.state],
        reward_state=RewardState(report.reward_state),
        reward_state_label=REWARD_STATE_LABELS[report.reward_state],
    )


def visible_public_report(session: Session, actor: Actor, report_id: int) -> PublicReport:
    """Return the public report if the actor may see it (NotFound otherwise)."""
    _require(actor, REPORT_READERS, "举报")
    report = session.scalar(
        select(PublicReport).where(
            PublicReport.id == report_id, scope_clause(actor, PublicReport.division_code)
        )
    )
    if report is None:
        raise NotFound("举报不存在")
    return report


def get_public_report(session: Session, actor: Actor, report_id: int) -> PublicReportRead:
    """Return a visible public report (NotFound outside scope)."""
    report = visible_public_report(session, actor, report_id)
    names = division_names(session, [report.division_code])
    return public_report_read(report, names.get(report.division_code))


def _public_select(actor: Actor, filters: PublicReportFilters) -> Select[tuple[PublicReport]]:
    stmt = select(PublicReport).where(
        scope_clause(actor, PublicReport.division_code),
        division_filter(PublicReport.division_code, filters.division_code),
    )
    if filters.state is not None:
        stmt = stmt.where(PublicReport.state == filters.state.value)
    if filters.reward_state is not None:
        stmt = stmt.where(PublicReport.reward_state == filters.reward_state.value)
    return stmt


def page_public_reports(
    session: Session, actor: Actor, params: PageParams, filters: PublicReportFilters
) -> Page[PublicReportRead]:
    """Return a page of visible public reports, newest first."""
    _require(actor, REPORT_READERS, "举报")
    stmt = _public_select(actor, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        session.scalars(
            stmt.order_by(PublicReport.created_at.desc(), PublicReport.id.desc())
            .offset(params.offset)
            .limit(params.size)
        )
    )
    names = division_names(session, [r.division_code for r in rows])
    return Page(
        items=[public_report_read(r, names.get(r.division_code)) for r in rows],
        total=total,
        page=params.page,
        size=params.size,
    )


def track_public_report(session: Session, code: str) -> PublicReportStatus:
    """Return what the reporter may see for a tracking code (NotFound for a wrong code)."""
    report = session.scalar(
        select(PublicReport).where(PublicReport.tracking_hash == tracking_hash(code))
    )
    if report is None:
        raise NotFound("查询码不存在，请核对后重试")
    names = division_names(session, [report.township_code])
    return PublicReportStatus.of(
        report,
        kind=HAZARD_KIND_LABELS.get(report.kind, report.kind),
        township_name=names.get(report.township_code),
        state=ReportState(report.state),
        state_label=REPORT_STATE_LABELS[report.state],
        received_at=report.created_at,
    )


def recent_reports_from(session: Session, client_hash: str, since: datetime) -> int:
    """Return how many public reports one client sent since ``since`` (rate limit)."""
    return (
        session.scalar(
            select(func.count(PublicReport.id)).where(
                PublicReport.client_hash == client_hash, PublicReport.created_at >= since
            )
        )
        or 0
    )
