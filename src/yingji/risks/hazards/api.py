"""Hazard endpoints under /api/v1/hazards: report, list, detail, actions, photos, statistics.

Reads and writes are scoped by the actor (a hazard outside the scope is 404). Role rules and
refusal codes are documented in ``service``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile

from yingji.core import files
from yingji.core.actor import Actor
from yingji.core.clock import local_today
from yingji.core.errors import NotFound, invalid
from yingji.core.pagination import Page, PageParams
from yingji.core.web.context import AppContext
from yingji.core.web.files import file_response
from yingji.risks.hazards import queries, service
from yingji.risks.hazards.queries import get_hazard_row
from yingji.risks.hazards.rules import config_from_settings
from yingji.risks.hazards.schemas import (
    DeadlineChange,
    HazardActionRequest,
    HazardFilters,
    HazardRead,
    HazardReport,
    HazardStatistics,
    PhotoRead,
    RectificationPlan,
    SupervisionRequest,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/hazards"
router = APIRouter(tags=["隐患排查治理"])


def _today(ctx: AppContext) -> date:
    return local_today(ctx.settings.timezone, ctx.clock.now())


def _check_photos(ctx: AppContext, keys: list[str]) -> None:
    # Only photos uploaded through this platform may be referenced.
    for index, key in enumerate(keys):
        try:
            ctx.storage.get(key)
        except KeyError:
            raise invalid(f"photo_keys.{index}", f"照片 {key} 不存在，请先上传") from None


def _detail(ctx: AppContext, actor: Actor, hazard_id: int) -> HazardRead:
    with ctx.session_factory() as session:
        read = queries.get_hazard(session, actor, hazard_id, today=_today(ctx))
        row = get_hazard_row(session, actor, hazard_id)
        read.available_actions = service.available_actions(actor, row)
    return read


@router.post(BASE, response_model=HazardRead, status_code=201, summary="上报隐患")
def report_hazard(body: HazardReport, response: Response, actor: ApiActor, ctx: Ctx) -> HazardRead:
    """Report a hazard; the same (source, source_ref) again answers the first one."""
    _check_photos(ctx, body.photo_keys)
    with ctx.uow(actor) as uow:
        hazard_id = service.report_hazard(uow, body)
        uow.commit()
    response.headers["Location"] = f"{BASE}/{hazard_id}"
    return _detail(ctx, actor, hazard_id)


@router.get(BASE, response_model=Page[HazardRead], summary="隐患列表（逾期在前）")
def list_hazards(
    filters: Annotated[HazardFilters, Query()],
    actor: ApiActor,
    ctx: Ctx,
    session: ReadSession,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Page[HazardRead]:
    """List visible hazards with filters: state, level, overdue, division, enterprise."""
    params = PageParams(page=page, size=size)
    return queries.page_hazards(session, actor, params, filters, today=_today(ctx))


@router.get(f"{BASE}/statistics", response_model=HazardStatistics, summary="隐患统计")
def hazard_statistics(
    actor: ApiActor,
    ctx: Ctx,
    session: ReadSession,
    by: Literal["township", "industry", "department"] = "township",
    date_from: date | None = None,
    date_to: date | None = None,
) -> HazardStatistics:
    """Found, closed, open, overdue and 整改率 by township, industry or department."""
    return queries.hazard_statistics(
        session,
        actor,
        by,
        date_from=date_from,
        date_to=date_to,
        today=_today(ctx),
        timezone=ctx.settings.timezone,
    )


@router.get(f"{BASE}/{{hazard_id}}", response_model=HazardRead, summary="隐患详情（含流转记录）")
def hazard_detail(hazard_id: int, actor: ApiActor, ctx: Ctx) -> HazardRead:
    """Return a visible hazard, its history and the actions the caller may take."""
    return _detail(ctx, actor, hazard_id)


@router.post(
    f"{BASE}/{{hazard_id}}/actions/{{action}}",
    response_model=HazardRead,
    summary="隐患流转：confirm/reject/start/submit/accept/return/reopen",
    responses={
        409: {"description": "状态不允许该操作（附原因）"},
        422: {"description": "缺少原因或重大隐患五到位方案不全"},
    },
)
def hazard_action(
    hazard_id: int, action: str, actor: ApiActor, ctx: Ctx, body: HazardActionRequest | None = None
) -> HazardRead:
    """Take one action on a hazard."""
    if body is not None:
        _check_photos(ctx, body.photo_keys)
    with ctx.uow(actor) as uow:
        service.take_action(
            uow,
            hazard_id,
            action,
            body,
            config=config_from_settings(ctx.settings),
            timezone=ctx.settings.timezone,
        )
        uow.commit()
    return _detail(ctx, actor, hazard_id)


@router.put(
    f"{BASE}/{{hazard_id}}/plan", response_model=HazardRead, summary="填写整改方案（五到位）"
)
def put_plan(hazard_id: int, body: RectificationPlan, actor: ApiActor, ctx: Ctx) -> HazardRead:
    """Record the hazard's treatment plan."""
    with ctx.uow(actor) as uow:
        service.set_plan(uow, hazard_id, body)
        uow.commit()
    return _detail(ctx, actor, hazard_id)


@router.post(f"{BASE}/{{hazard_id}}/deadline", response_model=HazardRead, summary="调整整改期限")
def post_deadline(hazard_id: int, body: DeadlineChange, actor: ApiActor, ctx: Ctx) -> HazardRead:
    """Set a new deadline (the overdue escalation may fire again for it)."""
    with ctx.uow(actor) as uow:
        service.change_deadline(uow, hazard_id, body.deadline, reason=body.reason)
        uow.commit()
    return _detail(ctx, actor, hazard_id)


@router.post(f"{BASE}/{{hazard_id}}/supervision", response_model=HazardRead, summary="挂牌督办")
def post_supervision(
    hazard_id: int, body: SupervisionRequest, actor: ApiActor, ctx: Ctx
) -> HazardRead:
    """Put a major hazard under 挂牌督办 with its supervising department."""
    with ctx.uow(actor) as uow:
        service.supervise_hazard(uow, hazard_id, department_id=body.department_id, note=body.note)
        uow.commit()
    return _detail(ctx, actor, hazard_id)


def store_upload(ctx: AppContext, upload: UploadFile) -> str:
    """Store an uploaded photo or PDF, typed by its bytes; 422 (``file``) when refused."""
    try:
        return files.store(
            ctx.storage,
            upload.file,
            allowed=files.PHOTO_OR_PDF_TYPES,
            limit=ctx.settings.upload_max_bytes,
        )
    except files.UploadRefused as exc:
        raise invalid("file", str(exc)) from None


@router.post(
    f"{BASE}/{{hazard_id}}/photos",
    response_model=PhotoRead,
    status_code=201,
    summary="上传隐患照片",
)
def upload_photo(
    hazard_id: int, actor: ApiActor, ctx: Ctx, file: UploadFile = File(...)
) -> PhotoRead:
    """Store a photo and attach it to the hazard (JPEG, PNG, WebP, HEIC or PDF, ≤ 10 MB)."""
    with ctx.session_factory() as session:
        get_hazard_row(session, actor, hazard_id)  # 404 before anything is stored
    key = store_upload(ctx, file)
    with ctx.uow(actor) as uow:
        service.add_photo(uow, hazard_id, key)
        uow.commit()
    return PhotoRead(key=key, hazard_id=hazard_id)


@router.post(
    f"{BASE}/photos", response_model=PhotoRead, status_code=201, summary="上传照片（随流转提交）"
)
def upload_loose_photo(actor: ApiActor, ctx: Ctx, file: UploadFile = File(...)) -> PhotoRead:
    """Store a photo to send in a report's or an action's ``photo_keys``."""
    return PhotoRead(key=store_upload(ctx, file))


@router.get(f"{BASE}/{{hazard_id}}/photos/{{key}}", summary="查看隐患照片")
def get_photo(
    hazard_id: int, key: str, actor: ApiActor, ctx: Ctx, session: ReadSession
) -> Response:
    """Return a photo of a visible hazard (its own or one of its transitions')."""
    read = queries.get_hazard(session, actor, hazard_id)
    keys = set(read.photo_keys) | {k for t in read.transitions for k in t.photo_keys}
    if key not in keys:
        raise NotFound("照片不存在")
    try:
        data = ctx.storage.get(key)
    except KeyError:
        raise NotFound("照片不存在") from None
    return file_response(data, key)


routers = [router]
