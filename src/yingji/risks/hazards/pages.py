"""Hazard pages: the board (by state, overdue first), report form, detail with the loop's
forms, photo upload and timeline, and the statistics page.

Pages read through the same scoped queries and write through the same audited service as the
JSON API, so a user sees and changes here exactly what the API allows them. A refused action
(409/403/422) comes back to the detail page with the reason as a flash message.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from yingji.accounts.pages import render_page
from yingji.accounts.queries import (
    department_names,
    list_departments,
    list_users,
    person_choices,
)
from yingji.accounts.schemas import has_role
from yingji.core import files
from yingji.core.actor import Actor, system_actor
from yingji.core.clock import format_local, local_today
from yingji.core.errors import DomainError, FieldError, NotFound
from yingji.core.pagination import PageParams
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.core.web.files import file_response
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.enterprises.registry import ENTERPRISES
from yingji.geo.queries import division_names
from yingji.registry.forms import validation_errors
from yingji.registry.page_parts import division_choices
from yingji.registry.queries import get_row, scoped_select
from yingji.risks.hazards import queries, service
from yingji.risks.hazards.queries import get_hazard_row
from yingji.risks.hazards.rules import (
    ACTION_LABELS,
    FIVE_IN_PLACE,
    KIND_LABELS,
    LEVEL_LABELS,
    REASON_REQUIRED,
    REPORT_SOURCES,
    REVIEWER_ROLES,
    SOURCE_LABELS,
    STATE_LABELS,
    SUPERVISOR_ROLES,
    HazardAction,
    HazardSource,
    config_from_settings,
)
from yingji.risks.hazards.schemas import (
    HazardActionRequest,
    HazardFilters,
    HazardReport,
    RectificationPlan,
)
from yingji.risks.points.registry import RISK_POINTS
from yingji.web.actions import act, detail_with_reasons
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

BOARD = "/hazards"
NEW = "/hazards/new"
STATISTICS = "/hazards/statistics"
PAGE_SIZE = 20
STATE_BADGES = {
    "reported": "badge-yellow",
    "confirmed": "badge-blue",
    "rejected": "badge-gray",
    "rectifying": "badge-orange",
    "submitted": "badge-blue",
    "closed": "badge-green",
}
BOARD_TABS = ("reported", "confirmed", "rectifying", "submitted", "closed", "rejected")
_VIEWER = system_actor("hazards.pages")
DIMENSIONS = {"township": "按镇街", "industry": "按行业", "department": "按部门"}


# --- the board ----------------------------------------------------------------------------------


def _board_filters(query: Mapping[str, str]) -> tuple[dict[str, str], HazardFilters, list[str]]:
    names = (
        "state",
        "level",
        "overdue",
        "division_code",
        "enterprise_id",
        "q",
        "supervised_listing",
    )
    raw = {n: str(query.get(n) or "").strip() for n in names}
    given: dict[str, Any] = {k: v for k, v in raw.items() if v}
    warnings: list[str] = []
    try:
        filters = HazardFilters.model_validate(given)
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        warnings = [f"筛选条件“{b}”无效，已忽略" for b in sorted(bad)]
        filters = HazardFilters.model_validate({k: v for k, v in given.items() if k not in bad})
    if filters.state is None and not raw["overdue"] and query.get("all") != "1":
        filters.open_only = True  # the board shows the work still to do unless asked
    return raw, filters, warnings


def board_page(request: Request, actor: PageActor, session: ReadSession, ctx: Ctx) -> Response:
    """Show the hazard board: counts by state, filters, the list with overdue first."""
    raw, filters, warnings = _board_filters(request.query_params)
    page_no = request.query_params.get("page") or "1"
    page = int(page_no) if page_no.isdigit() and 0 < int(page_no) < 10**6 else 1
    tz = ctx.settings.timezone
    today = local_today(tz, ctx.clock.now())
    result = queries.page_hazards(
        session, actor, PageParams(page=page, size=PAGE_SIZE), filters, today=today
    )
    counts = queries.count_by_state(session, actor, today=today)
    towns = division_names(session, [h.division_code[:9] for h in result.items])
    rows = [
        {
            "h": h,
            "badge": STATE_BADGES[h.state],
            "town": towns.get(h.division_code[:9], h.division_code),
            "reported_at": format_local(h.reported_at, tz),
        }
        for h in result.items
    ]
    tabs = [{"key": "", "label": "未销号", "count": sum(counts.get(s, 0) for s in BOARD_TABS[:4])}]
    tabs += [{"key": s, "label": STATE_LABELS[s], "count": counts.get(s, 0)} for s in BOARD_TABS]
    query = urlencode({k: v for k, v in raw.items() if v})
    context = {
        "title": "隐患排查治理",
        "rows": rows,
        "page": result,
        "tabs": tabs,
        "overdue_count": counts.get("overdue", 0),
        "raw": raw,
        "warnings": warnings,
        "query": query,
        "states": STATE_LABELS,
        "levels": LEVEL_LABELS,
        "divisions": division_choices(session, actor) if actor.enterprise_id is None else [],
        "can_report": bool(REPORT_SOURCES.get(actor.role)),
    }
    return render_page(request, actor, "hazards/board.html", context)


# --- report -------------------------------------------------------------------------------------


def _sources(actor: Actor) -> list[tuple[str, str]]:
    allowed = REPORT_SOURCES.get(actor.role, frozenset())
    return [(s.value, SOURCE_LABELS[s.value]) for s in HazardSource if s.value in allowed]


def _enterprise_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    try:
        stmt = scoped_select(ENTERPRISES, actor).limit(500)
    except DomainError:
        return []  # roles that may not read the enterprise register report by place only
    return [(str(row[0].id), row[0].name) for row in session.execute(stmt)]


def _risk_point_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    try:
        stmt = scoped_select(RISK_POINTS, actor).limit(500)
    except DomainError:
        return []
    return [(str(row[0].id), row[0].name) for row in session.execute(stmt)]


def _report_form(
    request: Request,
    actor: Actor,
    session: Session,
    values: Mapping[str, str],
    errors: list[FieldError],
    status: int = 200,
) -> Response:
    context = {
        "title": "上报隐患",
        "values": values,
        "errors": {e.field: e.reason for e in errors},
        "general": [e.reason for e in errors if e.field in ("form", "file")],
        "sources": _sources(actor),
        "levels": LEVEL_LABELS,
        "kinds": KIND_LABELS,
        "enterprises": _enterprise_options(session, actor),
        "risk_points": _risk_point_options(session, actor),
        "fixed_enterprise": actor.enterprise_id is not None,
        "divisions": (
            division_choices(session, actor, ("township", "village"))
            if actor.enterprise_id is None
            else []
        ),
    }
    return render_page(request, actor, "hazards/report.html", context, status)


def new_hazard_form(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the report form (sources limited to what the user's role may report)."""
    if not _sources(actor):
        raise NotFound("无权上报隐患")
    return _report_form(request, actor, session, {}, [])


def _store(ctx: AppContext, upload: Any) -> str | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    head = upload.file.read(1)
    if not head:
        return None
    upload.file.seek(0)
    try:
        return files.store(
            ctx.storage,
            upload.file,
            allowed=files.PHOTO_OR_PDF_TYPES,
            limit=ctx.settings.upload_max_bytes,
        )
    except files.UploadRefused as exc:
        raise DomainError(detail=f"照片未保存：{exc}", status=422) from None


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def create_hazard(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Report the posted hazard, or show the form again with each reason by its field."""
    names = (
        "source",
        "level",
        "kind",
        "title",
        "description",
        "enterprise_id",
        "risk_point_id",
        "division_code",
        "longitude",
        "latitude",
        "deadline",
    )
    values = {n: _text(form, n) for n in names}
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    errors: list[FieldError] = []
    try:
        key = _store(ctx, form.get("photo"))
        if key:
            data["photo_keys"] = [key]
    except DomainError as exc:
        errors.append(FieldError("file", exc.detail))
    body = None
    try:
        body = HazardReport.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors(exc, errors)
    if body is not None and not errors:
        try:
            with ctx.uow(actor) as uow:
                hazard_id = service.report_hazard(uow, body)
                uow.commit()
        except DomainError as exc:
            errors = list(exc.errors) or [FieldError("form", exc.detail)]
        else:
            flash(request, f"隐患已上报（编号 {hazard_id}），等待确认")
            return RedirectResponse(f"{BOARD}/{hazard_id}", status_code=303)
    with ctx.session_factory() as session:
        return _report_form(request, actor, session, values, errors, 422)


# --- detail -------------------------------------------------------------------------------------


def _owner_options(session: Session, hazard: Any) -> list[tuple[str, str]]:
    people = []
    for u in list_users(session):
        if not u.is_active:
            continue
        mine = hazard.enterprise_id is not None and u.enterprise_id == hazard.enterprise_id
        local = u.division_code is not None and hazard.division_code.startswith(u.division_code)
        if mine or (local and u.role in ("township_officer", "grid_member")):
            people.append((u.id, u.display_name, u.username))
    return [(str(uid), shown) for uid, shown in person_choices(people)]


def detail_page(
    hazard_id: int, request: Request, actor: PageActor, session: ReadSession, ctx: Ctx
) -> Response:
    """Show a hazard: facts, plan, photos, timeline and the forms of the allowed actions."""
    tz = ctx.settings.timezone
    today = local_today(tz, ctx.clock.now())
    read = queries.get_hazard(session, actor, hazard_id, today=today)
    row = get_hazard_row(session, actor, hazard_id)
    actions = service.available_actions(actor, row)
    names = division_names(session, [read.division_code, read.division_code[:9]])
    departments = department_names(session, [read.department_id] if read.department_id else [])
    users = {u.id: u.display_name for u in list_users(session)}
    open_ = read.state not in ("closed", "rejected")
    enterprise_name = ""
    if read.enterprise_id is not None:
        # Shown to whoever may see the hazard, even a role that cannot read the register.
        with suppress(NotFound):
            enterprise_name = get_row(session, ENTERPRISES, _VIEWER, read.enterprise_id)[0].name
    context = {
        "title": f"隐患详情 · {read.title}",
        "h": read,
        "badge": STATE_BADGES[read.state],
        "source_label": SOURCE_LABELS.get(read.source, read.source),
        "kind_label": KIND_LABELS.get(read.kind, read.kind),
        "division_name": names.get(read.division_code) or names.get(read.division_code[:9], ""),
        "department_name": departments.get(read.department_id or 0, ""),
        "owner_name": users.get(read.owner_user_id or 0, ""),
        "enterprise_name": enterprise_name,
        "timeline": [
            {
                "t": t,
                "at": format_local(t.at, tz),
                "to_label": STATE_LABELS.get(t.to_state, t.to_state),
            }
            for t in reversed(read.transitions)
        ],
        "actions": [
            {
                "key": a,
                "label": ACTION_LABELS[a],
                "reason_required": HazardAction(a) in REASON_REQUIRED,
                "danger": a in ("reject", "return"),
            }
            for a in actions
        ],
        "five": FIVE_IN_PLACE,
        "plan": read.plan.model_dump() if read.plan else {},
        "owner_options": _owner_options(session, row) if "confirm" in actions else [],
        "can_photo": open_ and (bool(actions) or row.reported_by == actor.user_id),
        "can_deadline": open_ and has_role(actor, REVIEWER_ROLES),
        "can_supervise": open_ and read.level == "major" and has_role(actor, SUPERVISOR_ROLES),
        "departments": [(d.id, d.name) for d in list_departments(session)],
        "can_plan": open_
        and read.level == "major"
        and ("start" in actions or "confirm" in actions),
    }
    return render_page(request, actor, "hazards/detail.html", context)


def _detail(hazard_id: int) -> str:
    return f"{BOARD}/{hazard_id}"


def _back(hazard_id: int) -> RedirectResponse:
    return RedirectResponse(_detail(hazard_id), status_code=303)


def _refused(request: Request, exc: DomainError) -> None:
    detail = exc.detail
    if exc.errors:
        detail += "：" + "；".join(e.reason for e in exc.errors)
    flash(request, detail, "error")


def _plan_from(form: FormData) -> RectificationPlan | None:
    values = {key: _text(form, f"plan_{key}") for key, _ in FIVE_IN_PLACE}
    given = {k: v for k, v in values.items() if v}
    return RectificationPlan.model_validate(given) if given else None


def post_action(
    hazard_id: int, action: str, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Take an action from the detail page (with reason, photo, owner, deadline, plan)."""

    def run(uow: UnitOfWork) -> None:
        key = _store(ctx, form.get("photo"))
        owner = _text(form, "owner_user_id")
        deadline = _text(form, "deadline")
        request_body = HazardActionRequest(
            reason=_text(form, "reason"),
            photo_keys=[key] if key else [],
            owner_user_id=int(owner) if owner.isdigit() else None,
            deadline=date.fromisoformat(deadline) if deadline else None,
            plan=_plan_from(form),
        )
        service.take_action(
            uow,
            hazard_id,
            action,
            request_body,
            config=config_from_settings(ctx.settings),
            timezone=ctx.settings.timezone,
        )

    # ValidationError is a ValueError: one message for any malformed field.
    return act(
        request,
        ctx,
        actor,
        run,
        done=f"已{ACTION_LABELS.get(action, action)}",
        back=_detail(hazard_id),
        refusal=detail_with_reasons,
        invalid={ValueError: "提交的数据格式不正确"},
    )


def post_photo(
    hazard_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Attach an uploaded photo to the hazard."""
    with ctx.session_factory() as session:
        get_hazard_row(session, actor, hazard_id)
    try:
        key = _store(ctx, form.get("photo"))
        if key is None:
            flash(request, "请选择照片", "warning")
            return _back(hazard_id)
        with ctx.uow(actor) as uow:
            service.add_photo(uow, hazard_id, key, note=_text(form, "note"))
            uow.commit()
    except DomainError as exc:
        _refused(request, exc)
    else:
        flash(request, "照片已上传")
    return _back(hazard_id)


def post_deadline(
    hazard_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Change the deadline from the detail page."""

    def run(uow: UnitOfWork) -> None:
        deadline = date.fromisoformat(_text(form, "deadline"))
        service.change_deadline(uow, hazard_id, deadline, reason=_text(form, "reason"))

    return act(
        request,
        ctx,
        actor,
        run,
        done="整改期限已调整",
        back=_detail(hazard_id),
        refusal=detail_with_reasons,
        invalid={ValueError: "请填写新的整改期限"},
    )


def post_supervision(
    hazard_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Put the hazard under 挂牌督办 from the detail page."""
    department = _text(form, "department_id")
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.supervise_hazard(
            uow,
            hazard_id,
            department_id=int(department) if department.isdigit() else 0,
            note=_text(form, "note"),
        ),
        done="已挂牌督办",
        back=_detail(hazard_id),
        refusal=detail_with_reasons,
    )


def post_plan(
    hazard_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Save the 五到位 plan from the detail page."""

    def run(uow: UnitOfWork) -> None:
        service.set_plan(uow, hazard_id, _plan_from(form) or RectificationPlan())

    return act(
        request,
        ctx,
        actor,
        run,
        done="整改方案已保存",
        back=_detail(hazard_id),
        refusal=detail_with_reasons,
        invalid={ValidationError: "整改方案格式不正确（时限应为日期）"},
    )


def photo(hazard_id: int, key: str, actor: PageActor, ctx: Ctx, session: ReadSession) -> Response:
    """Serve a photo of a hazard the user may see."""
    read = queries.get_hazard(session, actor, hazard_id)
    keys = set(read.photo_keys) | {k for t in read.transitions for k in t.photo_keys}
    if key not in keys:
        raise NotFound("照片不存在")
    try:
        data = ctx.storage.get(key)
    except KeyError:
        raise NotFound("照片不存在") from None
    return file_response(data, key)


# --- statistics ---------------------------------------------------------------------------------


def statistics_page(request: Request, actor: PageActor, session: ReadSession, ctx: Ctx) -> Response:
    """Show found / closed / overdue and 整改率 by township, industry or department."""
    by = request.query_params.get("by") or "township"
    if by not in DIMENSIONS:
        by = "township"
    warnings = []
    bounds: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        raw = request.query_params.get(name) or ""
        try:
            bounds[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            bounds[name] = None
            warnings.append("日期格式不正确，已忽略")
    stats = queries.hazard_statistics(
        session,
        actor,
        by,  # type: ignore[arg-type]
        date_from=bounds["date_from"],
        date_to=bounds["date_to"],
        today=local_today(ctx.settings.timezone, ctx.clock.now()),
        timezone=ctx.settings.timezone,
    )
    context = {
        "title": "隐患统计",
        "stats": stats,
        "by": by,
        "dimensions": DIMENSIONS,
        "date_from": bounds["date_from"] or "",
        "date_to": bounds["date_to"] or "",
        "warnings": warnings,
    }
    return render_page(request, actor, "hazards/statistics.html", context)


# --- routes and menu ----------------------------------------------------------------------------

mark_nav(board_page, NavEntry("supervision", "隐患排查治理", BOARD))
mark_nav(statistics_page, NavEntry("supervision", "隐患统计", STATISTICS))

router.add_api_route(BOARD, board_page, methods=["GET"])
router.add_api_route(NEW, new_hazard_form, methods=["GET"])
router.add_api_route(NEW, create_hazard, methods=["POST"])
router.add_api_route(STATISTICS, statistics_page, methods=["GET"])
router.add_api_route(f"{BOARD}/{{hazard_id}}", detail_page, methods=["GET"])
router.add_api_route(f"{BOARD}/{{hazard_id}}/actions/{{action}}", post_action, methods=["POST"])
router.add_api_route(f"{BOARD}/{{hazard_id}}/photos", post_photo, methods=["POST"])
router.add_api_route(f"{BOARD}/{{hazard_id}}/photos/{{key}}", photo, methods=["GET"])
router.add_api_route(f"{BOARD}/{{hazard_id}}/deadline", post_deadline, methods=["POST"])
router.add_api_route(f"{BOARD}/{{hazard_id}}/supervision", post_supervision, methods=["POST"])
router.add_api_route(f"{BOARD}/{{hazard_id}}/plan", post_plan, methods=["POST"])

routers = [router]
