"""Pages: disaster processes, each township's standing, and the phone-sized report form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import has_role
from yingji.core.actor import Actor
from yingji.core.clock import parse_local
from yingji.core.errors import Conflict, FieldError, ValidationFailed
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.incidents.disaster_reports import queries, service
from yingji.incidents.disaster_reports.rules import FIELDS, HAZARD_LABELS, KIND_LABELS
from yingji.incidents.disaster_reports.schemas import ProcessCreate, ReportCreate
from yingji.registry.forms import validation_errors
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor

router = APIRouter(include_in_schema=False)
BASE = "/disaster-reports"
_READERS = frozenset(r.value for r in service.REPORTERS)
_COORDINATORS = frozenset(r.value for r in service.COORDINATORS)


def list_page(request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the processes the user may see, and the form to open one (coordinators)."""
    with ctx.session_factory() as session:
        processes = queries.list_processes(session, actor)
    context = {
        "title": "灾情报送",
        "processes": processes,
        "hazards": HAZARD_LABELS,
        "can_open": has_role(actor, _COORDINATORS),
        "errors": [],
    }
    return render_page(request, actor, "disaster_reports/list.html", context)


def open_process(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Open a process from the form, or show the list again with the reasons."""
    started = parse_local(str(form.get("started_at") or ""), ctx.settings.timezone)
    errors: list[FieldError] = []
    try:
        body = ProcessCreate.model_validate(
            {
                "name": str(form.get("name") or "").strip(),
                "hazard_type": str(form.get("hazard_type") or ""),
                "started_at": started,
            }
        )
        with ctx.uow(actor) as uow:
            process_id = service.open_process(uow, body, district_code=ctx.settings.district_code)
            uow.commit()
    except ValidationError as exc:
        errors = validation_errors(exc, [])
    except ValidationFailed as exc:
        errors = list(exc.errors)
    else:
        flash(request, "已启动灾害过程，各乡镇（街道）须在 2 小时内报送初报")
        return RedirectResponse(f"{BASE}/{process_id}", status_code=303)
    with ctx.session_factory() as session:
        processes = queries.list_processes(session, actor)
    context = {
        "title": "灾情报送",
        "processes": processes,
        "hazards": HAZARD_LABELS,
        "can_open": True,
        "errors": errors,
    }
    return render_page(request, actor, "disaster_reports/list.html", context, 422)


def process_page(process_id: int, request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show each township's standing, the totals, and the actions the user may take."""
    with ctx.session_factory() as session:
        read = queries.process_read(session, actor, process_id, ctx.clock.now())
    context = {
        "title": read.name,
        "process": read,
        "fields": FIELDS,
        "kinds": KIND_LABELS,
        "can_stabilise": has_role(actor, _COORDINATORS) and read.state == "active",
    }
    return render_page(request, actor, "disaster_reports/process.html", context)


def stabilise(
    process_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Mark the process stabilised."""
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.stabilise_process(uow, process_id),
        done="已标记灾情稳定，各乡镇（街道）须报送核报",
        back=f"{BASE}/{process_id}",
        catch=(),
    )


def _report_form(
    request: Request,
    actor: Actor,
    ctx: AppContext,
    process_id: int,
    town: str,
    *,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Response:
    with ctx.session_factory() as session:
        read = queries.process_read(session, actor, process_id, ctx.clock.now())
    township = next((t for t in read.townships if t.division_code == town), None)
    if township is None:
        township = read.townships[0] if len(read.townships) == 1 else None
    previous = {k: str(v) for k, v in township.figures.items()} if township else {}
    context = {
        "title": f"报送灾情：{read.name}",
        "process": read,
        "township": township,
        "townships": read.townships,
        "fields": FIELDS,
        "kinds": KIND_LABELS,
        "values": values if values is not None else previous,
        "errors": errors or [],
        "by_field": {e.field: e.reason for e in (errors or [])},
    }
    return render_page(request, actor, "disaster_reports/report_form.html", context, status)


def report_form(
    process_id: int, request: Request, actor: PageActor, ctx: Ctx, division_code: str = ""
) -> Response:
    """Show the report form, prefilled with the township's last figures (cumulative)."""
    return _report_form(request, actor, ctx, process_id, division_code or actor.division_code or "")


def submit_report(
    process_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Store the posted report, or show the form again with each reason by its field."""
    town = str(form.get("division_code") or "")
    values = {f.name: str(form.get(f.name) or "").strip() for f in FIELDS}
    errors: list[FieldError] = []
    figures: dict[str, Decimal] = {}
    for name, raw in values.items():
        if not raw:
            continue
        try:
            figures[name] = Decimal(raw)
        except InvalidOperation:
            errors.append(FieldError(f"figures.{name}", "应为数字"))
    as_of = parse_local(str(form.get("as_of") or ""), ctx.settings.timezone) or ctx.clock.now()
    if not errors:
        try:
            body = ReportCreate.model_validate(
                {
                    "division_code": town,
                    "kind": str(form.get("kind") or ""),
                    "as_of": as_of,
                    "figures": figures,
                    "narrative": str(form.get("narrative") or ""),
                    "correction_reason": str(form.get("correction_reason") or "") or None,
                }
            )
            with ctx.uow(actor) as uow:
                service.submit_report(uow, process_id, body)
                uow.commit()
        except ValidationError as exc:
            errors = validation_errors(exc, [])
        except ValidationFailed as exc:
            errors = list(exc.errors)
        except Conflict as exc:
            errors = [FieldError("kind", exc.detail)]
        else:
            flash(request, "灾情已报送")
            return RedirectResponse(f"{BASE}/{process_id}", status_code=303)
    return _report_form(
        request, actor, ctx, process_id, town, values=values, errors=errors, status=422
    )


def _nav(endpoint: Any) -> Any:
    return mark_nav(endpoint, NavEntry("response", "灾情报送", BASE, _READERS))


router.add_api_route(BASE, _nav(list_page), methods=["GET"])
router.add_api_route(BASE, open_process, methods=["POST"])
router.add_api_route(BASE + "/{process_id}", process_page, methods=["GET"])
router.add_api_route(BASE + "/{process_id}/stabilise", stabilise, methods=["POST"])
router.add_api_route(BASE + "/{process_id}/report", report_form, methods=["GET"])
router.add_api_route(BASE + "/{process_id}/report", submit_report, methods=["POST"])

routers = [router]
