"""The incident's command page (指挥处置): matching plans and activation, recommended teams
and dispatch orders with their steps, the plan tasks, and the review once it is closed.

It composes the lower domains' services; each button posts here and comes back, so the duty
officer works one incident from one page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from yingji.accounts.pages import render_page
from yingji.core.actor import Actor
from yingji.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.incidents.dispatch import nearby, queries, service
from yingji.incidents.dispatch.api import travel_model
from yingji.incidents.dispatch.rules import ACTION_LABELS
from yingji.incidents.dispatch.rules import MACHINE as ORDER_MACHINE
from yingji.incidents.dispatch.schemas import OrderAction, OrderCreate, RecommendQuery
from yingji.incidents.queries import get_incident
from yingji.incidents.review import queries as review_queries
from yingji.incidents.review import service as review_service
from yingji.incidents.review.schemas import ReviewCreate
from yingji.plans import queries as plan_queries
from yingji.plans import service as plan_service
from yingji.plans.schemas import ActivationIn, Situation
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor

router = APIRouter(include_in_schema=False)
PAGE = "/incidents/{incident_id}/response"


def _back(request: Request, incident_id: int, message: str, category: str = "success") -> Response:
    flash(request, message, category)
    return RedirectResponse(PAGE.format(incident_id=incident_id), status_code=303)


def _refused(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return "；".join(e.reason for e in exc.errors)
    return exc.detail


def _act(
    request: Request,
    ctx: AppContext,
    actor: Actor,
    incident_id: int,
    write: Callable[[UnitOfWork], object],
    done: str,
) -> Response:
    # Only refusals (conflict, invalid input) are flashed; anything else reaches the error page.
    return act(
        request,
        ctx,
        actor,
        write,
        done=done,
        back=PAGE.format(incident_id=incident_id),
        refusal=_refused,
        reraise=(),
        catch=(Conflict, ValidationFailed),
    )


def _response_map(
    ctx: AppContext, session: Session, actor: Actor, lon: float, lat: float, title: str
) -> tuple[dict[str, Any], list[Any]]:
    """Return the map's configuration (data attributes) and the recommended teams."""
    model = travel_model(ctx)
    recommendation = queries.recommend(
        session, RecommendQuery(longitude=lon, latitude=lat, limit=8), model, actor=actor
    )
    ring_list = nearby.rings(model)
    # Resources are shown as far as the outermost ring reaches: beyond it they are not "near".
    found = nearby.nearby_resources(session, lon, lat, ring_list[-1].radius_km, model)
    settings = ctx.settings
    config = {
        "incident": {"lon": lon, "lat": lat, "title": title},
        "rings": [{"minutes": r.minutes, "radius_km": r.radius_km} for r in ring_list],
        "teams": nearby.team_markers(session, recommendation.teams),
        "resources": {
            "equipment": found.equipment,
            "shelters": found.shelters,
            "warehouses": found.warehouses,
        },
        "tiles": getattr(settings, "map_tiles_url", ""),
        "divisions": "/api/v1/divisions.geojson?level=township",
        "teams_within_hour": recommendation.teams_within_hour,
        "travel_model": recommendation.travel_model,
    }
    return config, list(recommendation.teams)


def response_page(incident_id: int, request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show what the command post needs to work one incident."""
    now = ctx.clock.now()
    with ctx.session_factory() as session:
        incident = get_incident(session, actor, incident_id, now=now)
        situation = Situation(
            event_type=incident.type,
            grade=incident.grade,
            deaths=incident.deaths,
            injuries=incident.injuries + incident.serious_injuries,
            loss_wan_yuan=incident.direct_loss_wan_yuan,
            division_code=incident.division_code,
        )
        matches = plan_queries.match_plans(session, actor, situation)
        teams: list[Any] = []
        response_map: dict[str, Any] | None = None
        if incident.longitude is not None and incident.latitude is not None:
            response_map, teams = _response_map(
                ctx, session, actor, incident.longitude, incident.latitude, incident.title
            )
        orders = queries.list_orders(session, actor, incident_id)
        tasks = plan_queries.list_tasks(session, actor, now, incident_id=incident_id)
        try:
            review = review_queries.get_review(session, actor, incident_id)
        except NotFound:
            review = None
    allowed = {o.id: ORDER_MACHINE.actions_from(o.state) for o in orders}
    context = {
        "title": f"指挥处置：{incident.title}",
        "incident": incident,
        "matches": matches,
        "teams": teams,
        "response_map": response_map,
        "orders": orders,
        "allowed": allowed,
        "action_labels": ACTION_LABELS,
        "tasks": tasks,
        "review": review,
    }
    return render_page(request, actor, "response/response.html", context)


def activate(
    incident_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Start a matched plan at its level for this incident."""
    plan_id = int(str(form.get("plan_id") or "0") or 0)
    level = int(str(form.get("level") or "0") or 0)

    def run(uow: UnitOfWork) -> None:
        get_incident(uow.session, actor, incident_id)
        plan_service.activate_plan(uow, plan_id, ActivationIn(level=level, incident_id=incident_id))

    return _act(request, ctx, actor, incident_id, run, "预案已启动，任务已下达")


def dispatch_team(
    incident_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Request the chosen team for this incident (to its location)."""
    team_id = int(str(form.get("team_id") or "0") or 0)
    try:
        with ctx.uow(actor) as uow:
            incident = get_incident(uow.session, actor, incident_id)
            if incident.longitude is None or incident.latitude is None:
                return _back(request, incident_id, "事件没有位置，不能调度", "error")
            service.request_dispatch(
                uow,
                OrderCreate(
                    incident_id=incident_id,
                    resource_kind="team",
                    team_id=team_id,
                    longitude=incident.longitude,
                    latitude=incident.latitude,
                ),
                travel_model(ctx),
            )
            uow.commit()
    except (Conflict, ValidationFailed) as exc:
        return _back(request, incident_id, _refused(exc), "error")
    return _back(request, incident_id, "已申请调派")


def order_step(
    incident_id: int,
    order_id: int,
    action: str,
    request: Request,
    actor: PageActor,
    form: CheckedForm,
    ctx: Ctx,
) -> Response:
    """Move a dispatch order one step."""
    note = OrderAction(note=str(form.get("note") or ""))
    done = f"调度单已{ACTION_LABELS.get(action, action)}"
    return _act(
        request,
        ctx,
        actor,
        incident_id,
        lambda uow: service.advance_order(uow, order_id, action, note),
        done,
    )


def start_review(
    incident_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Open the review of the closed incident."""
    body = ReviewCreate(summary=str(form.get("summary") or ""))
    return _act(
        request,
        ctx,
        actor,
        incident_id,
        lambda uow: review_service.open_review(uow, incident_id, body),
        "已生成复盘",
    )


router.add_api_route(PAGE, response_page, methods=["GET"])
router.add_api_route(PAGE + "/activate", activate, methods=["POST"])
router.add_api_route(PAGE + "/dispatch", dispatch_team, methods=["POST"])
router.add_api_route(PAGE + "/orders/{order_id}/{action}", order_step, methods=["POST"])
router.add_api_route(PAGE + "/review", start_review, methods=["POST"])

routers = [router]
