"""Pages: the plan library (with drill/evaluation flags), a plan's structure and history with
activation, and the task board where departments read, acknowledge, report back and finish."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from yingji.accounts.deps import page_actor
from yingji.accounts.pages import checked_form, render_page
from yingji.core.actor import Actor
from yingji.core.errors import Conflict, FieldError, ValidationFailed
from yingji.core.web.context import AppContext, get_context
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.core.web.templates import register_templates
from yingji.plans import queries, service
from yingji.plans.rules import KIND_LABELS, LEVEL_LABELS, TASK_ACTION_LABELS
from yingji.plans.schemas import ActivationIn, TaskActionIn

register_templates("plans", "yingji.plans")
router = APIRouter(include_in_schema=False)
LIBRARY = "/plans"
TASKS = "/plan-tasks"
_ACTIVATORS = frozenset(r.value for r in service.ACTIVATORS)


def library(
    request: Request, actor: Actor = Depends(page_actor), ctx: AppContext = Depends(get_context)
) -> Response:
    """Show the plans the user may see, flagging overdue evaluations and drills."""
    with ctx.session_factory() as session:
        plans = queries.list_plans(session, actor, ctx.clock.now().date())
    return render_page(request, actor, "plans/library.html", {"title": "应急预案", "plans": plans})


def plan_page(
    plan_id: int,
    request: Request,
    actor: Actor = Depends(page_actor),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Show a plan's current structure, versions, drills and the activation form."""
    return _plan_page(plan_id, request, actor, ctx, [])


def _plan_page(
    plan_id: int, request: Request, actor: Actor, ctx: AppContext, errors: list[FieldError]
) -> Response:
    with ctx.session_factory() as session:
        detail = queries.plan_detail(session, actor, plan_id, ctx.clock.now().date())
        plan = queries.get_plan_row(session, actor, plan_id)
        editable = service.can_edit(actor, plan)
    context = {
        "title": detail["name"],
        "plan": detail,
        "kinds": KIND_LABELS,
        "levels": LEVEL_LABELS,
        "can_activate": actor.role in _ACTIVATORS and detail["current"] is not None,
        "can_edit": editable,
        "errors": errors or [],
    }
    return render_page(request, actor, "plans/plan.html", context, 422 if errors else 200)


def activate(
    plan_id: int,
    request: Request,
    actor: Actor = Depends(page_actor),
    form: FormData = Depends(checked_form),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Start the plan at the chosen level (the signed-in user confirms it)."""
    errors: list[FieldError] = []
    try:
        incident = str(form.get("incident_id") or "").strip()
        body = ActivationIn(
            level=int(str(form.get("level") or "0")),
            incident_id=int(incident) if incident.isdigit() else None,
            cause=None if incident.isdigit() else (str(form.get("cause") or "") or None),
            reason=str(form.get("reason") or ""),
        )
        with ctx.uow(actor) as uow:
            service.activate_plan(uow, plan_id, body)
            uow.commit()
    except (ValueError, ValidationFailed, Conflict) as exc:
        if isinstance(exc, ValidationFailed):
            errors = list(exc.errors)
        elif isinstance(exc, Conflict):
            errors = [FieldError("level", exc.detail)]
        else:
            errors = [FieldError("level", "请选择响应等级并填写事件编号或启动原因")]
        return _plan_page(plan_id, request, actor, ctx, errors)
    flash(request, "预案已启动，任务已下达")
    return RedirectResponse(TASKS, status_code=303)


def task_board(
    request: Request, actor: Actor = Depends(page_actor), ctx: AppContext = Depends(get_context)
) -> Response:
    """Show the user's tasks (overdue first) with the actions each allows."""
    with ctx.session_factory() as session:
        tasks = queries.list_tasks(session, actor, ctx.clock.now(), with_history=True)
    context = {"title": "预案任务", "tasks": tasks, "actions": TASK_ACTION_LABELS}
    return render_page(request, actor, "plans/tasks.html", context)


def task_action(
    task_id: int,
    action: str,
    request: Request,
    actor: Actor = Depends(page_actor),
    form: FormData = Depends(checked_form),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Apply a task action from the board; a refused one is flashed with its reason."""
    body = TaskActionIn(text=str(form.get("text") or ""))
    try:
        with ctx.uow(actor) as uow:
            state = service.act_on_task(uow, task_id, action, body)
            uow.commit()
    except (Conflict, ValidationFailed) as exc:
        detail = "；".join(e.reason for e in exc.errors) if exc.errors else exc.detail
        flash(request, detail, "error")
    else:
        flash(request, f"任务已{TASK_ACTION_LABELS.get(action, action)}（{state}）")
    return RedirectResponse(TASKS, status_code=303)


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("response", title, url))


router.add_api_route(LIBRARY, _nav(library, "应急预案", LIBRARY), methods=["GET"])
router.add_api_route(LIBRARY + "/{plan_id}", plan_page, methods=["GET"])
router.add_api_route(LIBRARY + "/{plan_id}/activate", activate, methods=["POST"])
router.add_api_route(TASKS, _nav(task_board, "预案任务", TASKS), methods=["GET"])
router.add_api_route(TASKS + "/{task_id}/{action}", task_action, methods=["POST"])

routers = [router]
