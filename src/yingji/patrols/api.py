"""Patrol endpoints: grid patrols, grid reports, photo upload, and public reports (举报).

``POST /api/v1/public-reports`` and the tracking lookup need no sign-in: the public uses
them. They are limited per client address (counted in the database, so every replica sees
the same count). Everything else acts for a signed-in user and is scoped by jurisdiction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response, UploadFile

from yingji.accounts.api import client_address
from yingji.accounts.schemas import require_role
from yingji.core import files
from yingji.core.actor import system_actor
from yingji.core.clock import local_today
from yingji.core.errors import invalid
from yingji.core.pagination import Page, PageParams
from yingji.core.web.context import AppContext
from yingji.patrols import queries, service
from yingji.patrols.rules import (
    DEFAULT_REPORT_CONFIG,
    GRID_REPORTERS,
    PATROLLERS,
    PublicReportConfig,
    ReportAction,
    normalise_tracking_code,
)
from yingji.patrols.schemas import (
    CheckCreate,
    CheckRead,
    CoverageRead,
    GridReportCreate,
    GridReportRead,
    PatrolDetail,
    PatrolFinish,
    PatrolRead,
    PatrolStart,
    PublicReportCreate,
    PublicReportFilters,
    PublicReportRead,
    PublicReportReceipt,
    PublicReportStatus,
    ReportDecision,
    ReportReply,
    RewardGrant,
    RewardPayment,
    TrackBatch,
    TrackUploadRead,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

router = APIRouter(prefix="/api/v1", tags=["网格巡查与举报"])
public_router = APIRouter(prefix="/api/v1", tags=["公众举报（无需登录）"])


def report_config(ctx: AppContext) -> PublicReportConfig:
    """Return the deployment's public-report limits (national defaults unless set)."""
    settings = ctx.settings
    base = DEFAULT_REPORT_CONFIG
    return PublicReportConfig(
        per_client_per_hour=int(
            getattr(settings, "public_report_per_hour", base.per_client_per_hour)
        ),
        per_client_per_day=int(getattr(settings, "public_report_per_day", base.per_client_per_day)),
        dedupe_radius_m=float(
            getattr(settings, "public_report_dedupe_radius_m", base.dedupe_radius_m)
        ),
        max_reward_yuan=base.max_reward_yuan,
    )


def client_hash(request: Request, ctx: AppContext) -> str:
    """Return the keyed hash of the request's client address (rate limit key)."""
    return service.client_fingerprint(client_address(request), str(ctx.settings.secret_key))


# --- patrols -----------------------------------------------------------------------------------


@router.post("/patrols", response_model=PatrolRead, status_code=201, summary="开始巡查")
def start_patrol(body: PatrolStart, actor: ApiActor, ctx: Ctx) -> PatrolRead:
    """Start a patrol of the member's grid."""
    with ctx.uow(actor) as uow:
        read = service.start_patrol(uow, body)
        uow.commit()
    return read


@router.get("/patrols", response_model=Page[PatrolRead], summary="巡查记录")
def list_patrols(
    actor: ApiActor,
    session: ReadSession,
    params: PageParams = Depends(),
    division_code: str | None = None,
    patroller_id: int | None = None,
    state: str | None = None,
) -> Page[PatrolRead]:
    """List visible patrols, newest first."""
    return queries.page_patrols(
        session,
        actor,
        params,
        division_code=division_code,
        patroller_id=patroller_id,
        state=state,
    )


@router.get("/patrols/coverage", response_model=CoverageRead, summary="网格巡查覆盖情况（按日）")
def patrol_coverage(
    actor: ApiActor,
    ctx: Ctx,
    session: ReadSession,
    day: date | None = None,
    division_code: str | None = None,
) -> CoverageRead:
    """Return per grid (or village) in scope whether and how it was patrolled on ``day``."""
    return queries.coverage(
        session,
        actor,
        day or local_today(ctx.settings.timezone, ctx.clock.now()),
        timezone=ctx.settings.timezone,
        division_code=division_code,
    )


@router.get("/patrols/{patrol_id}", response_model=PatrolDetail, summary="巡查详情（含轨迹）")
def get_patrol(patrol_id: int, actor: ApiActor, session: ReadSession) -> PatrolDetail:
    """Return a visible patrol with its checks and track."""
    return queries.get_patrol(session, actor, patrol_id)


@router.post(
    "/patrols/{patrol_id}/track-points",
    response_model=TrackUploadRead,
    summary="批量上传巡查轨迹点（重复点自动忽略）",
)
def upload_track(patrol_id: int, body: TrackBatch, actor: ApiActor, ctx: Ctx) -> TrackUploadRead:
    """Add positions to the member's patrol under way."""
    with ctx.uow(actor) as uow:
        read = service.upload_track(uow, patrol_id, body)
        uow.commit()
    return read


@router.post(
    "/patrols/{patrol_id}/checks", response_model=CheckRead, status_code=201, summary="登记检查项"
)
def record_check(patrol_id: int, body: CheckCreate, actor: ApiActor, ctx: Ctx) -> CheckRead:
    """Record a check (normal or anomaly) on the member's patrol under way."""
    with ctx.uow(actor) as uow:
        read = service.record_check(uow, patrol_id, body)
        uow.commit()
    return read


@router.post("/patrols/{patrol_id}/finish", response_model=PatrolRead, summary="结束巡查")
def finish_patrol(patrol_id: int, body: PatrolFinish, actor: ApiActor, ctx: Ctx) -> PatrolRead:
    """Finish the member's patrol under way."""
    with ctx.uow(actor) as uow:
        read = service.finish_patrol(uow, patrol_id, body)
        uow.commit()
    return read


@router.post("/patrol-photos", status_code=201, summary="上传巡查/上报照片")
def upload_photo(file: UploadFile, actor: ApiActor, ctx: Ctx) -> dict[str, Any]:
    """Store a photo for a check or a grid report; return its key."""
    allowed = {r.value for r in PATROLLERS | GRID_REPORTERS}
    require_role(actor, allowed, "无权上传巡查照片")
    try:
        key = files.store(
            ctx.storage,
            file.file,
            allowed=files.PHOTO_OR_PDF_TYPES,
            limit=ctx.settings.upload_max_bytes,
        )
    except files.UploadRefused as exc:
        raise invalid("file", str(exc)) from None
    return {"key": key}


# --- grid reports ------------------------------------------------------------------------------


@router.post(
    "/grid-reports",
    response_model=GridReportRead,
    status_code=201,
    summary="网格员上报隐患或事件",
)
def create_grid_report(
    body: GridReportCreate, response: Response, actor: ApiActor, ctx: Ctx
) -> GridReportRead:
    """Report a hazard (enters the hazard loop) or an event (announced) from the grid."""
    with ctx.uow(actor) as uow:
        read = service.report_from_grid(uow, body)
        uow.commit()
    response.headers["Location"] = f"/api/v1/grid-reports/{read.id}"
    return read


@router.get("/grid-reports", response_model=Page[GridReportRead], summary="网格上报记录")
def list_grid_reports(
    actor: ApiActor,
    session: ReadSession,
    params: PageParams = Depends(),
    report_type: str | None = None,
    patrol_id: int | None = None,
) -> Page[GridReportRead]:
    """List visible grid reports, newest first."""
    return queries.page_grid_reports(
        session, actor, params, report_type=report_type, patrol_id=patrol_id
    )


@router.get("/grid-reports/{report_id}", response_model=GridReportRead, summary="网格上报详情")
def get_grid_report(report_id: int, actor: ApiActor, session: ReadSession) -> GridReportRead:
    """Return a visible grid report."""
    return queries.get_grid_report(session, actor, report_id)


# --- public reports: the public side -----------------------------------------------------------


@public_router.post(
    "/public-reports",
    response_model=PublicReportReceipt,
    status_code=201,
    summary="公众举报（无需登录，可匿名；返回查询码）",
    responses={
        422: {"description": "地点不在本区，或字段无效"},
        429: {"description": "同一来源提交过于频繁"},
    },
)
def create_public_report(
    body: PublicReportCreate, request: Request, ctx: Ctx
) -> PublicReportReceipt:
    """Take a report from the public; keep the returned tracking code to follow it."""
    with ctx.uow(system_actor("public-report")) as uow:
        receipt = service.receive_public_report(
            uow, body, client_hash=client_hash(request, ctx), config=report_config(ctx)
        )
        uow.commit()
    return receipt


@public_router.get(
    "/public-reports/track",
    response_model=PublicReportStatus,
    summary="凭查询码查询举报办理进度和答复（无需登录）",
)
def track_public_report(
    session: ReadSession, code: str = Query(min_length=6, max_length=40)
) -> PublicReportStatus:
    """Return the progress and reply of the report with this tracking code."""
    return queries.track_public_report(session, normalise_tracking_code(code))


# --- public reports: the officers' side --------------------------------------------------------


@router.get("/public-reports", response_model=Page[PublicReportRead], summary="举报受理列表")
def list_public_reports(
    actor: ApiActor,
    session: ReadSession,
    params: PageParams = Depends(),
    filters: PublicReportFilters = Depends(),
) -> Page[PublicReportRead]:
    """List visible public reports, newest first."""
    return queries.page_public_reports(session, actor, params, filters)


@router.get("/public-reports/{report_id}", response_model=PublicReportRead, summary="举报详情")
def get_public_report(report_id: int, actor: ApiActor, session: ReadSession) -> PublicReportRead:
    """Return a visible public report."""
    return queries.get_public_report(session, actor, report_id)


def _decide(action: ReportAction) -> Any:
    def decide(report_id: int, body: ReportDecision, actor: ApiActor, ctx: Ctx) -> PublicReportRead:
        with ctx.uow(actor) as uow:
            read = service.decide_public_report(uow, report_id, action, body)
            uow.commit()
        return read

    decide.__doc__ = f"Record the finding of a public report ({action.value})."
    return decide


router.add_api_route(
    "/public-reports/{report_id}/verify",
    _decide(ReportAction.VERIFY),
    methods=["POST"],
    response_model=PublicReportRead,
    summary="核实属实",
)
router.add_api_route(
    "/public-reports/{report_id}/dismiss",
    _decide(ReportAction.DISMISS),
    methods=["POST"],
    response_model=PublicReportRead,
    summary="核实不属实",
)


@router.post(
    "/public-reports/{report_id}/reply", response_model=PublicReportRead, summary="答复举报人"
)
def reply_public_report(
    report_id: int, body: ReportReply, actor: ApiActor, ctx: Ctx
) -> PublicReportRead:
    """Answer a checked report (readable by the reporter with the tracking code)."""
    with ctx.uow(actor) as uow:
        read = service.reply_public_report(uow, report_id, body)
        uow.commit()
    return read


@router.post(
    "/public-reports/{report_id}/reward", response_model=PublicReportRead, summary="核定举报奖励"
)
def grant_reward(report_id: int, body: RewardGrant, actor: ApiActor, ctx: Ctx) -> PublicReportRead:
    """Set the reward of a verified report."""
    with ctx.uow(actor) as uow:
        read = service.grant_reward(uow, report_id, body, config=report_config(ctx))
        uow.commit()
    return read


@router.post(
    "/public-reports/{report_id}/reward/paid",
    response_model=PublicReportRead,
    summary="登记奖励发放",
)
def pay_reward(report_id: int, body: RewardPayment, actor: ApiActor, ctx: Ctx) -> PublicReportRead:
    """Record that a granted reward was paid."""
    with ctx.uow(actor) as uow:
        read = service.pay_reward(uow, report_id, body)
        uow.commit()
    return read


# The public router first: /public-reports/track must not be read as a report id.
routers = [public_router, router]
