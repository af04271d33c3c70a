"""Dispatch reads: resource recommendation around a point, and orders scoped by the actor.

Recommendation reads the district's resources (the command post dispatches across township
lines) through a shapely STRtree over their points: the tree cuts the candidates to a box
around the incident and the exact great-circle distance keeps those within the radius. When
the travel model carries a road network, it is asked once, for the kept candidates only, and
its travel times rank them; a target it cannot answer keeps its straight-line estimate.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, box
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.accounts.schemas import has_role
from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.geo.models import Site
from yingji.geo.schemas import is_district_level
from yingji.incidents.dispatch.models import DispatchOrder, DispatchOrderEvent
from yingji.incidents.dispatch.rules import (
    ARRIVAL_TARGET_MINUTES,
    COMMAND_POST_ROLES,
    STATE_LABELS,
    Eta,
    TeamCandidate,
    TravelModel,
    choose_eta,
    distance_km,
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
from yingji.resources.supplies.queries import items_by_id, warehouses_with_sites
from yingji.resources.teams.queries import standby_equipment_with_sites, teams_with_sites

log = logging.getLogger(__name__)


def _near_sites(
    rows: list[tuple[Any, Site]], lon: float, lat: float, radius_km: float
) -> list[tuple[Any, Site, float]]:
    if not rows:
        return []
    tree = STRtree([Point(site.longitude, site.latitude) for _, site in rows])
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    hits = tree.query(box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    out: list[tuple[Any, Site, float]] = []
    for index in sorted(int(i) for i in hits):
        row, site = rows[index]
        km = distance_km(lon, lat, site.longitude, site.latitude)
        if km <= radius_km:
            out.append((row, site, km))
    return out


def _near(
    rows: list[tuple[Any, Site]], lon: float, lat: float, radius_km: float
) -> list[tuple[Any, float]]:
    return [(row, km) for row, _, km in _near_sites(rows, lon, lat, radius_km)]


def road_minutes(
    model: TravelModel, origin: tuple[float, float], targets: list[tuple[float, float]]
) -> list[float | None]:
    """Ask the model's road network for minutes between ``origin`` and each target.

    ``None`` for every target when there is no network, when it fails or raises, or when it
    answers the wrong number of values: the caller then falls back to straight line.
    Road times are taken as symmetric (scene → resource stands for resource → scene), which
    holds closely enough for ranking within a district.
    """
    if model.road_network is None or not targets:
        return [None] * len(targets)
    try:
        answer = list(model.road_network.durations(origin, targets))
    except Exception as exc:  # a broken adapter must not stop a recommendation or dispatch
        log.warning("road network failed, using straight-line estimates: %s", exc)
        return [None] * len(targets)
    if len(answer) != len(targets):
        log.warning("road network answered %d of %d targets", len(answer), len(targets))
        return [None] * len(targets)
    return answer


def _sees(actor: Actor | None, rows: list[tuple[Any, Site]]) -> list[tuple[Any, Site]]:
    """Keep the resources the actor may be shown.

    The command post (and system reads) sees the whole district: it dispatches across
    township lines. Anyone else sees the resources of their own jurisdiction and the
    district's own (sited at district level), never another township's teams or stock.
    """
    if actor is None or has_role(actor, COMMAND_POST_ROLES, or_system=True):
        return rows
    mine = actor.division_code or ""
    return [
        (row, site)
        for row, site in rows
        if mine and (site.division_code.startswith(mine) or is_district_level(site.division_code))
    ]


def recommend(
    session: Session,
    query: RecommendQuery,
    model: TravelModel | None = None,
    *,
    actor: Actor | None = None,
) -> Recommendation:
    """Return teams, equipment and stocked warehouses near the point, ranked with reasons."""
    model = model or TravelModel()
    lon, lat = query.longitude, query.latitude
    radius = query.radius_km
    teams = _near_sites(_sees(actor, teams_with_sites(session)), lon, lat, radius)
    equipment_near = _near_sites(
        _sees(actor, standby_equipment_with_sites(session)), lon, lat, radius
    )
    warehouses_near = _warehouses_near(session, query, actor)
    # One road-network request for every kept candidate (they share the origin).
    sites = {s.id: (s.longitude, s.latitude) for _, s, _ in (*teams, *equipment_near)}
    sites.update({s.id: (s.longitude, s.latitude) for _, s, _ in warehouses_near})
    site_ids = list(sites)
    answers = road_minutes(model, (lon, lat), [sites[i] for i in site_ids])
    road = dict(zip(site_ids, answers, strict=True))

    candidates = [
        TeamCandidate(
            t.id, t.name, tuple(t.specialties or ()), t.status, t.headcount, km, road[s.id]
        )
        for t, s, km in teams
    ]
    ranked = rank_teams(candidates, list(query.specialties), model)
    team_options = [
        TeamOption.of(
            t, distance_km=t.km, matched_specialties=list(t.matched), reasons=list(t.reasons)
        )
        for t in ranked[: query.limit]
    ]
    equipment: list[EquipmentOption] = []
    for e, s, km in equipment_near:
        eta = choose_eta(km, road[s.id], model)
        equipment.append(
            EquipmentOption.of(
                e,
                distance_km=round(km, 2),
                eta_minutes=eta.minutes,
                eta_source=eta.source,
                within_hour=eta.minutes <= ARRIVAL_TARGET_MINUTES,
            )
        )
    equipment.sort(key=lambda o: (o.eta_minutes, o.id))
    etas = {w.id: choose_eta(km, road[s.id], model) for w, s, km in warehouses_near}
    return Recommendation(
        teams=team_options,
        equipment=equipment[: query.limit],
        supplies=_supplies(session, query, [(w, km) for w, _, km in warehouses_near], etas),
        teams_within_hour=sum(1 for t in ranked if t.within_hour and t.available),
        travel_model=model.describe(),
    )


def _warehouses_near(
    session: Session, query: RecommendQuery, actor: Actor | None
) -> list[tuple[Any, Site, float]]:
    if not query.item_ids:
        return []
    return _near_sites(
        _sees(actor, warehouses_with_sites(session)),
        query.longitude,
        query.latitude,
        query.radius_km,
    )


def _supplies(
    session: Session,
    query: RecommendQuery,
    near: list[tuple[Any, float]],
    etas: dict[int, Eta],
) -> list[SupplyOption]:
    if not near:
        return []
    totals = item_totals(session, [w.id for w, _ in near])
    items = items_by_id(session, query.item_ids)
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
                    eta_minutes=etas[warehouse.id].minutes,
                    eta_source=etas[warehouse.id].source,
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
    return OrderRead.of(row, state_label=STATE_LABELS[row.state], history=history)


def list_orders(session: Session, actor: Actor, incident_id: int | None = None) -> list[OrderRead]:
    """Return the orders the actor may see (of one incident when given), newest first."""
    query = select(DispatchOrder).where(scope_clause(actor, DispatchOrder.division_code))
    if incident_id is not None:
        query = query.where(DispatchOrder.incident_id == incident_id)
    return [
        to_read(session, row) for row in session.scalars(query.order_by(DispatchOrder.id.desc()))
    ]


def first_team_on_scene_at(session: Session, incident_id: int) -> datetime | None:
    """Return when the incident's first dispatched team reached the scene, or None."""
    return session.scalar(
        select(func.min(DispatchOrder.on_scene_at)).where(
            DispatchOrder.incident_id == incident_id, DispatchOrder.resource_kind == "team"
        )
    )
