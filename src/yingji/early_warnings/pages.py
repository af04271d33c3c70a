"""Warning pages: the list, the composer (map + live recipient preview), the approval queue,
and the detail page with CAP downloads and the delivery / acknowledgement dashboard.

The pages read through the same scoped queries and write through the same audited service
as the JSON API, so a township officer composes here only for their own township.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import has_role
from yingji.core.actor import Actor
from yingji.core.clock import local_now, parse_local
from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.early_warnings import dissemination, queries, service
from yingji.early_warnings.rules import (
    ACTION_LABELS,
    APPROVER_ROLES,
    CHANNELS,
    COMPOSER_ROLES,
    LEVEL_LABELS,
    MACHINE,
    SIGNAL_TYPES,
    STATE_LABELS,
    WarningState,
    load_profile,
)
from yingji.early_warnings.schemas import WarningCreate
from yingji.geo.queries import division_names
from yingji.registry.page_parts import division_choices
from yingji.web import actions
from yingji.web.deps import CheckedForm, Ctx, PageActor

router = APIRouter(include_in_schema=False)

LIST = "/warnings"
NEW = "/warnings/new"
QUEUE = "/warnings/queue"
_READERS = frozenset(COMPOSER_ROLES | APPROVER_ROLES | {"grid_member", "inspector"})
LEVEL_BADGES = {
    "blue": "badge-blue",
    "yellow": "badge-yellow",
    "orange": "badge-orange",
    "red": "badge-red",
}
STATE_BADGES = {
    "draft": "badge-gray",
    "submitted": "badge-yellow",
    "approved": "badge-blue",
    "published": "badge-red",
    "lifted": "badge-green",
}
_ACTIONS = ("submit", "approve", "reject", "publish", "lift")


def _common(request: Request) -> dict[str, Any]:
    return {
        "level_labels": LEVEL_LABELS,
        "level_badges": LEVEL_BADGES,
        "state_labels": STATE_LABELS,
        "state_badges": STATE_BADGES,
        "channels": CHANNELS,
        "signals": SIGNAL_TYPES,
    }


def list_page(request: Request, actor: PageActor, ctx: Ctx, state: str | None = None) -> Response:
    """Show the warnings the actor may see, by state."""
    state = state if state in STATE_LABELS else None
    with ctx.session_factory() as session:
        items, total = queries.list_warnings(session, actor, state=state, limit=100)
        counts = queries.state_counts(session, actor)
    context = {
        **_common(request),
        "title": "预警发布",
        "items": items,
        "total": total,
        "state": state,
        "counts": counts,
        "states": [str(s) for s in WarningState],
        "can_compose": has_role(actor, COMPOSER_ROLES),
    }
    return render_page(request, actor, "early_warnings/list.html", context)


def queue_page(request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the approval queue: submitted warnings to approve, approved ones to publish."""
    with ctx.session_factory() as session:
        items = queries.approval_queue(session, actor)
    context = {
        **_common(request),
        "title": "预警审批",
        "items": items,
        "may_approve": has_role(actor, APPROVER_ROLES),
        "user_id": actor.user_id,
    }
    return render_page(request, actor, "early_warnings/queue.html", context)


def _composer(
    request: Request,
    actor: Actor,
    ctx: AppContext,
    values: dict[str, Any],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Response:
    with ctx.session_factory() as session:
        divisions = division_choices(session, actor, ("township", "village"))
    settings = ctx.settings
    context = {
        **_common(request),
        "title": "编制预警",
        "values": values,
        "errors": {e.field: e.reason for e in errors or []},
        "general": [e.reason for e in errors or [] if e.field not in _FORM_FIELDS],
        "divisions": divisions,
        "tiles": getattr(settings, "map_tiles_url", "") or "",
        "center": getattr(settings, "map_center", "") or "",
    }
    return render_page(request, actor, "early_warnings/compose.html", context, status)


_FORM_FIELDS = (
    "title",
    "signal",
    "level",
    "division_codes",
    "polygon",
    "starts_at",
    "ends_at",
    "description",
    "measures",
    "contact",
    "channels",
)


def new_form(request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the composer."""
    now = local_now(ctx.clock, ctx.settings.timezone).replace(second=0, microsecond=0)
    values = {
        "signal": "rainstorm",
        "level": "blue",
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"),
        "channels": ["sms", "in_app"],
        "division_codes": [],
        "polygon": "",
        "contact": "",
    }
    return _composer(request, actor, ctx, values)


def _form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in _FORM_FIELDS}
    values["division_codes"] = [str(v) for v in form.getlist("division_codes") if v]
    values["channels"] = [str(v) for v in form.getlist("channels") if v]
    return values


def create(request: Request, form: CheckedForm, actor: PageActor, ctx: Ctx) -> Response:
    """Create a draft from the composer; on errors show the form again with the reasons."""
    values = _form_values(form)
    try:
        polygon = json.loads(values["polygon"]) if values["polygon"] else None
    except json.JSONDecodeError:
        return _composer(
            request, actor, ctx, values, [FieldError("polygon", "多边形数据无效")], 422
        )
    tz = ctx.settings.timezone
    try:
        data = WarningCreate(
            title=values["title"],
            signal=values["signal"],
            level=values["level"],
            division_codes=values["division_codes"],
            polygon=polygon,
            starts_at=parse_local(values["starts_at"], tz) or values["starts_at"],
            ends_at=parse_local(values["ends_at"], tz) or values["ends_at"],
            description=values["description"],
            measures=values["measures"],
            contact=values["contact"],
            channels=values["channels"],
        )
    except ValidationError as exc:
        errors = [FieldError(str(e["loc"][0]) if e["loc"] else "", e["msg"]) for e in exc.errors()]
        return _composer(request, actor, ctx, values, errors, 422)
    try:
        with ctx.uow(actor) as uow:
            warning_id = service.compose_warning(uow, data, profile=load_profile(ctx.settings))
            uow.commit()
    except ValidationFailed as exc:
        return _composer(request, actor, ctx, values, exc.errors, 422)
    flash(request, "预警草稿已保存")
    return RedirectResponse(f"{LIST}/{warning_id}", status_code=303)


def detail_page(warning_id: int, request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show a warning, its CAP messages, history and delivery coverage by village."""
    with ctx.session_factory() as session:
        warning = queries.get_warning(session, actor, warning_id)
        coverage = None
        village_names: dict[str, str] = {}
        if warning.messages and warning.origin == "local":
            coverage = dissemination.coverage(session, warning_id, 1, actor=actor)
            village_names = division_names(session, list(coverage.by_village))
    actions = [
        (a, ACTION_LABELS[a])
        for a in _ACTIONS
        if MACHINE.find(warning.state, a) is not None
        and (
            (a == "submit" and has_role(actor, COMPOSER_ROLES))
            or (a != "submit" and has_role(actor, APPROVER_ROLES))
        )
        and (warning.origin == "local")
        and not (a == "approve" and warning.submitted_by == actor.user_id)
    ]
    context = {
        **_common(request),
        "title": warning.title,
        "w": warning,
        "coverage": coverage,
        "village_names": village_names,
        "actions": actions,
        "polygon_json": json.dumps(warning.polygon) if warning.polygon else "",
        "tiles": getattr(ctx.settings, "map_tiles_url", "") or "",
    }
    return render_page(request, actor, "early_warnings/detail.html", context)


def act(
    warning_id: int, action: str, request: Request, form: CheckedForm, actor: PageActor, ctx: Ctx
) -> Response:
    """Run a workflow action from a button; the result (or the refusal) is flashed."""
    reason = str(form.get("reason") or "").strip()
    target = str(form.get("next") or f"{LIST}/{warning_id}")
    if not target.startswith("/warnings"):
        target = f"{LIST}/{warning_id}"
    profile = load_profile(ctx.settings)
    writes: dict[str, Callable[[UnitOfWork], object]] = {
        "submit": lambda uow: service.submit_warning(uow, warning_id, reason=reason),
        "approve": lambda uow: service.approve_warning(uow, warning_id, reason=reason),
        "reject": lambda uow: service.reject_warning(uow, warning_id, reason=reason),
        "publish": lambda uow: service.publish_warning(
            uow, warning_id, profile=profile, reason=reason
        ),
        "lift": lambda uow: service.lift_warning(uow, warning_id, reason=reason, profile=profile),
    }
    write = writes.get(action)
    if write is None:
        return Response("未知操作", status_code=404)
    label = ACTION_LABELS.get(action, action)
    return actions.act(
        request,
        ctx,
        actor,
        write,
        done=f"已{label}",
        back=target,
        refusal=lambda exc: f"{label}失败：{actions.reasons_or_detail(exc)}",
    )


def _nav(endpoint: Any, title: str, url: str, roles: frozenset[str]) -> Any:
    return mark_nav(endpoint, NavEntry("monitoring", title, url, roles))


router.add_api_route(LIST, _nav(list_page, "预警发布", LIST, _READERS), methods=["GET"])
router.add_api_route(
    QUEUE,
    _nav(queue_page, "预警审批", QUEUE, APPROVER_ROLES | {"township_officer"}),
    methods=["GET"],
)
router.add_api_route(NEW, new_form, methods=["GET"])
router.add_api_route(NEW, create, methods=["POST"])
router.add_api_route(LIST + "/{warning_id}", detail_page, methods=["GET"])
router.add_api_route(LIST + "/{warning_id}/{action}", act, methods=["POST"])

routers = [router]
