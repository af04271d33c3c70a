"""Plan endpoints: library, plan detail, drafts and publication, matching, activation, tasks,
drills, evaluations and the spreadsheet import of a plan's structure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from yingji.core import files
from yingji.core.actor import Actor
from yingji.core.errors import NotFound, invalid
from yingji.core.excel import MAX_UPLOAD_BYTES
from yingji.core.web.context import AppContext
from yingji.core.web.files import file_response
from yingji.plans import imports, queries, service
from yingji.plans.rules import Situation
from yingji.plans.schemas import (
    ActivationIn,
    DrillIn,
    EvaluationIn,
    PlanCreate,
    PlanMatch,
    SituationIn,
    TaskActionIn,
    TaskRead,
    VersionIn,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/plans"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(tags=["应急预案"])


def _detail(ctx: AppContext, actor: Actor, plan_id: int) -> dict[str, Any]:
    with ctx.session_factory() as session:
        return queries.plan_detail(session, actor, plan_id, ctx.clock.now().date())


@router.get(BASE, summary="预案库（含评估、演练到期提示）")
def list_plans(actor: ApiActor, ctx: Ctx, session: ReadSession) -> list[dict[str, Any]]:
    """Return the visible plans with evaluation and drill due dates and overdue flags."""
    return queries.list_plans(session, actor, ctx.clock.now().date())


@router.post(BASE, status_code=201, summary="新建预案（含第一版草稿结构）")
def create_plan(body: PlanCreate, actor: ApiActor, ctx: Ctx) -> dict[str, Any]:
    """Create a plan with a draft version holding its levels and task templates."""
    with ctx.uow(actor) as uow:
        plan_id = service.create_plan(uow, body, district_code=ctx.settings.district_code)
        uow.commit()
    return _detail(ctx, actor, plan_id)


@router.get(BASE + "/structure-template.xlsx", summary="预案结构导入模板")
def structure_template() -> Response:
    """Return the spreadsheet template for a plan's levels and task templates."""
    return Response(imports.template_workbook(), media_type=XLSX)


@router.get(BASE + "/{plan_id}", summary="预案详情")
def get_plan(plan_id: int, actor: ApiActor, ctx: Ctx) -> dict[str, Any]:
    """Return the plan, its versions, current and draft structure, drills and flags."""
    return _detail(ctx, actor, plan_id)


@router.put(BASE + "/{plan_id}/draft", summary="保存草稿版本结构")
def save_draft(plan_id: int, body: VersionIn, actor: ApiActor, ctx: Ctx) -> dict[str, Any]:
    """Replace the draft's levels and templates (a published version is never changed)."""
    with ctx.uow(actor) as uow:
        service.save_draft(uow, plan_id, body)
        uow.commit()
    return _detail(ctx, actor, plan_id)


@router.post(BASE + "/{plan_id}/draft/import", summary="从表格导入草稿版本结构")
async def import_structure(
    plan_id: int, actor: ApiActor, ctx: Ctx, file: UploadFile = File(...)
) -> dict[str, Any]:
    """Read levels and task templates from the spreadsheet into the draft (all or nothing)."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    with ctx.uow(actor) as uow:
        version = imports.parse_structure(uow.session, content)
        service.save_draft(uow, plan_id, version)
        uow.commit()
    return _detail(ctx, actor, plan_id)


@router.post(BASE + "/{plan_id}/publish", summary="发布草稿版本")
def publish(plan_id: int, actor: ApiActor, ctx: Ctx) -> dict[str, Any]:
    """Publish the draft: it becomes the current, immutable version."""
    with ctx.uow(actor) as uow:
        service.publish_version(uow, plan_id)
        uow.commit()
    return _detail(ctx, actor, plan_id)


@router.post(BASE + "/match", response_model=list[PlanMatch], summary="按事件情况匹配预案")
def match(body: SituationIn, actor: ApiActor, session: ReadSession) -> list[PlanMatch]:
    """Rank the published plans a situation meets, each with its level and reasons."""
    situation = Situation(**body.model_dump())
    return queries.match_plans(session, actor, situation)


@router.post(
    BASE + "/{plan_id}/activations", status_code=201, summary="启动预案（按响应等级生成任务）"
)
def activate(plan_id: int, body: ActivationIn, actor: ApiActor, ctx: Ctx) -> dict[str, Any]:
    """Start the plan at a level (the caller confirms); return the activation and its tasks."""
    with ctx.uow(actor) as uow:
        activation_id = service.activate_plan(uow, plan_id, body)
        uow.commit()
    with ctx.session_factory() as session:
        tasks = queries.list_tasks(session, actor, ctx.clock.now(), activation_id=activation_id)
    return {"id": activation_id, "tasks": [t.model_dump(mode="json") for t in tasks]}


@router.get("/api/v1/plan-tasks", response_model=list[TaskRead], summary="预案任务")
def list_tasks(
    actor: ApiActor,
    ctx: Ctx,
    session: ReadSession,
    incident_id: int | None = None,
    activation_id: int | None = None,
) -> list[TaskRead]:
    """Return the tasks assigned to the actor's department or role (all for the command post)."""
    return queries.list_tasks(
        session, actor, ctx.clock.now(), incident_id=incident_id, activation_id=activation_id
    )


@router.get("/api/v1/plan-tasks/{task_id}", response_model=TaskRead, summary="任务详情与过程")
def get_task(task_id: int, actor: ApiActor, ctx: Ctx, session: ReadSession) -> TaskRead:
    """Return one task with its history."""
    task = queries.get_task_row(session, actor, task_id)
    (read,) = [
        t
        for t in queries.list_tasks(
            session, actor, ctx.clock.now(), activation_id=task.activation_id, with_history=True
        )
        if t.id == task_id
    ]
    return read


def store_task_photo(ctx: AppContext, actor: Actor, task_id: int, upload: UploadFile) -> str:
    """Store a feedback photo for a task the actor sees; return its storage key.

    404 before anything is stored when the task is not the actor's; 422 (``file``) for a type
    other than JPEG/PNG/WebP/HEIC (by its bytes), an empty file or one over the limit. The upload
    is audited against the task; the photo joins the task when an action names it.
    """
    with ctx.session_factory() as session:
        queries.get_task_row(session, actor, task_id)
    try:
        key = files.store(
            ctx.storage,
            upload.file,
            allowed=service.PHOTO_MIMES,
            limit=ctx.settings.upload_max_bytes,
        )
    except files.UploadRefused as exc:
        raise invalid("file", str(exc)) from None
    with ctx.uow(actor) as uow:
        service.record_task_photo(uow, task_id, key)
        uow.commit()
    return key


@router.post("/api/v1/plan-tasks/{task_id}/photos", status_code=201, summary="上传任务反馈照片")
def upload_task_photo(
    task_id: int, actor: ApiActor, ctx: Ctx, file: UploadFile = File(...)
) -> dict[str, str]:
    """Store a photo (JPEG, PNG or WebP, ≤ 10 MB) to send as a task action's ``photo_key``."""
    return {"key": store_task_photo(ctx, actor, task_id, file)}


@router.get("/api/v1/plan-tasks/{task_id}/photos/{key}", summary="查看任务反馈照片")
def get_task_photo(
    task_id: int, key: str, actor: ApiActor, ctx: Ctx, session: ReadSession
) -> Response:
    """Return a photo of a task the actor sees, if one of the task's actions carries it."""
    if key not in queries.task_photo_keys(session, actor, task_id):
        raise NotFound("照片不存在")
    try:
        data = ctx.storage.get(key)
    except KeyError:
        raise NotFound("照片不存在") from None
    return file_response(data, key)


@router.post(
    "/api/v1/plan-tasks/{task_id}/{action}",
    response_model=TaskRead,
    summary="任务操作：read 已读 / acknowledge 接收 / feedback 反馈 / complete 完成 / return 退回",
)
def act(task_id: int, action: str, body: TaskActionIn, actor: ApiActor, ctx: Ctx) -> TaskRead:
    """Apply a task action; an illegal one is 409 with the reason.

    ``photo_key`` must come from ``POST /api/v1/plan-tasks/{task_id}/photos`` (422 otherwise).
    """
    with ctx.uow(actor) as uow:
        service.act_on_task(uow, task_id, action, body, storage=ctx.storage)
        uow.commit()
    with ctx.session_factory() as session:
        return get_task(task_id, actor, ctx, session)


@router.post(BASE + "/{plan_id}/drills", status_code=201, summary="登记演练")
def record_drill(plan_id: int, body: DrillIn, actor: ApiActor, ctx: Ctx) -> dict[str, Any]:
    """Record a drill against the plan."""
    with ctx.uow(actor) as uow:
        service.record_drill(uow, plan_id, body)
        uow.commit()
    return _detail(ctx, actor, plan_id)


@router.post(BASE + "/{plan_id}/evaluations", summary="登记预案评估")
def record_evaluation(
    plan_id: int, body: EvaluationIn, actor: ApiActor, ctx: Ctx
) -> dict[str, Any]:
    """Record that the plan was evaluated on a date."""
    with ctx.uow(actor) as uow:
        service.record_evaluation(uow, plan_id, body)
        uow.commit()
    return _detail(ctx, actor, plan_id)


routers = [router]
