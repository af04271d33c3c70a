"""Incident pages: the duty desk (值班台), the incident list, the intake form and the
incident page (map, casualties, deadlines with countdowns, tasks, reports, timeline).

Pages read through the scoped ``queries`` and write through the audited ``service``, exactly
as the JSON API does; every form carries the session's CSRF token.
"""

from __future__ import annotations

from datetime import datetime
from decimal import InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import has_role, require_role
from yingji.core.actor import Actor
from yingji.core.clock import format_local
from yingji.core.errors import DomainError, FieldError
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.duty.queries import current_shift
from yingji.incidents import queries, service
from yingji.incidents.rules import (
    CATEGORY_LABELS,
    GRADE_LABELS,
    INCIDENT_TYPES,
    REPORT_KIND_LABELS,
    REPORT_SECTIONS,
    ROLES,
    TASK_MACHINE,
    grading_from_settings,
)
from yingji.incidents.schemas import (
    CasualtyUpdate,
    IncidentCreate,
    ReportCreate,
    ReportingRuleWrite,
    ReportSend,
)
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

DESK = "/duty-desk"
LIST = "/incidents"
NEW = "/incidents/new"
_READERS = frozenset(ROLES.reporters)
_GRADE_BADGES = {
    "ordinary": "badge-blue",
    "large": "badge-yellow",
    "major": "badge-orange",
    "extraordinary": "badge-red",
}
_STATE_BADGES = {
    "pending": "badge-gray",
    "due_soon": "badge-orange",
    "overdue": "badge-red",
    "met": "badge-green",
    "met_late": "badge-yellow",
}
CASUALTY_FIELDS: tuple[tuple[str, str], ...] = (
    ("deaths", "死亡"),
    ("missing", "失踪"),
    ("trapped", "被困"),
    ("serious_injuries", "重伤"),
    ("acute_poisoning", "急性工业中毒"),
    ("injuries", "其他受伤"),
)


def _now(request: Request) -> datetime:
    ctx: AppContext = request.app.state.ctx
    return ctx.clock.now()


def _check_reader(actor: Actor) -> None:
    require_role(actor, _READERS, "无权查看突发事件")


def _common(request: Request) -> dict[str, Any]:
    return {
        "grade_badges": _GRADE_BADGES,
        "grade_labels": GRADE_LABELS,
        "state_badges": _STATE_BADGES,
        "now_ms": int(_now(request).timestamp() * 1000),
    }


# --- the duty desk ------------------------------------------------------------------------------


def _current_shift(session: Session, at: datetime) -> Any:
    return current_shift(session, at)


def desk_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show today's shift, open incidents and the reporting deadlines counting down."""
    _check_reader(actor)
    now = _now(request)
    deadlines = [
        {"incident": inc, "deadline": queries.deadline_read(d, now)}
        for inc, d in queries.open_deadlines(session, actor)
    ]
    context = {
        "title": "值班台",
        "shift": _current_shift(session, now),
        "incidents": queries.list_incidents(session, actor, status="open", limit=50),
        "deadlines": deadlines,
        "can_create": True,
        **_common(request),
    }
    return render_page(request, actor, "incidents/desk.html", context)


def list_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """List the incidents the user may see (optionally only open or closed ones)."""
    _check_reader(actor)
    status = request.query_params.get("status") or None
    if status not in (None, "open", "closed"):
        status = None
    context = {
        "title": "突发事件",
        "incidents": queries.list_incidents(session, actor, status=status),
        "status": status or "",
        **_common(request),
    }
    return render_page(request, actor, "incidents/list.html", context)


# --- intake form --------------------------------------------------------------------------------

_TEXT_FIELDS = (
    "category",
    "type",
    "occurred_at",
    "title",
    "description",
    "place",
    "longitude",
    "latitude",
    "unit_name",
    "reporter_name",
    "reporter_phone",
    "direct_loss_wan_yuan",
    *(name for name, _label in CASUALTY_FIELDS),
)


def _form_page(
    request: Request,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    general: list[str],
    status: int = 200,
) -> Response:
    settings = request.app.state.ctx.settings
    context = {
        "title": "事件接报",
        "values": values,
        "errors": errors,
        "general": general,
        "categories": CATEGORY_LABELS,
        "types": INCIDENT_TYPES,
        "casualty_fields": CASUALTY_FIELDS,
        "map": {
            "tiles": settings.map_tiles_url,
            "center": settings.map_center,
            "zoom": settings.map_zoom,
            "divisions": "/api/v1/divisions.geojson?level=township",
        },
    }
    return render_page(request, actor, "incidents/form.html", context, status)


def new_form(request: Request, actor: PageActor) -> Response:
    """Show the intake form (time defaults to now)."""
    require_role(actor, ROLES.reporters, "无权登记突发事件")
    ctx: AppContext = request.app.state.ctx
    now = format_local(ctx.clock.now(), ctx.settings.timezone, "%Y-%m-%dT%H:%M")
    values = {"occurred_at": now, "category": "accident", "type": "production_safety"}
    return _form_page(request, actor, values, {}, [])


def _parse_intake(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    values = {name: str(form.get(name) or "").strip() for name in _TEXT_FIELDS}
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    data["source"] = "duty_desk"
    return values, data


def create_incident(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Receive the posted incident, or show the form again with each reason by its field."""
    values, data = _parse_intake(form)
    errors: dict[str, str] = {}
    general: list[str] = []
    try:
        body = IncidentCreate.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err.get("loc") else "form"
            errors.setdefault(name, "必填项" if err["type"] == "missing" else "格式或取值不正确")
        return _form_page(request, actor, values, errors, general, 422)
    try:
        with ctx.uow(actor) as uow:
            incident_id = service.intake_incident(
                uow,
                body,
                timezone=ctx.settings.timezone,
                grading=grading_from_settings(ctx.settings),
            )
            uow.commit()
    except DomainError as exc:
        if exc.status in (401, 403):
            raise
        for e in exc.errors:
            errors.setdefault(e.field, e.reason)
        if not exc.errors:
            general.append(exc.detail)
        return _form_page(request, actor, values, errors, general, exc.status)
    flash(request, "已接报，已计算事件等级和上报时限")
    return RedirectResponse(f"{LIST}/{incident_id}", status_code=303)


# --- incident page ------------------------------------------------------------------------------


def incident_page(
    incident_id: int, request: Request, actor: PageActor, session: ReadSession
) -> Response:
    """Show one incident: map, casualties, deadlines, tasks, reports and timeline."""
    _check_reader(actor)
    incident = queries.get_incident(session, actor, incident_id, now=_now(request))
    settings = request.app.state.ctx.settings
    can_write = has_role(actor, ROLES.writers)
    context = {
        "title": incident.title,
        "incident": incident,
        "timeline": queries.list_timeline(session, incident_id),
        "reports": queries.list_reports(session, incident_id),
        "casualty_fields": CASUALTY_FIELDS,
        "report_kinds": REPORT_KIND_LABELS,
        "report_sections": REPORT_SECTIONS,
        # The task machine says which buttons each task's row shows (today: 办结 while open).
        "task_actions": {t.id: TASK_MACHINE.actions_from(t.status) for t in incident.tasks},
        "can_write": can_write and incident.status == "open",
        "can_sign": has_role(actor, ROLES.signers),
        "username": actor.username,
        "map": {
            "tiles": settings.map_tiles_url,
            "divisions": "/api/v1/divisions.geojson?level=township",
        },
        **_common(request),
    }
    return render_page(request, actor, "incidents/detail.html", context)


def _number(form: FormData, name: str) -> Any:
    raw = str(form.get(name) or "").strip()
    return raw or 0


def post_casualties(
    incident_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Record new casualty figures from the incident page."""

    def run(uow: UnitOfWork) -> None:
        data = {name: _number(form, name) for name, _label in CASUALTY_FIELDS}
        data["direct_loss_wan_yuan"] = _number(form, "direct_loss_wan_yuan")
        data["reason"] = str(form.get("reason") or "").strip()
        try:
            body = CasualtyUpdate.model_validate(data)
        except (ValidationError, InvalidOperation) as exc:
            raise DomainError("伤亡数字或变化原因填写不正确", status=422) from exc
        service.update_casualties(
            uow, incident_id, body, grading=grading_from_settings(ctx.settings)
        )

    return act(
        request,
        ctx,
        actor,
        run,
        done="已更新伤亡情况",
        back=f"{LIST}/{incident_id}",
        reraise=(401, 404),
    )


def post_close(
    incident_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Close the incident."""

    def run(uow: UnitOfWork) -> None:
        reason = str(form.get("reason") or "").strip()
        if not reason:
            raise DomainError(
                "请填写结案说明", status=422, errors=[FieldError("reason", "请填写结案说明")]
            )
        service.close_incident(uow, incident_id, reason=reason)

    return act(
        request,
        ctx,
        actor,
        run,
        done="事件已结案",
        back=f"{LIST}/{incident_id}",
        reraise=(401, 404),
    )


def post_report(
    incident_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Draft a report from the incident page."""

    def run(uow: UnitOfWork) -> None:
        data = {key: str(form.get(key) or "").strip() for key, _title in REPORT_SECTIONS}
        data = {k: v for k, v in data.items() if v}
        data["kind"] = str(form.get("kind") or "")
        try:
            body = ReportCreate.model_validate(data)
        except ValidationError as exc:
            raise DomainError("报告类型或内容填写不正确", status=422) from exc
        service.draft_report(uow, incident_id, body)

    return act(
        request,
        ctx,
        actor,
        run,
        done="已起草报告，待签发",
        back=f"{LIST}/{incident_id}",
        reraise=(401, 404),
    )


def _report_incident(ctx: AppContext, actor: Actor, report_id: int) -> int:
    with ctx.session_factory() as session:
        report, _inc = queries.load_report(session, actor, report_id)
        return report.incident_id


def post_sign(
    report_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Sign off a report."""
    incident_id = _report_incident(ctx, actor, report_id)

    def run(uow: UnitOfWork) -> None:
        service.sign_report(uow, report_id)

    return act(
        request,
        ctx,
        actor,
        run,
        done="报告已签发",
        back=f"{LIST}/{incident_id}",
        reraise=(401, 404),
    )


def post_send(
    report_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Record that a signed report was sent."""
    incident_id = _report_incident(ctx, actor, report_id)

    def run(uow: UnitOfWork) -> None:
        sent_to = str(form.get("sent_to") or "").strip()
        if not sent_to:
            raise DomainError("请填写报送单位", status=422)
        service.send_report(uow, report_id, ReportSend(sent_to=sent_to))

    return act(
        request,
        ctx,
        actor,
        run,
        done="已登记报送",
        back=f"{LIST}/{incident_id}",
        reraise=(401, 404),
    )


def post_task_done(
    task_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Mark a task done."""
    incident_id = int(str(form.get("incident_id") or "0") or 0)

    def run(uow: UnitOfWork) -> None:
        service.complete_task(uow, task_id)

    return act(
        request,
        ctx,
        actor,
        run,
        done="任务已办结",
        back=f"{LIST}/{incident_id}",
        reraise=(401, 404),
    )


# --- reporting rules (admin) -------------------------------------------------------------------

RULES = "/incident-reporting-rules"
_RULE_VIEWERS = frozenset({"admin", "bureau_staff", "duty_officer"})


def rules_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the reporting rules in force; the administrator may change or add rules."""
    require_role(actor, _RULE_VIEWERS, "无权查看上报时限规则")
    context = {
        "title": "上报时限规则",
        "rules": queries.list_reporting_rules(session),
        "can_edit": has_role(actor, ROLES.rule_editors),
        "categories": CATEGORY_LABELS,
        "grade_labels": GRADE_LABELS,
        "edit": request.query_params.get("key") or "",
    }
    return render_page(request, actor, "incidents/rules.html", context)


def save_rule(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Create or replace a local reporting rule from the rules page."""
    key = str(form.get("key") or "").strip()
    data: dict[str, Any] = {
        name: str(form.get(name) or "").strip()
        for name in (
            "label",
            "reports_to",
            "minutes",
            "anchor",
            "remind_before_minutes",
            "citation",
        )
    }
    data["min_grade"] = str(form.get("min_grade") or "") or None
    data["categories"] = [str(c) for c in form.getlist("categories")]
    data["remind"] = form.get("remind") == "on"
    data["active"] = form.get("active") == "on"
    try:
        body = ReportingRuleWrite.model_validate(data)
        with ctx.uow(actor) as uow:
            service.save_reporting_rule(uow, key, body)
            uow.commit()
    except ValidationError:
        flash(request, "规则填写不正确：名称、报送对象必填，时限为正整数分钟", "error")
    except DomainError as exc:
        if exc.status == 401:
            raise
        flash(request, "；".join(e.reason for e in exc.errors) or exc.detail, "error")
    else:
        flash(request, f"已保存规则 {key}（对此后接报或升级的事件生效）")
    return RedirectResponse(RULES, status_code=303)


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("response", title, url, _READERS))


router.add_api_route(DESK, _nav(desk_page, "值班台", DESK), methods=["GET"])
router.add_api_route(LIST, _nav(list_page, "突发事件", LIST), methods=["GET"])
router.add_api_route(NEW, new_form, methods=["GET"])
router.add_api_route(NEW, create_incident, methods=["POST"])
router.add_api_route(LIST + "/{incident_id}", incident_page, methods=["GET"])
router.add_api_route(LIST + "/{incident_id}/casualties", post_casualties, methods=["POST"])
router.add_api_route(LIST + "/{incident_id}/close", post_close, methods=["POST"])
router.add_api_route(LIST + "/{incident_id}/reports", post_report, methods=["POST"])
router.add_api_route("/incident-reports/{report_id}/sign", post_sign, methods=["POST"])
router.add_api_route("/incident-reports/{report_id}/send", post_send, methods=["POST"])
router.add_api_route("/incident-tasks/{task_id}/complete", post_task_done, methods=["POST"])
router.add_api_route(
    RULES,
    mark_nav(rules_page, NavEntry("response", "上报时限规则", RULES, _RULE_VIEWERS)),
    methods=["GET"],
)
router.add_api_route(RULES, save_rule, methods=["POST"])

routers = [router]
