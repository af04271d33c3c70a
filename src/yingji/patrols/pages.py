"""Patrol pages: the grid member's phone pages, the supervisor's coverage, public reports.

- ``/report`` and ``/report/track`` are the public's pages (no sign-in): a report form with
  photo and location (browser geolocation, or a point picked on the map) guarded by the
  session's CSRF token, a honeypot field and the per-client limit; the answer shows the
  tracking code once.
- ``/patrols`` (my patrols / all visible), ``/patrols/{id}`` (the patrol under way: the
  phone records its track through the JSON API, checks and finish are plain forms),
  ``/grid-reports/new`` (hazard or event with photo and location) are phone-first.
- ``/patrols/coverage`` and ``/public-reports`` serve the supervisors.

Every write goes through ``service`` exactly as the API does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from yingji.accounts.pages import render_page
from yingji.accounts.rules import Role
from yingji.accounts.schemas import has_role, require_role
from yingji.core.actor import Actor, system_actor
from yingji.core.clock import format_local, local_today
from yingji.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from yingji.core.pagination import PageParams
from yingji.core.web.context import AppContext
from yingji.core.web.files import file_response
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.patrols import queries, service
from yingji.patrols.api import client_hash, report_config
from yingji.patrols.rules import (
    CHECK_RESULT_LABELS,
    EVENT_CATEGORY_LABELS,
    GRID_REPORT_TYPE_LABELS,
    GRID_REPORTERS,
    HAZARD_KIND_LABELS,
    PATROL_READERS,
    PATROLLERS,
    REPORT_HANDLERS,
    REPORT_READERS,
    REPORT_STATE_LABELS,
    REWARD_KEEPERS,
    REWARD_STATE_LABELS,
    ReportAction,
    normalise_tracking_code,
)
from yingji.patrols.schemas import (
    CheckCreate,
    GridReportCreate,
    PatrolFinish,
    PatrolStart,
    PublicReportCreate,
    PublicReportFilters,
    ReportDecision,
    ReportReply,
    RewardGrant,
    RewardPayment,
)
from yingji.registry.forms import FormField, attach_errors, validation_errors
from yingji.registry.page_parts import PAGE_SIZE, map_config
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

SUPERVISORS = frozenset({"admin", "bureau_staff", "duty_officer", "township_officer"})
_PATROL_READERS = frozenset(r.value for r in PATROL_READERS)
_REPORT_READERS = frozenset(r.value for r in REPORT_READERS)
_GRID_REPORTERS = frozenset(r.value for r in GRID_REPORTERS)
_STATE_BADGES = {
    "received": "badge-orange",
    "verified": "badge-red",
    "unfounded": "badge-gray",
    "replied": "badge-green",
}
MAX_PHOTOS = 3


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10**6 else 1


def _choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    return list(labels.items())


def _read_fields(fields: Sequence[FormField], form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields:
        raw = form.get(f.name)
        if f.kind == "checkbox":
            f.value = "on" if raw else ""
            data[f.name] = bool(raw)
            continue
        f.value = str(raw or "").strip() if not isinstance(raw, UploadFile) else ""
        if f.value:
            data[f.name] = f.value
    return data


def _validate(
    schema: type[BaseModel], data: dict[str, Any], errors: list[FieldError]
) -> BaseModel | None:
    try:
        body = schema.model_validate(data)
    except ValidationError as exc:
        errors[:] = validation_errors(exc, errors)
        return None
    return None if errors else body


def _photos(request: Request, form: FormData, errors: list[FieldError]) -> list[str]:
    """Store the uploaded photos (``photos`` inputs); return their keys."""
    from yingji.core import files

    ctx = request.app.state.ctx
    keys: list[str] = []
    uploads = [u for u in form.getlist("photos") if isinstance(u, UploadFile) and u.filename]
    if len(uploads) > MAX_PHOTOS:
        errors.append(FieldError("photos", f"最多上传 {MAX_PHOTOS} 张照片"))
        return []
    for upload in uploads:
        try:
            keys.append(
                files.store(
                    ctx.storage,
                    upload.file,
                    allowed=files.PHOTO_OR_PDF_TYPES,
                    limit=ctx.settings.upload_max_bytes,
                )
            )
        except files.UploadRefused as exc:
            errors.append(FieldError("photos", str(exc)))
    return keys


# --- the public's pages ---------------------------------------------------------------------


def public_fields() -> list[FormField]:
    """Return the public report form's controls."""
    kind = FormField("kind", "举报类别", "select", required=True, nullable=False, value="fire")
    kind.choices = _choices(HAZARD_KIND_LABELS)
    return [
        kind,
        FormField("title", "举报事项", "text", required=True, maxlength=200),
        FormField("description", "详细情况", "textarea", maxlength=4000),
        FormField("address", "地点描述", "text", maxlength=300, help="如：某街道某号楼下"),
        FormField("longitude", "经度", "number", required=True, step="0.000001"),
        FormField("latitude", "纬度", "number", required=True, step="0.000001"),
        FormField("anonymous", "匿名举报", "checkbox", value="on"),
        FormField("reporter_name", "姓名", "text", maxlength=100, help="匿名举报不保存"),
        FormField("reporter_phone", "联系电话", "text", maxlength=40, help="匿名举报不保存"),
    ]


def _public_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    config = map_config(request)
    config["divisions"] = ""  # boundaries need a sign-in; the public map works without
    return render_page(request, None, template, {"map": config, **context}, status)


def public_form(request: Request) -> Response:
    """Show the public report form (no sign-in)."""
    context = {"title": "安全隐患举报", "fields": public_fields()}
    return _public_page(request, "patrols/public_form.html", context)


def submit_public_report(request: Request, form: CheckedForm, ctx: Ctx) -> Response:
    """Take a report from the public form; show the tracking code, or the form with reasons."""
    fields = public_fields()
    data = _read_fields(fields, form)
    errors: list[FieldError] = []
    general: list[str] = []
    status = 422
    if form.get("website"):
        # The honeypot: people never see this field, form-filling robots do.
        raise PermissionDenied("提交被拒绝")
    body = _validate(PublicReportCreate, data, errors)
    config = report_config(ctx)
    fingerprint = client_hash(request, ctx)
    try:
        # Before any photo is stored: a refused client must not fill the storage either.
        with ctx.session_factory() as session:
            service.ensure_within_limit(session, fingerprint, ctx.clock.now(), config)
    except TooManyAttempts as exc:
        body, status = None, 429
        general.append(exc.detail)
    photos = _photos(request, form, errors) if body is not None else []
    if body is not None and not errors:
        assert isinstance(body, PublicReportCreate)
        try:
            with ctx.uow(system_actor("public-report")) as uow:
                receipt = service.receive_public_report(
                    uow, body, client_hash=fingerprint, photo_keys=photos, config=config
                )
                uow.commit()
        except ValidationFailed as exc:
            errors = list(exc.errors) or [FieldError("form", exc.detail)]
            general.append(exc.detail)
        except TooManyAttempts as exc:
            general.append(exc.detail)
            status = 429
        else:
            context = {"title": "举报已受理", "receipt": receipt}
            return _public_page(request, "patrols/public_receipt.html", context, 201)
    general.extend(g for g in attach_errors(fields, errors) if g not in general)
    context = {"title": "安全隐患举报", "fields": fields, "general": general}
    return _public_page(request, "patrols/public_form.html", context, status)


def track_page(request: Request, session: ReadSession) -> Response:
    """Look up a report's progress and reply by its tracking code (no sign-in)."""
    ctx: AppContext = request.app.state.ctx
    tz = ctx.settings.timezone
    raw = str(request.query_params.get("code") or "").strip()[:40]
    status_read = None
    error = None
    if raw:
        try:
            status_read = queries.track_public_report(session, normalise_tracking_code(raw))
        except Exception as exc:  # NotFound: say so on the page, do not leave it
            error = getattr(exc, "detail", "查询失败")
    context = {
        "title": "举报办理查询",
        "code": raw,
        "report": status_read,
        "error": error,
        "received_at": format_local(status_read.received_at, tz) if status_read else "",
        "replied_at": format_local(status_read.replied_at, tz) if status_read else "",
    }
    return _public_page(request, "patrols/public_track.html", context, 404 if error else 200)


# --- grid member: patrols -------------------------------------------------------------------


def patrols_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """List patrols: the member's own first (with the one under way), or all visible."""
    ctx: AppContext = request.app.state.ctx
    tz = ctx.settings.timezone
    params = PageParams(page=_page_number(request.query_params.get("page")), size=PAGE_SIZE)
    mine_only = has_role(actor, {Role.GRID_MEMBER})
    division = str(request.query_params.get("division_code") or "").strip()[:15] or None
    page = queries.page_patrols(
        session,
        actor,
        params,
        division_code=division,
        patroller_id=actor.user_id if mine_only else None,
    )
    ongoing = queries.ongoing_patrol(session, actor)
    rows = [
        {
            "row": p,
            "started": format_local(p.started_at, tz),
            "finished": format_local(p.finished_at, tz),
        }
        for p in page.items
    ]
    context = {
        "title": "网格巡查",
        "rows": rows,
        "page": page,
        "ongoing": ongoing,
        "can_patrol": has_role(actor, PATROLLERS),
        "can_report": has_role(actor, GRID_REPORTERS),
        "is_supervisor": has_role(actor, SUPERVISORS),
    }
    return render_page(request, actor, "patrols/patrols.html", context)


def start_patrol_form(request: Request, actor: PageActor, _form: CheckedForm, ctx: Ctx) -> Response:
    """Start a patrol and open its page (the one under way, if there is one)."""
    try:
        with ctx.uow(actor) as uow:
            read = service.start_patrol(uow, PatrolStart())
            uow.commit()
    except Conflict as exc:
        flash(request, exc.detail, "warning")
        with ctx.session_factory() as session:
            ongoing = queries.ongoing_patrol(session, actor)
        return RedirectResponse(f"/patrols/{ongoing.id}" if ongoing else "/patrols", 303)
    except ValidationFailed as exc:
        flash(request, "；".join(e.reason for e in exc.errors) or exc.detail, "error")
        return RedirectResponse("/patrols", 303)
    flash(request, "巡查已开始，请保持页面打开以记录轨迹")
    return RedirectResponse(f"/patrols/{read.id}", 303)


def check_fields() -> list[FormField]:
    """Return the patrol check form's controls."""
    result = FormField("result", "检查结果", "select", required=True, nullable=False)
    result.value = "normal"
    result.choices = _choices(CHECK_RESULT_LABELS)
    return [
        FormField("item", "检查内容", "text", required=True, maxlength=200, help="如：消防通道"),
        result,
        FormField("note", "说明", "textarea", maxlength=2000),
    ]


def _patrol_page(
    request: Request,
    actor: Actor,
    session: Session,
    patrol_id: int,
    fields: list[FormField] | None = None,
    status: int = 200,
) -> Response:
    detail = queries.get_patrol(session, actor, patrol_id)
    ctx: AppContext = request.app.state.ctx
    tz = ctx.settings.timezone
    own = detail.patroller_id == actor.user_id and detail.state == "ongoing"
    reports = queries.page_grid_reports(
        session, actor, PageParams(page=1, size=50), patrol_id=patrol_id
    ).items
    context = {
        "title": f"巡查 #{detail.id}",
        "patrol": detail,
        "own": own,
        "fields": fields or check_fields(),
        "started": format_local(detail.started_at, tz),
        "finished": format_local(detail.finished_at, tz),
        "checks": [
            {"row": c, "at": format_local(c.checked_at, tz), "label": CHECK_RESULT_LABELS[c.result]}
            for c in detail.checks
        ],
        "reports": reports,
        "track": [[p.latitude, p.longitude] for p in detail.track],
        "map": map_config(request),
    }
    return render_page(request, actor, "patrols/patrol.html", context, status)


def patrol_page(
    patrol_id: int, request: Request, actor: PageActor, session: ReadSession
) -> Response:
    """Show a patrol: track, checks, reports; for its member under way, record and finish."""
    return _patrol_page(request, actor, session, patrol_id)


def add_check_form(
    patrol_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Record a check on the member's patrol under way."""
    fields = check_fields()
    data = _read_fields(fields, form)
    errors: list[FieldError] = []
    body = _validate(CheckCreate, data, errors)
    if body is not None:
        assert isinstance(body, CheckCreate)
        try:
            with ctx.uow(actor) as uow:
                service.record_check(uow, patrol_id, body)
                uow.commit()
        except ValidationFailed as exc:
            errors = list(exc.errors)
        else:
            flash(request, "已登记检查项")
            return RedirectResponse(f"/patrols/{patrol_id}", 303)
    attach_errors(fields, errors)
    with ctx.session_factory() as session:
        return _patrol_page(request, actor, session, patrol_id, fields, 422)


def finish_patrol_form(
    patrol_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Finish the member's patrol under way."""
    summary = str(form.get("summary") or "").strip()[:2000]
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.finish_patrol(uow, patrol_id, PatrolFinish(summary=summary)),
        done=lambda read: f"巡查已结束，里程 {read.distance_m / 1000:.2f} 公里",
        back=f"/patrols/{patrol_id}",
        catch=(),
    )


# --- grid member: reports -------------------------------------------------------------------


def grid_report_fields(report_type: str = "hazard") -> list[FormField]:
    """Return the grid report form's controls."""
    kind = FormField("report_type", "上报类型", "select", required=True, nullable=False)
    kind.choices = _choices(GRID_REPORT_TYPE_LABELS)
    kind.value = report_type if report_type in GRID_REPORT_TYPE_LABELS else "hazard"
    category = FormField("category", "类别", "select", required=True, nullable=False)
    category.choices = _choices(
        HAZARD_KIND_LABELS if kind.value == "hazard" else EVENT_CATEGORY_LABELS
    )
    return [
        kind,
        category,
        FormField("title", "标题", "text", required=True, maxlength=200),
        FormField("description", "描述", "textarea", maxlength=4000),
        FormField("longitude", "经度", "number", step="0.000001"),
        FormField("latitude", "纬度", "number", step="0.000001"),
        FormField("patrol_id", "所属巡查", "text"),
    ]


def _grid_form(
    request: Request,
    actor: Actor,
    fields: list[FormField],
    general: Sequence[str] = (),
    status: int = 200,
) -> Response:
    context = {
        "title": "隐患/事件上报",
        "fields": fields,
        "general": list(general),
        "map": map_config(request),
        "categories": {
            "hazard": _choices(HAZARD_KIND_LABELS),
            "event": _choices(EVENT_CATEGORY_LABELS),
        },
    }
    return render_page(request, actor, "patrols/grid_report_form.html", context, status)


def new_grid_report(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the phone form for a hazard or event report (linked to the patrol under way)."""
    if not has_role(actor, GRID_REPORTERS):
        raise PermissionDenied("无权上报")
    fields = grid_report_fields(str(request.query_params.get("report_type") or "hazard"))
    ongoing = queries.ongoing_patrol(session, actor)
    if ongoing is not None:
        next(f for f in fields if f.name == "patrol_id").value = str(ongoing.id)
    return _grid_form(request, actor, fields)


def create_grid_report(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Record a grid report from the phone form (photos stored first)."""
    fields = grid_report_fields(str(form.get("report_type") or "hazard"))
    data = _read_fields(fields, form)
    errors: list[FieldError] = []
    body = _validate(GridReportCreate, data, errors)
    photos = _photos(request, form, errors) if body is not None else []
    if body is not None and not errors:
        assert isinstance(body, GridReportCreate)
        body = body.model_copy(update={"photo_keys": photos})
        try:
            with ctx.uow(actor) as uow:
                read = service.report_from_grid(uow, body)
                uow.commit()
        except ValidationFailed as exc:
            errors = list(exc.errors) or [FieldError("form", exc.detail)]
        else:
            what = "隐患已进入整改闭环" if read.hazard_id else "事件已上报值班室"
            flash(request, f"上报成功（编号 {read.id}），{what}")
            target = f"/patrols/{read.patrol_id}" if read.patrol_id else "/patrols"
            return RedirectResponse(target, 303)
    general = attach_errors(fields, errors)
    return _grid_form(request, actor, fields, general, 422)


# --- supervisors ----------------------------------------------------------------------------


def coverage_page(request: Request, actor: PageActor, ctx: Ctx, session: ReadSession) -> Response:
    """Show per grid (or village) whether it was patrolled on a day, and what was found."""
    require_role(actor, SUPERVISORS, "无权查看巡查覆盖情况")
    raw = str(request.query_params.get("day") or "")
    today = local_today(ctx.settings.timezone, ctx.clock.now())
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    read = queries.coverage(session, actor, day, timezone=ctx.settings.timezone)
    context = {"title": "巡查覆盖情况", "coverage": read, "day": day.isoformat()}
    return render_page(request, actor, "patrols/coverage.html", context)


def public_reports_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """List visible public reports, newest first, filtered by state."""
    ctx: AppContext = request.app.state.ctx
    tz = ctx.settings.timezone
    raw_state = str(request.query_params.get("state") or "")
    state = raw_state if raw_state in REPORT_STATE_LABELS else None
    filters = PublicReportFilters.model_validate({"state": state})
    params = PageParams(page=_page_number(request.query_params.get("page")), size=PAGE_SIZE)
    page = queries.page_public_reports(session, actor, params, filters)
    rows = [
        {"row": r, "at": format_local(r.created_at, tz), "badge": _STATE_BADGES[r.state.value]}
        for r in page.items
    ]
    context = {
        "title": "举报受理",
        "rows": rows,
        "page": page,
        "state": state or "",
        "states": _choices(REPORT_STATE_LABELS),
        "filter_query": urlencode({"state": state}) if state else "",
    }
    return render_page(request, actor, "patrols/public_reports.html", context)


def public_report_page(
    report_id: int, request: Request, actor: PageActor, session: ReadSession
) -> Response:
    """Show a public report with the actions the actor may take."""
    return _report_page(request, actor, session, report_id)


def _report_page(
    request: Request,
    actor: Actor,
    session: Session,
    report_id: int,
    general: Sequence[str] = (),
    status: int = 200,
) -> Response:
    read = queries.get_public_report(session, actor, report_id)
    ctx: AppContext = request.app.state.ctx
    tz = ctx.settings.timezone
    can_handle = has_role(actor, REPORT_HANDLERS)
    context = {
        "title": f"举报 #{read.id}",
        "report": read,
        "badge": _STATE_BADGES[read.state.value],
        "at": format_local(read.created_at, tz),
        "replied_at": format_local(read.replied_at, tz),
        "paid_at": format_local(read.reward_paid_at, tz),
        "can_decide": can_handle and read.state.value == "received",
        "can_reply": can_handle and read.state.value in ("verified", "unfounded"),
        "can_reward": has_role(actor, REWARD_KEEPERS) and bool(read.verified),
        "reward_labels": REWARD_STATE_LABELS,
        "general": list(general),
        "map": map_config(request),
    }
    return render_page(request, actor, "patrols/public_report.html", context, status)


def public_report_photo(
    report_id: int, key: str, request: Request, actor: PageActor, session: ReadSession
) -> Response:
    """Serve a photo of a visible public report (only keys the report holds)."""
    report = queries.visible_public_report(session, actor, report_id)
    if key not in (report.photo_keys or []):
        raise NotFound("照片不存在")
    try:
        data = request.app.state.ctx.storage.get(key)
    except KeyError:
        raise NotFound("照片不存在") from None
    return file_response(data, key, cache="private, max-age=3600")


def public_report_action(
    report_id: int, action: str, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Apply one action from the report page (verify, dismiss, reply, reward, paid)."""
    text = str(form.get("text") or "").strip()
    messages = {
        "verify": "已核实属实",
        "dismiss": "已核实不属实",
        "reply": "已答复举报人",
        "reward": "已核定奖励",
        "paid": "已登记奖励发放",
    }
    if action not in messages:
        raise PermissionDenied("不支持的操作")
    try:
        with ctx.uow(actor) as uow:
            if action in ("verify", "dismiss"):
                service.decide_public_report(
                    uow, report_id, ReportAction(action), ReportDecision(note=text[:2000])
                )
            elif action == "reply":
                service.reply_public_report(uow, report_id, ReportReply(reply=text[:4000]))
            elif action == "reward":
                try:
                    amount = Decimal(str(form.get("amount") or ""))
                except InvalidOperation:
                    raise ValidationFailed([FieldError("amount", "请输入金额")]) from None
                service.grant_reward(
                    uow,
                    report_id,
                    RewardGrant(amount=amount, note=text[:1000]),
                    config=report_config(ctx),
                )
            else:
                service.pay_reward(uow, report_id, RewardPayment(note=text[:1000]))
            uow.commit()
    except (ValidationFailed, ValidationError, Conflict) as exc:
        if isinstance(exc, ValidationError):
            reasons = [e.reason for e in validation_errors(exc)]
        elif isinstance(exc, ValidationFailed):
            reasons = [e.reason for e in exc.errors] or [exc.detail]
        else:
            reasons = [exc.detail]
        with ctx.session_factory() as session:
            return _report_page(request, actor, session, report_id, reasons, 422)
    flash(request, messages[action])
    return RedirectResponse(f"/public-reports/{report_id}", 303)


# --- routes and menu ------------------------------------------------------------------------


def _nav(endpoint: Any, title: str, url: str, roles: Iterable[str]) -> Any:
    return mark_nav(endpoint, NavEntry("supervision", title, url, frozenset(roles)))


router.add_api_route("/report", public_form, methods=["GET"])
router.add_api_route("/report", submit_public_report, methods=["POST"])
router.add_api_route("/report/track", track_page, methods=["GET"])
router.add_api_route(
    "/patrols", _nav(patrols_page, "网格巡查", "/patrols", _PATROL_READERS), methods=["GET"]
)
router.add_api_route("/patrols/start", start_patrol_form, methods=["POST"])
router.add_api_route(
    "/patrols/coverage",
    _nav(coverage_page, "巡查覆盖", "/patrols/coverage", SUPERVISORS),
    methods=["GET"],
)
router.add_api_route("/patrols/{patrol_id}", patrol_page, methods=["GET"])
router.add_api_route("/patrols/{patrol_id}/checks", add_check_form, methods=["POST"])
router.add_api_route("/patrols/{patrol_id}/finish", finish_patrol_form, methods=["POST"])
router.add_api_route(
    "/grid-reports/new",
    _nav(new_grid_report, "隐患/事件上报", "/grid-reports/new", _GRID_REPORTERS),
    methods=["GET"],
)
router.add_api_route("/grid-reports/new", create_grid_report, methods=["POST"])
router.add_api_route(
    "/public-reports",
    _nav(public_reports_page, "举报受理", "/public-reports", _REPORT_READERS),
    methods=["GET"],
)
router.add_api_route("/public-reports/{report_id}", public_report_page, methods=["GET"])
router.add_api_route(
    "/public-reports/{report_id}/photos/{key}", public_report_photo, methods=["GET"]
)
router.add_api_route("/public-reports/{report_id}/{action}", public_report_action, methods=["POST"])

routers = [router]
