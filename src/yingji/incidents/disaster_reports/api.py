"""Disaster-report endpoints: processes, township reports, stabilisation and the export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from yingji.incidents.disaster_reports import queries, service
from yingji.incidents.disaster_reports.rules import FIELDS, HAZARD_LABELS
from yingji.incidents.disaster_reports.schemas import (
    ProcessCreate,
    ProcessRead,
    ReportCreate,
    ReportRead,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/disaster-processes"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(tags=["灾情报送"])


@router.get("/api/v1/disaster-report-fields", summary="灾情统计指标（名称、单位）")
def fields() -> list[dict[str, Any]]:
    """Return the statistics fields in export order with label, unit and kind."""
    return [
        {
            "name": f.name,
            "label": f.label,
            "unit": f.unit,
            "integer": f.integer,
            "cumulative": f.cumulative,
        }
        for f in FIELDS
    ]


@router.post(BASE, response_model=ProcessRead, status_code=201, summary="启动灾害过程")
def open_process(body: ProcessCreate, actor: ApiActor, ctx: Ctx) -> ProcessRead:
    """Open a disaster process; its townships now owe an 初报."""
    with ctx.uow(actor) as uow:
        process_id = service.open_process(uow, body, district_code=ctx.settings.district_code)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.process_read(session, actor, process_id, ctx.clock.now())


@router.get(BASE, summary="灾害过程列表")
def list_processes(actor: ApiActor, session: ReadSession) -> list[dict[str, Any]]:
    """Return the processes the actor may see, newest first."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "hazard_type": p.hazard_type,
            "hazard_label": HAZARD_LABELS.get(p.hazard_type, p.hazard_type),
            "started_at": p.started_at,
            "state": p.state,
        }
        for p in queries.list_processes(session, actor)
    ]


@router.get(BASE + "/{process_id}", response_model=ProcessRead, summary="灾害过程与各乡镇报送情况")
def get_process(process_id: int, actor: ApiActor, ctx: Ctx, session: ReadSession) -> ProcessRead:
    """Return the process, each township's standing and the totals in the actor's scope."""
    return queries.process_read(session, actor, process_id, ctx.clock.now())


@router.post(BASE + "/{process_id}/stabilise", response_model=ProcessRead, summary="灾情稳定")
def stabilise(process_id: int, actor: ApiActor, ctx: Ctx) -> ProcessRead:
    """Mark the process stabilised (townships then owe their 核报)."""
    with ctx.uow(actor) as uow:
        service.stabilise_process(uow, process_id)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.process_read(session, actor, process_id, ctx.clock.now())


@router.post(
    BASE + "/{process_id}/reports",
    response_model=ReportRead,
    status_code=201,
    summary="报送初报/续报/核报",
)
def submit_report(process_id: int, body: ReportCreate, actor: ApiActor, ctx: Ctx) -> ReportRead:
    """Validate and store a township's report."""
    with ctx.uow(actor) as uow:
        report_id = service.submit_report(uow, process_id, body)
        uow.commit()
    with ctx.session_factory() as session:
        reports = queries.list_reports(session, actor, process_id, body.division_code)
        return next(r for r in reports if r.id == report_id)


@router.get(BASE + "/{process_id}/reports", response_model=list[ReportRead], summary="报送记录")
def list_reports(
    process_id: int, actor: ApiActor, session: ReadSession, division_code: str | None = None
) -> list[ReportRead]:
    """Return the reports of townships in the actor's scope."""
    return queries.list_reports(session, actor, process_id, division_code)


@router.get(BASE + "/{process_id}/export.xlsx", summary="导出灾情统计表（报灾系统格式）")
def export(process_id: int, actor: ApiActor, ctx: Ctx, session: ReadSession) -> Response:
    """Return the township table and totals as a spreadsheet."""
    read = queries.process_read(session, actor, process_id, ctx.clock.now())
    return Response(
        queries.export_workbook(read),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="disaster-{process_id}.xlsx"'},
    )


routers = [router]
