"""Pages: plan an evacuation (pick villages, limits) and read a stored plan with its map."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.geo.models import Division
from yingji.incidents.evacuation import queries, service
from yingji.incidents.evacuation.schemas import EvacuationRequest
from yingji.registry.forms import validation_errors
from yingji.resources.shelters.schemas import CLASS_LABELS
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)
BASE = "/evacuation"
_PLANNERS = frozenset(r.value for r in service.PLANNERS)


def _villages(session: Session, actor: Actor) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Division)
        .where(Division.level == "village", scope_clause(actor, Division.code))
        .order_by(Division.code)
    )
    return [{"code": d.code, "name": d.name, "population": d.population} for d in rows]


def _form(
    request: Request,
    actor: Actor,
    session: Session,
    *,
    chosen: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "title": "转移安置方案",
        "villages": _villages(session, actor),
        "chosen": chosen or {},
        "errors": errors or [],
        "classes": list(CLASS_LABELS.items()),
        "plans": queries.list_plans(session, actor)[:20],
    }
    return render_page(request, actor, "evacuation/form.html", context, status)


def form_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the planning form: villages in scope with their population, and the limits."""
    require_role(actor, _PLANNERS, "当前角色不能编制转移安置方案")
    return _form(request, actor, session)


def _request(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    codes = [str(c) for c in form.getlist("village")]
    chosen = {code: str(form.get(f"pop_{code}") or "").strip() for code in codes}
    data: dict[str, Any] = {
        "title": str(form.get("title") or "转移安置方案").strip() or "转移安置方案",
        "village_codes": codes,
        "populations": {code: value for code, value in chosen.items() if value},
    }
    classes = [str(c) for c in form.getlist("shelter_class")]
    if classes:
        data["shelter_classes"] = classes
    for name in ("max_distance_km", "detour_factor"):
        raw = str(form.get(name) or "").strip()
        if raw:
            data[name] = raw
    return data, chosen


def create_plan(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Compute and store the plan, then show it; or show the form with the reasons."""
    data, chosen = _request(form)
    errors: list[FieldError] = []
    try:
        body = EvacuationRequest.model_validate(data)
        with ctx.uow(actor) as uow:
            plan_id = service.plan_evacuation_for(
                uow, body, min_area_m2=ctx.settings.shelter_min_area_m2
            )
            uow.commit()
    except ValidationError as exc:
        errors = validation_errors(exc, [])
    except ValidationFailed as exc:
        errors = list(exc.errors)
    else:
        flash(request, "已生成转移安置方案")
        return RedirectResponse(f"{BASE}/{plan_id}", status_code=303)
    with ctx.session_factory() as session:
        return _form(request, actor, session, chosen=chosen, errors=errors, status=422)


def plan_page(plan_id: int, request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show a stored plan: totals, moves, unplaced people, shelter loads and the map."""
    plan = queries.get_plan(session, actor, plan_id)
    divisions = queries.divisions_by_code(session, plan.village_codes)
    points = {code: queries.village_point(d) for code, d in divisions.items()}
    shelters = {s.id: s for s in queries.open_shelters(session)}
    lines = [
        {
            "from": points.get(m.village_code),
            "to": [shelters[m.shelter_id].longitude, shelters[m.shelter_id].latitude]
            if m.shelter_id in shelters
            else None,
            "label": f"{m.village_name} → {m.shelter_name} {m.persons} 人",
        }
        for m in plan.moves
    ]
    context = {
        "title": plan.title,
        "plan": plan,
        "class_labels": CLASS_LABELS,
        "lines": [line for line in lines if line["from"] and line["to"]],
        "tiles": ctx_settings(request).map_tiles_url,
    }
    return render_page(request, actor, "evacuation/plan.html", context)


def ctx_settings(request: Request) -> Any:
    """Return the application settings (tiles URL for the map)."""
    return request.app.state.ctx.settings


router.add_api_route(
    BASE,
    mark_nav(form_page, NavEntry("response", "转移安置", BASE, _PLANNERS)),
    methods=["GET"],
)
router.add_api_route(BASE, create_plan, methods=["POST"])
router.add_api_route(BASE + "/{plan_id}", plan_page, methods=["GET"])

routers = [router]
