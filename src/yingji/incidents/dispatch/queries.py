"""Dispatch reads: resource recommendation around a point, and orders scoped by the actor.

Recommendation reads the district's resources (the command post dispatches across township
lines) through a shapely STRtree over their points: the tree cuts the candidates to a box
around the incident, then the exact great-circle distance ranks them.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, box
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.geo.models import Site
from yingji.incidents.dispatch.models import DispatchOrder, DispatchOrderEvent
from yingji.incidents.dispatch.rules import (
    ARRIVAL_TARGET_MINUTES,
    STATE_LABELS,
    TeamCandidate,
    TravelModel,
    distance_km,
    eta_minutes,
    rank_teams,
)
from yingji.incidents.dispatch.schemas import (
    EquipmentOption,
    OrderRead,
    Recommendation,
    RecommendQuery,
    SupplyOption,
    TeamOption,
)
from yingji.resources.supplies.ledger import item_totals, reserved_quantity
from yingji.resources.supplies.models import SupplyItem, Warehouse
from yingji.resources.teams.models import Equipment, RescueTeam


def _near(
    rows: list[tuple[Any, Site]], lon: float, lat: float, radius_km: float
) -> list[tuple[Any, float]]:
    if not rows:
        return []
    tree = STRtree([Point(site.longitude, site.latitude) for _, site in rows])
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    hits = tree.query(box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    out: list[tuple[Any, float]] = []
    for index in sorted(int(i) for i in hits):
        row, site = rows[index]
        km = distance_km(lon, lat, site.longitude, site.latitude)
        if km <= radius_km:
            out.append((row, km))
    return out


def recommend(
    session: Session, query: RecommendQuery, model: TravelModel | None = None
) -> Recommendation:
    """Return teams, equipment and stocked warehouses near the point, ranked with reasons."""
    model = model or TravelModel()
    lon, lat = query.longitude, query.latitude
    teams = session.execute(
        select(RescueTeam, Site)
        .join(Site, Site.id == RescueTeam.site_id)
        .where(RescueTeam.retired_at.is_(None))
    ).all()
    candidates = [
        TeamCandidate(t.id, t.name, tuple(t.specialties or ()), t.status, t.headcount, km)
        for t, km in _near([(t, s) for t, s in teams], lon, lat, query.radius_km)
    ]
    ranked = rank_teams(candidates, list(query.specialties), model)
    team_options = [
        TeamOption(
            id=t.id,
            name=t.name,
            distance_km=t.km,
            eta_minutes=t.eta_minutes,
            within_hour=t.within_hour,
            matched_specialties=list(t.matched),
            available=t.available,
            reasons=list(t.reasons),
        )
        for t in ranked[: query.limit]
    ]
    equipment_rows = session.execute(
        select(Equipment, Site)
        .join(Site, Site.id == Equipment.site_id)
        .where(Equipment.retired_at.is_(None), Equipment.status == "standby")
    ).all()
    equipment = sorted(
        (
            EquipmentOption(
                id=e.id,
                name=e.name,
                kind=e.kind,
                quantity=e.quantity,
                unit=e.unit,
                distance_km=round(km, 2),
                eta_minutes=eta_minutes(km, model),
                within_hour=eta_minutes(km, model) <= ARRIVAL_TARGET_MINUTES,
            )
            for e, km in _near([(e, s) for e, s in equipment_rows], lon, lat, query.radius_km)
        ),
        key=lambda o: (o.eta_minutes, o.id),
    )[: query.limit]
    return Recommendation(
        teams=team_options,
        equipment=equipment,
        supplies=_supplies(session, query, model),
        teams_within_hour=sum(1 for t in ranked if t.within_hour and t.available),
        travel_model=f"直线距离 × {model.detour_factor} ÷ {model.speed_kmh} 公里/小时",
    )


def _supplies(session: Session, query: RecommendQuery, model: TravelModel) -> list[SupplyOption]:
    if not query.item_ids:
        return []
    warehouses = session.execute(
        select(Warehouse, Site)
        .join(Site, Site.id == Warehouse.site_id)
        .where(Warehouse.retired_at.is_(None))
    ).all()
    near = _near([(w, s) for w, s in warehouses], query.longitude, query.latitude, query.radius_km)
    totals = item_totals(session, [w.id for w, _ in near])
    items = {
        i.id: i
        for i in session.scalars(select(SupplyItem).where(SupplyItem.id.in_(query.item_ids)))
    }
    out: list[SupplyOption] = []
    for warehouse, km in near:
        for item_id in query.item_ids:
            on_hand = totals.get((warehouse.id, item_id), Decimal(0))
            if on_hand <= 0 or item_id not in items:
                continue
            reserved = reserved_quantity(session, warehouse.id, item_id)
            out.append(
                SupplyOption(
                    warehouse_id=warehouse.id,
                    warehouse_name=warehouse.name,
                    item_id=item_id,
                    item_name=items[item_id].name,
                    unit=items[item_id].unit,
                    on_hand=on_hand,
                    reserved=reserved,
                    available=max(on_hand - reserved, Decimal(0)),
                    distance_km=round(km, 2),
                    eta_minutes=eta_minutes(km, model),
                )
            )
    out.sort(key=lambda o: (o.item_id, o.available <= 0, o.eta_minutes))
    return out


def get_order_row(session: Session, actor: Actor, order_id: int) -> DispatchOrder:
    """Return the order (NotFound when missing or outside the actor's jurisdiction)."""
    row = session.scalar(
        select(DispatchOrder).where(
            DispatchOrder.id == order_id, scope_clause(actor, DispatchOrder.division_code)
        )
    )
    if row is None:
        raise NotFound("调度单不存在")
    return row


def to_read(session: Session, row: DispatchOrder) -> OrderRead:
    """Return the API shape of an order with its history."""
    history = [
        {
            "action": e.action,
            "from": e.from_state,
            "to": e.to_state,
            "by": e.actor_name,
            "at": e.at,
            "note": e.note,
        }
        for e in session.scalars(
            select(DispatchOrderEvent)
            .where(DispatchOrderEvent.order_id == row.id)
            .order_by(DispatchOrderEvent.id)
        )
    ]
    return OrderRead(
        id=row.id,
        incident_id=row.incident_id,
        resource_kind=row.resource_kind,
        resource_name=row.resource_name,
        team_id=row.team_id,
        equipment_id=row.equipment_id,
        warehouse_id=row.warehouse_id,
        item_id=row.item_id,
        quantity=row.quantity,
        state=row.state,
        state_label=STATE_LABELS[row.state],
        division_code=row.division_code,
        distance_km=row.distance_km,
        eta_minutes=row.eta_minutes,
        requested_at=row.requested_at,
        on_scene_at=row.on_scene_at,
        history=history,
    )


def list_orders(session: Session, actor: Actor, incident_id: int | None = None) -> list[OrderRead]:
    """Return the orders the actor may see (of one incident when given), newest first."""
    query = select(DispatchOrder).where(scope_clause(actor, DispatchOrder.division_code))
    if incident_id is not None:
        query = query.where(DispatchOrder.incident_id == incident_id)
    return [
        to_read(session, row) for row in session.scalars(query.order_by(DispatchOrder.id.desc()))
    ]
