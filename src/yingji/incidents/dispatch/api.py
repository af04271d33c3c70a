"""Dispatch endpoints: recommendation around an incident, orders and their steps."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.accounts.schemas import require_role
from yingji.core.web.context import AppContext
from yingji.incidents.dispatch import queries, service
from yingji.incidents.dispatch.rules import TravelModel
from yingji.incidents.dispatch.schemas import (
    OrderAction,
    OrderCreate,
    OrderRead,
    Recommendation,
    RecommendQuery,
)
from yingji.incidents.dispatch.service import REQUESTERS
from yingji.web.deps import ApiActor, Ctx, ReadSession

router = APIRouter(tags=["调度"])


def travel_model(ctx: AppContext) -> TravelModel:
    """Return the deployment's travel model (settings, national-scale defaults, road network)."""
    settings = ctx.settings
    return TravelModel(
        detour_factor=settings.dispatch_detour_factor,
        speed_kmh=settings.dispatch_speed_kmh,
        road_network=ctx.adapters.road_network,
    )


@router.post(
    "/api/v1/dispatch/recommendations",
    response_model=Recommendation,
    summary="推荐救援力量、装备和物资（含 1 小时可达）",
)
def recommend(
    body: RecommendQuery, actor: ApiActor, ctx: Ctx, session: ReadSession
) -> Recommendation:
    """Rank the resources near the point, each with its ETA and the reasons."""
    require_role(actor, REQUESTERS, "当前角色不能查看调度推荐", or_system=True)
    return queries.recommend(session, body, travel_model(ctx), actor=actor)


@router.post(
    "/api/v1/dispatch-orders", response_model=OrderRead, status_code=201, summary="申请调度"
)
def create_order(body: OrderCreate, actor: ApiActor, ctx: Ctx) -> OrderRead:
    """Request a team, equipment or supplies for an incident (held for this order)."""
    with ctx.uow(actor) as uow:
        order_id = service.request_dispatch(uow, body, travel_model(ctx))
        uow.commit()
    with ctx.session_factory() as session:
        return queries.to_read(session, queries.get_order_row(session, actor, order_id))


@router.get("/api/v1/dispatch-orders", response_model=list[OrderRead], summary="调度单列表")
def list_orders(
    actor: ApiActor, session: ReadSession, incident_id: int | None = None
) -> list[OrderRead]:
    """Return the orders the actor may see (of one incident when given)."""
    return queries.list_orders(session, actor, incident_id)


@router.get("/api/v1/dispatch-orders/{order_id}", response_model=OrderRead, summary="调度单详情")
def get_order(order_id: int, actor: ApiActor, session: ReadSession) -> OrderRead:
    """Return one order with its history."""
    return queries.to_read(session, queries.get_order_row(session, actor, order_id))


@router.post(
    "/api/v1/dispatch-orders/{order_id}/{action}",
    response_model=OrderRead,
    summary="调度单操作：approve 批准 / dispatch 派出 / depart 出发 / arrive 到场 / "
    "return 归队 / cancel 取消",
)
def act(order_id: int, action: str, body: OrderAction, actor: ApiActor, ctx: Ctx) -> OrderRead:
    """Move the order; an illegal step is 409 with the reason."""
    with ctx.uow(actor) as uow:
        service.advance_order(uow, order_id, action, body)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.to_read(session, queries.get_order_row(session, actor, order_id))


routers = [router]
