"""Inspection endpoints: plans, conflicts, 双随机 draws, cases and their documents, 三个强度.

Writes open one unit of work and commit once; reads are scoped by the actor (another
township's case or document answers 404).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from yingji.core.actor import Actor
from yingji.core.pagination import Page, PageParams
from yingji.core.web.context import AppContext
from yingji.inspections import queries, service
from yingji.inspections.checklists import load_checklists
from yingji.inspections.documents import render_docx
from yingji.inspections.rules import DOC_TYPE_LABELS, DocType, InspectionConfig
from yingji.inspections.schemas import (
    CaseCreate,
    CaseRead,
    CaseSummary,
    ChecklistRead,
    ConflictCreate,
    DrawCreate,
    DrawRead,
    DrawVerification,
    FindingCreate,
    FindingRead,
    IntensityRead,
    OrderInput,
    PenaltyInput,
    PlanCreate,
    PlanRead,
    RecordInput,
    ReinspectionInput,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

CASES = "/api/v1/inspections"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

router = APIRouter(tags=["执法检查"])


def inspection_config(ctx: AppContext) -> InspectionConfig:
    """Return the deployment's inspection settings (national defaults unless configured)."""
    settings = ctx.settings
    defaults = InspectionConfig()
    return InspectionConfig(
        doc_prefix=getattr(settings, "inspection_doc_prefix", None) or defaults.doc_prefix,
        authority=getattr(settings, "inspection_authority", None) or defaults.authority,
        timezone=getattr(settings, "timezone", None) or defaults.timezone,
    )


@router.get(
    "/api/v1/inspection-checklists", response_model=list[ChecklistRead], summary="执法检查清单"
)
def list_checklists(actor: ApiActor) -> list[ChecklistRead]:
    """List the inspection checklists by industry."""
    return list(load_checklists().values())


@router.post(
    "/api/v1/inspection-plans",
    response_model=PlanRead,
    status_code=201,
    summary="编制（或补充）年度执法计划",
)
def create_plan(body: PlanCreate, actor: ApiActor, ctx: Ctx) -> PlanRead:
    """Build the year's plan from the enterprise register (idempotent; adds new enterprises)."""
    config = inspection_config(ctx)
    with ctx.uow(actor) as uow:
        service.generate_plan(uow, body, config=config)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_plan(session, actor, body.year, timezone=config.timezone)


@router.get("/api/v1/inspection-plans/{year}", response_model=PlanRead, summary="年度执法计划")
def get_plan(year: int, actor: ApiActor, ctx: Ctx, session: ReadSession) -> PlanRead:
    """Return the year's plan with the targets the actor may see."""
    return queries.get_plan(session, actor, year, timezone=inspection_config(ctx).timezone)


@router.post(
    "/api/v1/inspection-conflicts", status_code=201, summary="登记执法回避关系（利害关系）"
)
def create_conflict(body: ConflictCreate, actor: ApiActor, ctx: Ctx) -> dict[str, int]:
    """Register an officer-enterprise conflict; the draw never pairs them."""
    with ctx.uow(actor) as uow:
        conflict_id = service.add_conflict(uow, body)
        uow.commit()
    return {"id": conflict_id}


@router.post(
    "/api/v1/inspection-draws",
    response_model=DrawRead,
    status_code=201,
    summary="双随机抽取（随机种子公开，可复核）",
)
def create_draw(body: DrawCreate, actor: ApiActor, ctx: Ctx) -> DrawRead:
    """Draw targets and officers; the seed, pools, exclusions and result are recorded."""
    with ctx.uow(actor) as uow:
        draw_id = service.make_draw(
            uow, body, district_code=ctx.settings.district_code, config=inspection_config(ctx)
        )
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_draw(session, actor, draw_id)


@router.get("/api/v1/inspection-draws", response_model=list[DrawRead], summary="双随机抽取记录")
def list_draws(actor: ApiActor, session: ReadSession, year: int | None = None) -> list[DrawRead]:
    """List the draws the actor may see, newest first."""
    return queries.list_draws(session, actor, year=year)


@router.get("/api/v1/inspection-draws/{draw_id}", response_model=DrawRead, summary="双随机抽取详情")
def get_draw(draw_id: int, actor: ApiActor, session: ReadSession) -> DrawRead:
    """Return one draw with its seed, pools, exclusions and result."""
    return queries.get_draw(session, actor, draw_id)


@router.get(
    "/api/v1/inspection-draws/{draw_id}/verification",
    response_model=DrawVerification,
    summary="复核抽取结果（按公开种子重算）",
)
def verify_draw(draw_id: int, actor: ApiActor, session: ReadSession) -> DrawVerification:
    """Repeat the draw from its seed and pools and compare with the stored result."""
    return queries.verify_draw(session, actor, draw_id)


@router.post(CASES, response_model=CaseRead, status_code=201, summary="发起执法检查")
def create_case(body: CaseCreate, response: Response, actor: ApiActor, ctx: Ctx) -> CaseRead:
    """Open an inspection case of a visible enterprise."""
    with ctx.uow(actor) as uow:
        case_id = service.open_case(uow, body)
        uow.commit()
    response.headers["Location"] = f"{CASES}/{case_id}"
    with ctx.session_factory() as session:
        return queries.get_case(session, actor, case_id)


@router.get(CASES, response_model=Page[CaseSummary], summary="执法检查案件列表")
def list_cases(
    actor: ApiActor,
    session: ReadSession,
    page: int = Query(1, ge=1),
    size: int = Query(20, ge=1, le=200),
    state: str | None = None,
    enterprise_id: int | None = None,
    draw_id: int | None = None,
) -> Page[CaseSummary]:
    """List the cases the actor may see, newest first."""
    return queries.page_cases(
        session,
        actor,
        PageParams(page=page, size=size),
        state=state,
        enterprise_id=enterprise_id,
        draw_id=draw_id,
    )


@router.get(f"{CASES}/{{case_id}}", response_model=CaseRead, summary="执法检查案件详情")
def get_case(case_id: int, actor: ApiActor, session: ReadSession) -> CaseRead:
    """Return a case with its findings and documents."""
    return queries.get_case(session, actor, case_id)


@router.post(
    f"{CASES}/{{case_id}}/findings",
    response_model=FindingRead,
    status_code=201,
    summary="登记检查发现的问题（可纳入隐患闭环）",
)
def create_finding(case_id: int, body: FindingCreate, actor: ApiActor, ctx: Ctx) -> FindingRead:
    """Record a finding; with ``as_hazard`` it is reported as a hazard (source inspection)."""
    with ctx.uow(actor) as uow:
        finding_id = service.add_finding(uow, case_id, body)
        uow.commit()
    with ctx.session_factory() as session:
        case = queries.get_case(session, actor, case_id)
    return next(f for f in case.findings if f.id == finding_id)


def _act(ctx: AppContext, actor: Actor, case_id: int, fn: object, body: object) -> CaseRead:
    config = inspection_config(ctx)
    with ctx.uow(actor) as uow:
        fn(uow, case_id, body, config=config)  # type: ignore[operator]
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_case(session, actor, case_id)


@router.post(f"{CASES}/{{case_id}}/record", response_model=CaseRead, summary="出具现场检查记录")
def record_case(case_id: int, body: RecordInput, actor: ApiActor, ctx: Ctx) -> CaseRead:
    """Issue the on-site record (现场检查记录)."""
    return _act(ctx, actor, case_id, service.record_inspection, body)


@router.post(
    f"{CASES}/{{case_id}}/order", response_model=CaseRead, summary="下达责令限期整改指令书"
)
def order_case(case_id: int, body: OrderInput, actor: ApiActor, ctx: Ctx) -> CaseRead:
    """Issue the rectification order with its deadline."""
    return _act(ctx, actor, case_id, service.order_rectification, body)


@router.post(f"{CASES}/{{case_id}}/reinspection", response_model=CaseRead, summary="整改复查")
def reinspect_case(case_id: int, body: ReinspectionInput, actor: ApiActor, ctx: Ctx) -> CaseRead:
    """Re-inspect: issue the 整改复查意见书; accept or return the hazards."""
    return _act(ctx, actor, case_id, service.reinspect, body)


@router.post(f"{CASES}/{{case_id}}/penalty", response_model=CaseRead, summary="作出行政处罚决定")
def penalize_case(case_id: int, body: PenaltyInput, actor: ApiActor, ctx: Ctx) -> CaseRead:
    """Issue the 行政处罚决定书 with the fine."""
    return _act(ctx, actor, case_id, service.decide_penalty, body)


@router.post(f"{CASES}/{{case_id}}/close", response_model=CaseRead, summary="结案")
def close_case(case_id: int, actor: ApiActor, ctx: Ctx) -> CaseRead:
    """Close a case that needs nothing more."""
    with ctx.uow(actor) as uow:
        service.close_case(uow, case_id)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_case(session, actor, case_id)


def docx_response(doc_type: str, number: str, content: dict[str, object]) -> Response:
    """Return a .docx download response for an issued document."""
    data = render_docx(doc_type, dict(content))
    filename = f"{DOC_TYPE_LABELS[DocType(doc_type)]}-{number}.docx"
    return Response(
        data,
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.get(
    "/api/v1/inspection-documents/{document_id}/docx",
    summary="下载执法文书（.docx）",
    response_class=Response,
    responses={200: {"content": {DOCX: {}}}},
)
def download_document(document_id: int, actor: ApiActor, session: ReadSession) -> Response:
    """Return an issued document as .docx (404 outside the actor's scope)."""
    doc = queries.get_document(session, actor, document_id)
    return docx_response(doc.doc_type, doc.number, doc.content)


@router.get(
    "/api/v1/inspection-stats",
    response_model=IntensityRead,
    summary="执法“三个强度”月度统计与排名",
)
def intensity_stats(
    actor: ApiActor, ctx: Ctx, session: ReadSession, month: str = Query(pattern=r"^\d{4}-\d{2}$")
) -> IntensityRead:
    """Return the month's inspections, problems found and fines per township and department."""
    return queries.intensity(
        session,
        actor,
        month,
        district_code=ctx.settings.district_code,
        timezone=inspection_config(ctx).timezone,
    )


routers = [router]
