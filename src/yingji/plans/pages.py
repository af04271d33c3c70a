"""Pages: the plan library (with drill/evaluation flags), a plan's structure and history with
activation, the task board where departments read, acknowledge, report back and finish, and
the editor side: a new plan, the draft structure editor, publication, drills, evaluations and
the spreadsheet import.

The editor posts indexed field names (``levels-0-level``, ``templates-3-action``); the server
turns them into the ``VersionIn`` shape and validates through it, so the page accepts exactly
what the JSON API accepts, and each error is shown next to the field it belongs to.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from yingji.accounts import queries as accounts_queries
from yingji.accounts.pages import render_page
from yingji.accounts.rules import Role
from yingji.accounts.schemas import ROLE_LABELS, has_role, require_role
from yingji.core.actor import Actor
from yingji.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from yingji.core.excel import read_limited
from yingji.core.messages import pydantic_reason
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.plans import imports, queries, service
from yingji.plans.rules import (
    GRADE_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    MACHINE,
    TASK_ACTION_LABELS,
    WARNING_LABELS,
)
from yingji.plans.schemas import (
    ActivationIn,
    DrillIn,
    EvaluationIn,
    PlanCreate,
    TaskActionIn,
    VersionIn,
)
from yingji.registry.forms import LIST_SPLIT
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor

router = APIRouter(include_in_schema=False)
LIBRARY = "/plans"
TASKS = "/plan-tasks"
_ACTIVATORS = frozenset(r.value for r in service.ACTIVATORS)


def library(request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the plans the user may see, flagging overdue evaluations and drills."""
    with ctx.session_factory() as session:
        plans = queries.list_plans(session, actor, ctx.clock.now().date())
    context = {"title": "应急预案", "plans": plans, "can_create": has_role(actor, _AUTHORS)}
    return render_page(request, actor, "plans/library.html", context)


def plan_page(plan_id: int, request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show a plan's current structure, versions, drills and the activation form."""
    return _plan_page(plan_id, request, actor, ctx, [])


def _plan_page(
    plan_id: int,
    request: Request,
    actor: Actor,
    ctx: AppContext,
    errors: list[FieldError],
    form_errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
    import_errors: list[FieldError] | None = None,
) -> Response:
    # ``form_errors`` by form (drill, evaluation, import), then by field; ``values`` re-fill
    # the form that failed so nothing typed is lost.
    form_errors = form_errors or {}
    with ctx.session_factory() as session:
        detail = queries.plan_detail(session, actor, plan_id, ctx.clock.now().date())
        plan = queries.get_plan_row(session, actor, plan_id)
        editable = service.can_edit(actor, plan)
    failed = bool(errors or form_errors or import_errors)
    context = {
        "title": detail["name"],
        "plan": detail,
        "kinds": KIND_LABELS,
        "levels": LEVEL_LABELS,
        "can_activate": has_role(actor, _ACTIVATORS) and detail["current"] is not None,
        "can_edit": editable,
        "errors": errors or [],
        "form_errors": form_errors,
        "values": values or {},
        "import_errors": import_errors or [],
        "drill_forms": _DRILL_FORMS,
        "today": ctx.clock.now().date(),
    }
    return render_page(request, actor, "plans/plan.html", context, 422 if failed else 200)


def activate(
    plan_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
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


def task_board(request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the user's tasks (overdue first) with the actions each allows."""
    with ctx.session_factory() as session:
        tasks = queries.list_tasks(session, actor, ctx.clock.now(), with_history=True)
    # Each card shows the board's forms for the actions the task machine offers in its state.
    allowed = {t.id: MACHINE.actions_from(t.state) for t in tasks}
    context = {
        "title": "预案任务",
        "tasks": tasks,
        "actions": TASK_ACTION_LABELS,
        "allowed": allowed,
    }
    return render_page(request, actor, "plans/tasks.html", context)


def _task_action_body(ctx: AppContext, actor: Actor, task_id: int, form: FormData) -> TaskActionIn:
    """Read a board form into ``TaskActionIn``, storing its photo first (422 when refused)."""
    from yingji.core import files

    with ctx.session_factory() as session:
        queries.get_task_row(session, actor, task_id)  # 404 before anything is stored
    photo_key: str | None = None
    upload = form.get("photo")
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            photo_key = files.store(
                ctx.storage,
                upload.file,
                allowed=service.PHOTO_MIMES,
                limit=ctx.settings.upload_max_bytes,
            )
        except files.UploadRefused as exc:
            raise ValidationFailed([FieldError("photo", str(exc))]) from None
    longitude, latitude = _float(form.get("longitude")), _float(form.get("latitude"))
    if longitude is None or latitude is None:
        longitude = latitude = None  # half a position is no position
    try:
        return TaskActionIn(
            text=str(form.get("text") or ""),
            longitude=longitude,
            latitude=latitude,
            photo_key=photo_key,
        )
    except ValidationError:
        raise ValidationFailed([FieldError("longitude", "位置无效")]) from None


def _float(value: object) -> float | None:
    try:
        return float(str(value)) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return None


def task_action(
    task_id: int, action: str, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Apply a task action from the board; a refused one is flashed with its reason.

    The feedback form may carry a photo (multipart ``photo``) and the phone's position
    (hidden ``longitude``/``latitude`` filled from the browser's geolocation).
    """
    label = TASK_ACTION_LABELS.get(action, action)

    def run(uow: UnitOfWork) -> str:
        body = _task_action_body(ctx, actor, task_id, form)
        return service.act_on_task(uow, task_id, action, body, storage=ctx.storage)

    return act(
        request,
        ctx,
        actor,
        run,
        done=lambda state: f"任务已{label}（{state}）",
        back=TASKS,
        reraise=(),
        catch=(Conflict, ValidationFailed),
    )


# --- plan creation and the draft editor -----------------------------------------------------------

NEW = LIBRARY + "/new"
# Roles that may write some plan (service.can_edit decides for the plan itself).
_AUTHORS = frozenset(
    r.value
    for r in (
        Role.ADMIN,
        Role.BUREAU_STAFF,
        Role.TOWNSHIP_OFFICER,
        Role.DEPARTMENT_OFFICER,
        Role.ENTERPRISE_OFFICER,
    )
)
_INDEXED = re.compile(r"^(levels|templates)-(\d{1,3})-([a-z_]+)$")
_LEVEL_KEYS = ("level", "description")
_CRITERIA_KEYS = (
    "event_types",
    "min_grade",
    "min_warning_level",
    "min_deaths",
    "min_injuries",
    "min_loss_wan_yuan",
    "division_codes",
)
_TEMPLATE_KEYS = ("level", "action", "department_id", "role", "deadline_minutes", "resources")
_LIST_KEYS = frozenset({"event_types", "division_codes", "resources"})
_DRILL_FORMS = {"tabletop": "桌面推演", "functional": "功能演练", "full_scale": "实战演练"}
# core.messages has no Chinese for list lengths yet; these two lists are all the editor has.
_LIST_REASONS = {
    ("levels", "too_short"): "至少设置一个响应等级",
    ("levels", "too_long"): "最多设置四个响应等级（Ⅰ—Ⅳ级）",
    ("templates", "too_long"): "任务模板不能超过 500 条",
}
_ROLE_CHOICES = {r.value: label for r, label in ROLE_LABELS.items()}


def _split(raw: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(raw) if part.strip()]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_structure_form(form: FormData) -> tuple[list[dict[str, str]], list[dict[str, str]], str]:
    """Return the posted level rows and template rows (raw strings, form index order), summary.

    Rows are kept in the order of their index: the browser may leave gaps after removing rows.
    Each row remembers its form index (``_i``) so an error finds its way back to its field.
    """
    rows: dict[str, dict[int, dict[str, str]]] = {"levels": {}, "templates": {}}
    for key in form:
        found = _INDEXED.match(key)
        if found is None:
            continue
        group, index, name = found.group(1), int(found.group(2)), found.group(3)
        rows[group].setdefault(index, {"_i": str(index)})[name] = _text(form, key)
    levels = [rows["levels"][i] for i in sorted(rows["levels"])]
    templates = [rows["templates"][i] for i in sorted(rows["templates"])]
    # A blank template row (added, never filled) is not a task.
    templates = [t for t in templates if any(t.get(k) for k in ("action", "deadline_minutes"))]
    return levels, templates, _text(form, "summary")


def _payload(levels: list[dict[str, str]], templates: list[dict[str, str]], summary: str) -> Any:
    def value(name: str, raw: str) -> Any:
        return _split(raw) if name in _LIST_KEYS else raw

    return {
        "summary": summary,
        "levels": [
            {
                "level": row.get("level", ""),
                "description": row.get("description", ""),
                "criteria": {
                    k: value(k, row[k]) for k in _CRITERIA_KEYS if row.get(k) not in (None, "")
                },
            }
            for row in levels
        ],
        "templates": [
            {k: value(k, row[k]) for k in _TEMPLATE_KEYS if row.get(k) not in (None, "")}
            for row in templates
        ],
    }


def structure_errors(
    levels: list[dict[str, str]], templates: list[dict[str, str]], summary: str
) -> tuple[VersionIn | None, dict[str, str], list[str]]:
    """Validate the posted structure through ``VersionIn``.

    Return the version (None when invalid), errors by form field name (``levels-0-level``,
    ``templates-3`` for a whole row) and the errors that belong to no single field.
    """
    try:
        return VersionIn.model_validate(_payload(levels, templates, summary)), {}, []
    except ValidationError as exc:
        problems = exc.errors()
    fields: dict[str, str] = {}
    general: list[str] = []
    for problem in problems:
        loc = [str(p) for p in problem["loc"]]
        reason = pydantic_reason(problem)
        if len(loc) >= 2 and loc[0] in ("levels", "templates") and loc[1].isdigit():
            rows = levels if loc[0] == "levels" else templates
            index = rows[int(loc[1])]["_i"]
            name = next((p for p in reversed(loc[2:]) if not p.isdigit()), "")
            fields.setdefault(f"{loc[0]}-{index}" + (f"-{name}" if name else ""), reason)
        elif loc in (["levels"], ["templates"]):
            general.append(_LIST_REASONS.get((loc[0], problem["type"]), reason))
        else:
            general.append(reason)
    if general and not fields:
        # The version-wide checks (a level twice, a task of a missing level) name the rows.
        located = _cross_row_errors(levels, templates)
        if located:
            fields.update(located)
            general = []
    return None, fields, general


def _cross_row_errors(
    levels: list[dict[str, str]], templates: list[dict[str, str]]
) -> dict[str, str]:
    out: dict[str, str] = {}
    seen: set[str] = set()
    for row in levels:
        if row.get("level") in seen:
            out[f"levels-{row['_i']}-level"] = "响应等级重复"
        seen.add(row.get("level", ""))
    for row in templates:
        if row.get("level") not in seen:
            out[f"templates-{row['_i']}-level"] = "所属的响应等级未定义"
    return out


def _rows_from_version(structure: dict[str, Any] | None) -> tuple[list[Any], list[Any], str]:
    # Turn a stored version into form rows (strings), the shape a re-shown post also has.
    if structure is None:
        return [{"_i": "0", "level": "4"}], [], ""
    levels = []
    for i, lv in enumerate(structure["levels"]):
        crit = lv["criteria"]
        row = {"_i": str(i), "level": str(lv["level"]), "description": lv["description"]}
        for key in _CRITERIA_KEYS:
            raw = crit.get(key)
            if isinstance(raw, list):
                row[key] = "、".join(str(x) for x in raw)
            elif raw is not None:
                row[key] = str(raw)
        levels.append(row)
    templates = []
    for i, t in enumerate(structure["templates"]):
        templates.append(
            {
                "_i": str(i),
                "level": str(t["level"]),
                "action": t["action"],
                "department_id": str(t["department_id"] or ""),
                "role": t["role"] or "",
                "deadline_minutes": str(t["deadline_minutes"]),
                "resources": "、".join(t["resources"]),
            }
        )
    return levels, templates, str(structure["summary"] or "")


def _editable_plan(ctx: AppContext, actor: Actor, plan_id: int) -> dict[str, Any]:
    with ctx.session_factory() as session:
        plan = queries.get_plan_row(session, actor, plan_id)
        if not service.can_edit(actor, plan):
            raise PermissionDenied("无权修改此应急预案")
        return queries.plan_detail(session, actor, plan_id, ctx.clock.now().date())


def _choices(ctx: AppContext) -> dict[str, Any]:
    with ctx.session_factory() as session:
        departments = [(d.id, d.name) for d in accounts_queries.list_departments(session)]
    return {
        "departments": departments,
        "roles": _ROLE_CHOICES,
        "grades": GRADE_LABELS,
        "warnings": WARNING_LABELS,
        "levels": LEVEL_LABELS,
        "kinds": KIND_LABELS,
    }


def _editor(
    request: Request,
    actor: Actor,
    ctx: AppContext,
    plan: dict[str, Any],
    rows: tuple[list[Any], list[Any], str],
    field_errors: dict[str, str] | None = None,
    general: list[str] | None = None,
) -> Response:
    levels, templates, summary = rows
    failed = bool(field_errors or general)
    context = {
        "title": f"编辑草稿 · {plan['name']}",
        "plan": plan,
        "level_rows": levels,
        "template_rows": templates,
        "summary": summary,
        "field_errors": field_errors or {},
        "general": general or [],
        "from_published": plan["draft"] is None and plan["current"] is not None,
        "next_index": {
            "levels": max([int(r["_i"]) for r in levels] + [-1]) + 1,
            "templates": max([int(r["_i"]) for r in templates] + [-1]) + 1,
        },
    } | _choices(ctx)
    return render_page(request, actor, "plans/editor.html", context, 422 if failed else 200)


def edit_form(plan_id: int, request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the draft editor: the draft if there is one, else the published version to revise."""
    plan = _editable_plan(ctx, actor, plan_id)
    return _editor(request, actor, ctx, plan, _rows_from_version(plan["draft"] or plan["current"]))


def save_edit(
    plan_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Validate the posted structure through VersionIn and save it as the plan's draft."""
    plan = _editable_plan(ctx, actor, plan_id)
    rows = parse_structure_form(form)
    version, field_errors, general = structure_errors(*rows)
    if version is None:
        return _editor(request, actor, ctx, plan, rows, field_errors, general)
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.save_draft(uow, plan_id, version),
        done="草稿已保存",
        back=f"{LIBRARY}/{plan_id}",
        catch=(),
    )


def _new_page(
    request: Request,
    actor: Actor,
    ctx: AppContext,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    context = {"title": "新建应急预案", "values": values, "field_errors": errors or {}}
    context |= _choices(ctx)
    return render_page(request, actor, "plans/new.html", context, 422 if errors else 200)


def _require_author(actor: Actor) -> None:
    require_role(actor, _AUTHORS, "当前角色不能编制应急预案")


def new_form(request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the new-plan form (plan data and its first response level)."""
    _require_author(actor)
    return _new_page(request, actor, ctx, {"level": "4"})


_NEW_FIELDS = (
    "name",
    "kind",
    "filing_number",
    "filing_authority",
    "filed_on",
    "event_types",
    "level",
    "owner_department_id",
)


def create(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Create the plan with a one-level draft, then open the draft editor."""
    _require_author(actor)
    values = {name: _text(form, name) for name in _NEW_FIELDS}
    raw: dict[str, Any] = {
        k: v for k, v in values.items() if v and k not in ("event_types", "level")
    }
    raw["event_types"] = _split(values["event_types"])
    raw["version"] = {"levels": [{"level": values["level"]}]}
    try:
        body = PlanCreate.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for problem in exc.errors():
            loc = [str(p) for p in problem["loc"]]
            name = "level" if loc[:1] == ["version"] else loc[0] if loc else "name"
            errors.setdefault(name, pydantic_reason(problem))
        return _new_page(request, actor, ctx, values, errors)
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.create_plan(uow, body, district_code=ctx.settings.district_code),
        done="预案已创建，请完善草稿结构",
        back=LIBRARY,
        then=lambda plan_id: f"{LIBRARY}/{plan_id}/edit",
        catch=(),
    )


# --- publication, drills, evaluations, import ----------------------------------------------------


def publish(
    plan_id: int, request: Request, actor: PageActor, _form: CheckedForm, ctx: Ctx
) -> Response:
    """Publish the draft: it becomes the current version (a refusal is flashed)."""
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.publish_version(uow, plan_id),
        done="草稿已发布为现行版本",
        back=f"{LIBRARY}/{plan_id}",
        refusal=lambda exc: exc.detail,
        reraise=(),
        catch=(Conflict,),
    )


def _form_errors(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for problem in exc.errors():
        loc = [str(p) for p in problem["loc"]]
        out.setdefault(loc[0] if loc else "form", pydantic_reason(problem))
    return out


def drill(
    plan_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Record a drill held against the plan; errors are shown next to the drill form's fields."""
    _editable_plan(ctx, actor, plan_id)
    names = ("held_on", "form", "participants", "scenario", "findings")
    values = {n: _text(form, n) for n in names}
    try:
        body = DrillIn.model_validate({k: v for k, v in values.items() if v})
        with ctx.uow(actor) as uow:
            service.record_drill(uow, plan_id, body)
            uow.commit()
    except ValidationError as exc:
        return _plan_page(plan_id, request, actor, ctx, [], {"drill": _form_errors(exc)}, values)
    except ValidationFailed as exc:
        errors = {e.field: e.reason for e in exc.errors}
        return _plan_page(plan_id, request, actor, ctx, [], {"drill": errors}, values)
    flash(request, "演练已登记")
    return RedirectResponse(f"{LIBRARY}/{plan_id}", status_code=303)


def evaluation(
    plan_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Record a plan evaluation (date and conclusion)."""
    _editable_plan(ctx, actor, plan_id)
    values = {n: _text(form, n) for n in ("evaluated_on", "conclusion")}
    try:
        body = EvaluationIn.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        errors = {"evaluation": _form_errors(exc)}
        return _plan_page(plan_id, request, actor, ctx, [], errors, values)
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.record_evaluation(uow, plan_id, body),
        done="评估已登记",
        back=f"{LIBRARY}/{plan_id}",
        catch=(),
    )


def import_structure(
    plan_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Read the uploaded workbook into the draft (all or nothing); show every problem."""
    _editable_plan(ctx, actor, plan_id)
    upload = form.get("file")
    content = read_limited(upload.file) if isinstance(upload, UploadFile) else b""
    try:
        if not content:
            raise ValidationFailed([FieldError("file", "请选择要导入的 Excel 文件")])
        with ctx.uow(actor) as uow:
            version = imports.parse_structure(uow.session, content)
            service.save_draft(uow, plan_id, version)
            uow.commit()
    except ValidationFailed as exc:
        return _plan_page(plan_id, request, actor, ctx, [], {"import": {}}, {}, list(exc.errors))
    flash(request, "结构已导入草稿")
    return RedirectResponse(f"{LIBRARY}/{plan_id}/edit", status_code=303)


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("response", title, url))


router.add_api_route(LIBRARY, _nav(library, "应急预案", LIBRARY), methods=["GET"])
router.add_api_route(NEW, new_form, methods=["GET"])
router.add_api_route(NEW, create, methods=["POST"])
router.add_api_route(LIBRARY + "/{plan_id}", plan_page, methods=["GET"])
router.add_api_route(LIBRARY + "/{plan_id}/edit", edit_form, methods=["GET"])
router.add_api_route(LIBRARY + "/{plan_id}/edit", save_edit, methods=["POST"])
router.add_api_route(LIBRARY + "/{plan_id}/publish", publish, methods=["POST"])
router.add_api_route(LIBRARY + "/{plan_id}/drills", drill, methods=["POST"])
router.add_api_route(LIBRARY + "/{plan_id}/evaluations", evaluation, methods=["POST"])
router.add_api_route(LIBRARY + "/{plan_id}/import", import_structure, methods=["POST"])
router.add_api_route(LIBRARY + "/{plan_id}/activate", activate, methods=["POST"])
router.add_api_route(TASKS, _nav(task_board, "预案任务", TASKS), methods=["GET"])
router.add_api_route(TASKS + "/{task_id}/{action}", task_action, methods=["POST"])

routers = [router]
