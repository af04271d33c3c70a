"""Incident endpoints under /api/v1: intake (idempotent by external_ref), reads, casualty
changes, closure, reports with sign-off and the .docx, tasks, and the reporting-rule table.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from yingji.core.actor import Actor
from yingji.core.web.context import AppContext
from yingji.incidents import queries, service
from yingji.incidents.documents import DOCX_MEDIA_TYPE, render_report
from yingji.incidents.rules import grading_from_settings
from yingji.incidents.schemas import (
    CasualtyUpdate,
    CloseBody,
    IncidentCreate,
    IncidentRead,
    IncidentSummary,
    ReportCreate,
    ReportingRuleRead,
    ReportingRuleWrite,
    ReportRead,
    ReportSend,
    TimelineEntryRead,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/incidents"
router = APIRouter(tags=["突发事件"])
FIELD_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "invalid input; each error names its field"},
    404: {"description": "no such incident, or outside the caller's jurisdiction"},
}


def issuer(ctx: AppContext) -> str:
    """Return the reporting body's name (the district's emergency-management bureau)."""
    return f"{ctx.settings.district_short_name}区应急管理局"


@router.post(
    BASE,
    response_model=IncidentRead,
    status_code=201,
    summary="接报突发事件（按 external_ref 幂等；返回等级和上报时限）",
    responses=FIELD_ERRORS,
)
def create_incident(
    body: IncidentCreate, response: Response, actor: ApiActor, ctx: Ctx
) -> IncidentRead:
    """Receive an incident; a repeated external_ref answers 200 with the first incident."""
    with ctx.uow(actor) as uow:
        existed = bool(body.external_ref) and (
            queries.find_incident_id_by_ref(uow.session, body.external_ref or "") is not None
        )
        incident_id = service.intake_incident(
            uow,
            body,
            timezone=ctx.settings.timezone,
            grading=grading_from_settings(ctx.settings),
        )
        if not existed:
            uow.commit()
    if existed:
        response.status_code = 200
    response.headers["Location"] = f"{BASE}/{incident_id}"
    with ctx.session_factory() as session:
        return queries.get_incident(session, actor, incident_id, now=ctx.clock.now())


@router.get(BASE, response_model=list[IncidentSummary], summary="突发事件列表（按管辖范围）")
def list_incidents(
    actor: ApiActor, session: ReadSession, status: str | None = None, category: str | None = None
) -> list[IncidentSummary]:
    """List the incidents the caller may see, newest first."""
    return queries.list_incidents(session, actor, status=status, category=category)


@router.get(
    f"{BASE}/{{incident_id}}",
    response_model=IncidentRead,
    responses=FIELD_ERRORS,
    summary="突发事件详情（含等级、上报时限倒计时、任务）",
)
def get_incident(incident_id: int, actor: ApiActor, session: ReadSession, ctx: Ctx) -> IncidentRead:
    """Return one incident the caller may see."""
    return queries.get_incident(session, actor, incident_id, now=ctx.clock.now())


@router.get(
    f"{BASE}/{{incident_id}}/timeline",
    response_model=list[TimelineEntryRead],
    responses=FIELD_ERRORS,
    summary="突发事件时间线",
)
def get_timeline(
    incident_id: int, actor: ApiActor, session: ReadSession
) -> list[TimelineEntryRead]:
    """Return the incident's timeline, oldest first."""
    queries.load_incident(session, actor, incident_id)
    return queries.list_timeline(session, incident_id)


@router.patch(
    f"{BASE}/{{incident_id}}/casualties",
    response_model=IncidentRead,
    responses=FIELD_ERRORS,
    summary="更新伤亡情况（补报期内生成补报任务并重新定级）",
)
def patch_casualties(
    incident_id: int, body: CasualtyUpdate, actor: ApiActor, ctx: Ctx
) -> IncidentRead:
    """Record new casualty figures."""
    with ctx.uow(actor) as uow:
        service.update_casualties(
            uow, incident_id, body, grading=grading_from_settings(ctx.settings)
        )
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_incident(session, actor, incident_id, now=ctx.clock.now())


@router.post(
    f"{BASE}/{{incident_id}}/close",
    response_model=IncidentRead,
    responses=FIELD_ERRORS,
    summary="结案",
)
def close_incident(incident_id: int, body: CloseBody, actor: ApiActor, ctx: Ctx) -> IncidentRead:
    """Close an incident."""
    with ctx.uow(actor) as uow:
        service.close_incident(uow, incident_id, reason=body.reason)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_incident(session, actor, incident_id, now=ctx.clock.now())


@router.post(
    f"{BASE}/{{incident_id}}/reopen",
    response_model=IncidentRead,
    responses=FIELD_ERRORS,
    summary="重新打开已结案事件",
)
def reopen_incident(incident_id: int, body: CloseBody, actor: ApiActor, ctx: Ctx) -> IncidentRead:
    """Reopen a closed incident (the reason is kept on the timeline)."""
    with ctx.uow(actor) as uow:
        service.reopen_incident(uow, incident_id, reason=body.reason)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_incident(session, actor, incident_id, now=ctx.clock.now())


@router.get(
    f"{BASE}/{{incident_id}}/reports",
    response_model=list[ReportRead],
    responses=FIELD_ERRORS,
    summary="事件报告（初报/续报/核报/补报）",
)
def list_reports(incident_id: int, actor: ApiActor, session: ReadSession) -> list[ReportRead]:
    """List the incident's reports."""
    queries.load_incident(session, actor, incident_id)
    return queries.list_reports(session, incident_id)


def _report(ctx: AppContext, actor: Actor, report_id: int) -> ReportRead:
    with ctx.session_factory() as session:
        report, _inc = queries.load_report(session, actor, report_id)
        return queries.report_read(report)


@router.post(
    f"{BASE}/{{incident_id}}/reports",
    response_model=ReportRead,
    status_code=201,
    responses=FIELD_ERRORS,
    summary="起草报告（内容按493号令第十二条）",
)
def create_report(incident_id: int, body: ReportCreate, actor: ApiActor, ctx: Ctx) -> ReportRead:
    """Draft a report."""
    with ctx.uow(actor) as uow:
        report_id = service.draft_report(uow, incident_id, body)
        uow.commit()
    return _report(ctx, actor, report_id)


@router.post(
    "/api/v1/incident-reports/{report_id}/sign",
    response_model=ReportRead,
    responses=FIELD_ERRORS,
    summary="签发报告（起草人以外的授权人员）",
)
def sign_report(report_id: int, actor: ApiActor, ctx: Ctx) -> ReportRead:
    """Sign off a drafted report."""
    with ctx.uow(actor) as uow:
        service.sign_report(uow, report_id)
        uow.commit()
    return _report(ctx, actor, report_id)


@router.post(
    "/api/v1/incident-reports/{report_id}/send",
    response_model=ReportRead,
    responses=FIELD_ERRORS,
    summary="登记报告已报送（完成相应上报时限）",
)
def send_report(report_id: int, body: ReportSend, actor: ApiActor, ctx: Ctx) -> ReportRead:
    """Record that a signed report was sent."""
    with ctx.uow(actor) as uow:
        service.send_report(uow, report_id, body)
        uow.commit()
    return _report(ctx, actor, report_id)


@router.get(
    "/api/v1/incident-reports/{report_id}/document.docx",
    responses=FIELD_ERRORS,
    summary="报告文书（.docx）",
    response_class=Response,
)
def report_document(report_id: int, actor: ApiActor, ctx: Ctx) -> Response:
    """Return the report as a Word document."""
    with ctx.session_factory() as session:
        report, inc = queries.load_report(session, actor, report_id)
        read = queries.report_read(report)
        incident = queries.incident_read(session, inc, ctx.clock.now())
    body = render_report(read, incident, issuer=issuer(ctx), timezone=ctx.settings.timezone)
    filename = f"incident-{incident.id}-report-{read.id}.docx"
    return Response(
        body,
        media_type=DOCX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/api/v1/incident-tasks/{task_id}/complete",
    status_code=204,
    responses=FIELD_ERRORS,
    summary="办结任务",
)
def complete_task(task_id: int, actor: ApiActor, ctx: Ctx) -> Response:
    """Mark a task done."""
    with ctx.uow(actor) as uow:
        service.complete_task(uow, task_id)
        uow.commit()
    return Response(status_code=204)


@router.get(
    "/api/v1/incident-reporting-rules",
    response_model=list[ReportingRuleRead],
    summary="上报时限规则（国家默认值与本地调整）",
)
def list_rules(actor: ApiActor, session: ReadSession) -> list[ReportingRuleRead]:
    """Return the reporting rules in force and the national ones they replace."""
    return queries.list_reporting_rules(session)


@router.put(
    "/api/v1/incident-reporting-rules/{key}",
    response_model=list[ReportingRuleRead],
    responses=FIELD_ERRORS,
    summary="设置上报时限规则（系统管理员）",
)
def put_rule(
    key: str, body: ReportingRuleWrite, actor: ApiActor, ctx: Ctx
) -> list[ReportingRuleRead]:
    """Create or replace a local reporting rule (same key as a national rule overrides it)."""
    with ctx.uow(actor) as uow:
        service.save_reporting_rule(uow, key, body)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.list_reporting_rules(session)


routers = [router]
