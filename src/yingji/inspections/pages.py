"""Inspection pages: the annual plan, the 双随机 draw (with its published seed), cases with
their findings and documents (.docx download), and the monthly 三个强度 ranking.

Pages read through the same scoped queries as the API and write through the same audited
service; a refused action comes back as a message on the page it was sent from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yingji.accounts.models import User
from yingji.accounts.pages import render_page
from yingji.accounts.schemas import has_role
from yingji.core.actor import Actor
from yingji.core.clock import local_today, parse_local
from yingji.core.errors import DomainError, NotFound
from yingji.core.pagination import PageParams
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.enterprises.registry import ENTERPRISES
from yingji.geo.queries import division_names
from yingji.inspections import queries, service
from yingji.inspections.api import docx_response, inspection_config
from yingji.inspections.checklists import load_checklists
from yingji.inspections.rules import (
    CASE_MODE_LABELS,
    CASE_STATE_LABELS,
    CASE_WRITERS,
    DRAW_WRITERS,
    INSPECTOR_ROLES,
    PLAN_WRITERS,
    CaseState,
)
from yingji.inspections.rules import MACHINE as CASE_MACHINE
from yingji.inspections.schemas import (
    CaseCreate,
    DrawCreate,
    FindingCreate,
    OrderInput,
    PenaltyInput,
    PlanCreate,
    RecordInput,
    ReinspectionInput,
)
from yingji.registry.queries import scoped_select
from yingji.web.actions import act, detail_with_reasons
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

PLAN = "/inspections/plan"
DRAWS = "/inspections/draws"
CASES = "/inspections/cases"
STATS = "/inspections/stats"
# Government roles: enterprise officers see their own cases only, not plans or rankings.
_GOVERNMENT = frozenset(
    {
        "admin",
        "bureau_staff",
        "duty_officer",
        "township_officer",
        "department_officer",
        "grid_member",
        "inspector",
    }
)
_STATE_BADGES = {
    "planned": "badge-gray",
    "recorded": "badge-blue",
    "ordered": "badge-orange",
    "unrectified": "badge-red",
    "penalized": "badge-red",
    "closed": "badge-green",
}


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def _today(request: Request) -> date:
    ctx = _ctx(request)
    return local_today(inspection_config(ctx).timezone, ctx.clock.now())


def _page(request: Request, actor: Actor, template: str, context: dict[str, Any]) -> Response:
    """Render a page (its times are shown by the ``localtime`` filter, in settings.timezone)."""
    return render_page(request, actor, template, context)


def _int(raw: Any, default: int) -> int:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 9 else default


def _form_dict(form: FormData, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in lists:
            data[key] = [v for v in form.getlist(key) if isinstance(v, str) and v]
        else:
            value = form.get(key)
            if isinstance(value, str) and value.strip() != "":
                data[key] = value.strip()
    return data


def _write(
    request: Request,
    ctx: AppContext,
    actor: Actor,
    schema: type[BaseModel] | None,
    data: dict[str, Any],
    action: Callable[[UnitOfWork, Any], Any],
    *,
    done: str,
    back: str,
    success: Callable[[Any], str] | None = None,
) -> Response:
    """Validate ``data``, run ``action`` in one unit of work, flash and redirect."""
    return act(
        request,
        ctx,
        actor,
        lambda uow: action(uow, schema.model_validate(data) if schema is not None else None),
        done=done,
        back=back,
        then=success,
        refusal=detail_with_reasons,
        invalid={ValidationError: _unvalidated},
    )


def _unvalidated(exc: Exception) -> str:
    errors = exc.errors() if isinstance(exc, ValidationError) else []
    return "提交的数据未通过校验：" + "；".join(str(e.get("msg", "")) for e in errors)


# --- annual plan --------------------------------------------------------------------------------


def plan_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the year's plan: key and random targets with tier, frequency, cap and done."""
    year = _int(request.query_params.get("year"), _today(request).year)
    tz = inspection_config(_ctx(request)).timezone
    try:
        plan = queries.get_plan(session, actor, year, timezone=tz)
    except NotFound:
        plan = None
    towns = division_names(session, [t.division_code[:9] for t in plan.targets] if plan else [])
    context = {
        "title": f"{year}年度执法计划",
        "year": year,
        "plan": plan,
        "towns": towns,
        "can_plan": has_role(actor, PLAN_WRITERS),
    }
    return _page(request, actor, "inspections/plan.html", context)


def create_plan(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Build (or complete) the year's plan."""
    data = _form_dict(form)
    year = _int(data.get("year"), _today(request).year)
    config = inspection_config(ctx)
    return _write(
        request,
        ctx,
        actor,
        PlanCreate,
        data,
        lambda uow, body: service.generate_plan(uow, body, config=config),
        done=f"已编制{year}年度执法计划",
        back=f"{PLAN}?year={year}",
    )


# --- draws ---------------------------------------------------------------------------------------


def draws_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """List the draws with their seeds; planners see the form for a new draw."""
    if actor.enterprise_id is not None:
        raise NotFound()
    year = _int(request.query_params.get("year"), _today(request).year)
    context = {
        "title": "双随机抽查",
        "year": year,
        "draws": queries.list_draws(session, actor, year=year),
        "can_draw": has_role(actor, DRAW_WRITERS),
        "division": actor.division_code,
    }
    return _page(request, actor, "inspections/draws.html", context)


def create_draw(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Make a draw and show it."""
    data = _form_dict(form)
    config = inspection_config(ctx)
    return _write(
        request,
        ctx,
        actor,
        DrawCreate,
        data,
        lambda uow, body: service.make_draw(
            uow, body, district_code=ctx.settings.district_code, config=config
        ),
        done="抽取完成，随机种子已记录并公开",
        back=DRAWS,
        success=lambda draw_id: f"{DRAWS}/{draw_id}",
    )


def draw_page(draw_id: int, request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show one draw: seed, algorithm, pools, exclusions, result and its re-check."""
    drawn = queries.get_draw(session, actor, draw_id)
    check = queries.verify_draw(session, actor, draw_id)
    context = {
        "title": f"双随机抽取 #{drawn.id}",
        "draw": drawn,
        "check": check,
        "inspector_names": queries.user_names(session, drawn.candidate_inspectors),
        "towns": division_names(session, [drawn.division_code]),
    }
    return _page(request, actor, "inspections/draw.html", context)


# --- cases ---------------------------------------------------------------------------------------


def _enterprise_options(session: Session, actor: Actor) -> list[tuple[int, str]]:
    stmt = scoped_select(ENTERPRISES, actor).order_by(ENTERPRISES.model.name)
    return [(row[0].id, row[0].name) for row in session.execute(stmt.limit(500))]


def _inspector_options(session: Session) -> list[tuple[int, str]]:
    stmt = (
        select(User.id, User.display_name)
        .where(User.role.in_(INSPECTOR_ROLES), User.is_active.is_(True))
        .order_by(User.display_name)
    )
    return [(uid, name) for uid, name in session.execute(stmt)]


def cases_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """List the cases the actor may see; enforcing roles get the form to open one."""
    state = request.query_params.get("state") or None
    if state not in {s.value for s in CaseState}:
        state = None
    page_no = _int(request.query_params.get("page"), 1) or 1
    raw_enterprise = request.query_params.get("enterprise_id")
    enterprise_id = _int(raw_enterprise, 0) or None
    page = queries.page_cases(
        session, actor, PageParams(page=page_no, size=20), state=state, enterprise_id=enterprise_id
    )
    can_open = has_role(actor, CASE_WRITERS)
    context = {
        "title": "执法检查案件",
        "page": page,
        "state": state or "",
        "states": CASE_STATE_LABELS,
        "modes": CASE_MODE_LABELS,
        "badges": _STATE_BADGES,
        "towns": division_names(session, [c.division_code[:9] for c in page.items]),
        "can_open": can_open,
        "enterprises": _enterprise_options(session, actor) if can_open else [],
        "inspectors": _inspector_options(session) if can_open else [],
    }
    return _page(request, actor, "inspections/cases.html", context)


def create_case(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Open a case and show it."""
    data = _form_dict(form, lists=("inspector_ids",))
    return _write(
        request,
        ctx,
        actor,
        CaseCreate,
        data,
        service.open_case,
        done="已发起执法检查",
        back=CASES,
        success=lambda case_id: f"{CASES}/{case_id}",
    )


def case_page(case_id: int, request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show a case: the record, findings (with hazards), documents and the next steps."""
    case = queries.get_case(session, actor, case_id)
    checklist = load_checklists().get(case.checklist_code or "")
    context = {
        "title": f"执法检查 · {case.enterprise_name}",
        "case": case,
        "badge": _STATE_BADGES[case.state.value],
        "mode_label": CASE_MODE_LABELS.get(case.mode, case.mode),
        "checklist": checklist,
        "can_act": has_role(actor, CASE_WRITERS),
        # The forms shown are the actions the case machine offers from this state.
        "case_actions": CASE_MACHINE.actions_from(case.state),
        "town": division_names(session, [case.division_code[:9]]).get(case.division_code[:9]),
        "today": _today(request).isoformat(),
    }
    return _page(request, actor, "inspections/case.html", context)


_ACTIONS: dict[str, tuple[type[BaseModel] | None, str]] = {
    "findings": (FindingCreate, "已登记问题"),
    "record": (RecordInput, "已出具现场检查记录"),
    "order": (OrderInput, "已下达责令限期整改指令书"),
    "reinspection": (ReinspectionInput, "已出具整改复查意见书"),
    "penalty": (PenaltyInput, "已作出行政处罚决定"),
    "close": (None, "已结案"),
}


def case_action(
    case_id: int, action: str, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Run one step of a case from its page (finding, record, order, re-inspection ...)."""
    if action not in _ACTIONS:
        raise NotFound()
    schema, done = _ACTIONS[action]
    data = _form_dict(form, lists=("unrectified_finding_ids",))
    if action == "findings":
        data["as_hazard"] = form.get("as_hazard") == "on"
    if action == "record" and "inspected_at" in data:
        tz = inspection_config(ctx).timezone
        raw = str(data["inspected_at"])
        data["inspected_at"] = parse_local(raw, tz) or raw  # the schema names a bad value
    config = inspection_config(ctx)
    back = f"{CASES}/{case_id}"

    def run(uow: UnitOfWork, body: Any) -> Any:
        if action == "findings":
            return service.add_finding(uow, case_id, body)
        if action == "close":
            return service.close_case(uow, case_id)
        steps: dict[str, Any] = {
            "record": service.record_inspection,
            "order": service.order_rectification,
            "reinspection": service.reinspect,
            "penalty": service.decide_penalty,
        }
        return steps[action](uow, case_id, body, config=config)

    return _write(request, ctx, actor, schema, data, run, done=done, back=back)


def download_document(document_id: int, actor: PageActor, session: ReadSession) -> Response:
    """Download an issued document as .docx (404 outside the actor's scope)."""
    doc = queries.get_document(session, actor, document_id)
    return docx_response(doc.doc_type, doc.number, doc.content)


# --- 三个强度 ------------------------------------------------------------------------------------


def stats_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the month's 三个强度 per township and department with the ranking."""
    today = _today(request)
    month = request.query_params.get("month") or f"{today.year}-{today.month:02d}"
    ctx = _ctx(request)
    try:
        stats = queries.intensity(
            session,
            actor,
            month,
            district_code=ctx.settings.district_code,
            timezone=inspection_config(ctx).timezone,
        )
    except DomainError as exc:
        if exc.status != 422:
            raise
        month = f"{today.year}-{today.month:02d}"
        stats = queries.intensity(
            session,
            actor,
            month,
            district_code=ctx.settings.district_code,
            timezone=inspection_config(ctx).timezone,
        )
    context = {"title": "执法“三个强度”统计", "month": month, "stats": stats}
    return _page(request, actor, "inspections/stats.html", context)


# --- routes and menu ----------------------------------------------------------------------------


def _nav(endpoint: Any, title: str, url: str, roles: frozenset[str] | None) -> Any:
    return mark_nav(endpoint, NavEntry("supervision", title, url, roles))


router.add_api_route(PLAN, _nav(plan_page, "年度执法计划", PLAN, _GOVERNMENT), methods=["GET"])
router.add_api_route(PLAN, create_plan, methods=["POST"])
router.add_api_route(DRAWS, _nav(draws_page, "双随机抽查", DRAWS, _GOVERNMENT), methods=["GET"])
router.add_api_route(DRAWS, create_draw, methods=["POST"])
router.add_api_route(f"{DRAWS}/{{draw_id}}", draw_page, methods=["GET"])
router.add_api_route(CASES, _nav(cases_page, "执法检查案件", CASES, None), methods=["GET"])
router.add_api_route(CASES, create_case, methods=["POST"])
router.add_api_route(f"{CASES}/{{case_id}}", case_page, methods=["GET"])
router.add_api_route(f"{CASES}/{{case_id}}/{{action}}", case_action, methods=["POST"])
router.add_api_route(
    "/inspections/documents/{document_id}.docx", download_document, methods=["GET"]
)
router.add_api_route(STATS, _nav(stats_page, "执法三个强度", STATS, _GOVERNMENT), methods=["GET"])

routers = [router]
