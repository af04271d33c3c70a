"""Incident reads, always scoped by the actor (records outside the jurisdiction are 404).

Enterprise officers see their own enterprise's incidents; everyone else sees the incidents of
their division and below. ``now`` feeds the deadline countdowns (the clock of the caller).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.duty.schemas import OpenItem
from yingji.geo.queries import division_names
from yingji.incidents.models import (
    Incident,
    IncidentDeadline,
    IncidentReport,
    IncidentTask,
    IncidentTimelineEntry,
    ReportingRuleRecord,
)
from yingji.incidents.rules import (
    CATEGORY_LABELS,
    DEADLINE_STATE_LABELS,
    GRADE_LABELS,
    NATIONAL_RULES,
    PLATFORM_GRADING,
    REPORT_KIND_LABELS,
    REPORT_STATUS_LABELS,
    STATUS_LABELS,
    TASK_KIND_LABELS,
    TYPES_BY_CODE,
    Anchor,
    Casualties,
    GradingConfig,
    ReportingRule,
    deadline_state,
    grade_accident,
    graded_by_493,
)
from yingji.incidents.schemas import (
    DeadlineRead,
    IncidentRead,
    IncidentSummary,
    ReportingRuleRead,
    ReportRead,
    TaskRead,
    TimelineEntryRead,
)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def casualties_of(inc: Incident) -> Casualties:
    """Return the casualty figures of an incident row."""
    return Casualties(
        deaths=inc.deaths,
        missing=inc.missing,
        trapped=inc.trapped,
        serious_injuries=inc.serious_injuries,
        injuries=inc.injuries,
        acute_poisoning=inc.acute_poisoning,
        direct_loss_wan_yuan=Decimal(inc.direct_loss_wan_yuan),
    )


def find_incident_id_by_ref(session: Session, external_ref: str) -> int | None:
    """Return the id of the incident received under ``external_ref`` (unscoped), or None."""
    found: int | None = session.scalar(
        select(Incident.id).where(Incident.external_ref == external_ref)
    )
    return found


def load_incident(session: Session, actor: Actor, incident_id: int) -> Incident:
    """Return the incident row if the actor may see it (NotFound otherwise)."""
    stmt = select(Incident).where(
        Incident.id == incident_id,
        scope_clause(actor, Incident.division_code, Incident.enterprise_id),
    )
    inc = session.scalars(stmt).first()
    if inc is None:
        raise NotFound("突发事件不存在")
    return inc


def deadline_read(d: IncidentDeadline, now: datetime) -> DeadlineRead:
    """Return the API shape of a deadline with its state and countdown at ``now``."""
    state = deadline_state(d.due_at, d.remind_at, d.met_at, now)
    return DeadlineRead.of(
        d,
        key=d.rule_key,
        state=state.value,
        state_label=DEADLINE_STATE_LABELS[state.value],
        seconds_left=int((d.due_at - now).total_seconds()),
    )


def task_read(t: IncidentTask) -> TaskRead:
    """Return the API shape of a task."""
    return TaskRead.of(t, kind_label=TASK_KIND_LABELS.get(t.kind, t.kind))


def list_deadlines(session: Session, incident_id: int) -> list[IncidentDeadline]:
    """Return an incident's deadline rows, earliest due first."""
    stmt = select(IncidentDeadline).where(IncidentDeadline.incident_id == incident_id)
    return list(session.scalars(stmt.order_by(IncidentDeadline.due_at, IncidentDeadline.id)))


def list_tasks(session: Session, incident_id: int) -> list[IncidentTask]:
    """Return an incident's tasks in the order they were created."""
    stmt = select(IncidentTask).where(IncidentTask.incident_id == incident_id)
    return list(session.scalars(stmt.order_by(IncidentTask.id)))


def incident_read(
    session: Session,
    inc: Incident,
    now: datetime | None = None,
    grading: GradingConfig = PLATFORM_GRADING,
) -> IncidentRead:
    """Return the API shape of an incident row (the caller checked visibility)."""
    at = _now(now)
    found = TYPES_BY_CODE.get(inc.type)
    by: dict[str, str] = {}
    if graded_by_493(inc.category):
        by = {
            k: v.value for k, v in grade_accident(casualties_of(inc), grading).by_criterion.items()
        }
    names = division_names(session, [inc.division_code])
    return IncidentRead.of(
        inc,
        category_label=CATEGORY_LABELS.get(inc.category, inc.category),
        type_label=found.label if found else inc.type,
        division_name=names.get(inc.division_code, inc.division_code),
        direct_loss_wan_yuan=Decimal(inc.direct_loss_wan_yuan),
        grade_label=GRADE_LABELS.get(inc.grade) if inc.grade else None,
        grade_by_criterion=by,
        status_label=STATUS_LABELS.get(inc.status, inc.status),
        reporting_deadlines=[deadline_read(d, at) for d in list_deadlines(session, inc.id)],
        tasks=[task_read(t) for t in list_tasks(session, inc.id)],
    )


def get_incident(
    session: Session, actor: Actor, incident_id: int, *, now: datetime | None = None
) -> IncidentRead:
    """Return an incident the actor may see (NotFound outside their scope)."""
    return incident_read(session, load_incident(session, actor, incident_id), now)


def list_incidents(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    category: str | None = None,
    limit: int = 200,
) -> list[IncidentSummary]:
    """Return the incidents the actor may see, newest first."""
    stmt = select(Incident).where(
        scope_clause(actor, Incident.division_code, Incident.enterprise_id)
    )
    if status:
        stmt = stmt.where(Incident.status == status)
    if category:
        stmt = stmt.where(Incident.category == category)
    rows = list(
        session.scalars(stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc()).limit(limit))
    )
    next_due = _next_due(session, [r.id for r in rows])
    out = []
    for inc in rows:
        found = TYPES_BY_CODE.get(inc.type)
        out.append(
            IncidentSummary.of(
                inc,
                category_label=CATEGORY_LABELS.get(inc.category, inc.category),
                type_label=found.label if found else inc.type,
                grade_label=GRADE_LABELS.get(inc.grade) if inc.grade else None,
                status_label=STATUS_LABELS.get(inc.status, inc.status),
                next_due_at=next_due.get(inc.id),
            )
        )
    return out


def _next_due(session: Session, ids: Sequence[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    stmt = (
        select(IncidentDeadline.incident_id, func.min(IncidentDeadline.due_at))
        .where(IncidentDeadline.incident_id.in_(ids), IncidentDeadline.met_at.is_(None))
        .group_by(IncidentDeadline.incident_id)
    )
    return {i: due for i, due in session.execute(stmt)}


def open_deadlines(
    session: Session, actor: Actor, *, limit: int = 100
) -> list[tuple[Incident, IncidentDeadline]]:
    """Return the unmet deadlines of open incidents the actor may see, earliest due first."""
    stmt = (
        select(Incident, IncidentDeadline)
        .join(IncidentDeadline, IncidentDeadline.incident_id == Incident.id)
        .where(
            Incident.status == "open",
            IncidentDeadline.met_at.is_(None),
            scope_clause(actor, Incident.division_code, Incident.enterprise_id),
        )
        .order_by(IncidentDeadline.due_at)
        .limit(limit)
    )
    return [(i, d) for i, d in session.execute(stmt).tuples()]


def list_timeline(session: Session, incident_id: int) -> list[TimelineEntryRead]:
    """Return an incident's timeline, oldest first (the caller checked visibility)."""
    stmt = select(IncidentTimelineEntry).where(IncidentTimelineEntry.incident_id == incident_id)
    rows = session.scalars(stmt.order_by(IncidentTimelineEntry.at, IncidentTimelineEntry.id))
    return [TimelineEntryRead.of(e, data=dict(e.data or {})) for e in rows]


def report_title(kind: str, seq: int) -> str:
    """Return the title of the ``seq``-th report of ``kind`` (e.g. 续报（第2次）)."""
    label = REPORT_KIND_LABELS.get(kind, kind)
    return f"{label}（第{seq}次）" if seq > 1 else label


def report_read(r: IncidentReport) -> ReportRead:
    """Return the API shape of a report."""
    return ReportRead.of(
        r,
        kind_label=REPORT_KIND_LABELS.get(r.kind, r.kind),
        title=report_title(r.kind, r.seq),
        status_label=REPORT_STATUS_LABELS.get(r.status, r.status),
        content={str(k): str(v) for k, v in (r.content or {}).items()},
        document_url=f"/api/v1/incident-reports/{r.id}/document.docx",
    )


def list_reports(session: Session, incident_id: int) -> list[ReportRead]:
    """Return an incident's reports in drafting order."""
    stmt = select(IncidentReport).where(IncidentReport.incident_id == incident_id)
    return [report_read(r) for r in session.scalars(stmt.order_by(IncidentReport.id))]


def load_report(session: Session, actor: Actor, report_id: int) -> tuple[IncidentReport, Incident]:
    """Return a report and its incident if the actor may see the incident (NotFound else)."""
    report = session.get(IncidentReport, report_id)
    if report is None:
        raise NotFound("报告不存在")
    try:
        inc = load_incident(session, actor, report.incident_id)
    except NotFound:
        raise NotFound("报告不存在") from None
    return report, inc


def rule_from_record(r: ReportingRuleRecord) -> ReportingRule:
    """Return the rule a stored record describes."""
    return ReportingRule(
        key=r.key,
        label=r.label,
        reports_to=r.reports_to,
        minutes=r.minutes,
        anchor=Anchor(r.anchor),
        min_grade=r.min_grade,
        categories=tuple(r.categories or ()),
        remind=r.remind,
        remind_before_minutes=r.remind_before_minutes,
        active=r.active,
        citation=r.citation,
    )


def rule_overrides(session: Session) -> list[ReportingRule]:
    """Return the deployment's stored reporting rules (inactive ones included)."""
    stmt = select(ReportingRuleRecord).order_by(ReportingRuleRecord.id)
    return [rule_from_record(r) for r in session.scalars(stmt)]


def list_reporting_rules(session: Session) -> list[ReportingRuleRead]:
    """Return every rule: the national defaults, overridden or extended by local records."""
    local = {r.key: r for r in rule_overrides(session)}
    merged = {r.key: r for r in NATIONAL_RULES} | local
    return [
        ReportingRuleRead.of(
            r,
            origin="local" if r.key in local else "national",
            anchor=r.anchor.value,
            categories=list(r.categories),
        )
        for r in merged.values()
    ]


def open_items(session: Session, division_code: str) -> list[OpenItem]:
    """Return the open incidents within ``division_code`` as hand-over items (system read)."""
    stmt = (
        select(Incident)
        .where(Incident.status != "closed", Incident.division_code.startswith(division_code))
        .order_by(Incident.received_at)
    )
    return [
        OpenItem(
            kind="incident",
            ref_id=str(inc.id),
            title=inc.title,
            status=GRADE_LABELS.get(inc.grade or "", "")
            or STATUS_LABELS.get(inc.status, inc.status),
            url=f"/incidents/{inc.id}",
        )
        for inc in session.scalars(stmt)
    ]
