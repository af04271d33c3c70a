"""What the command page's map shows around an incident: rescue rings and nearby resources.

The rings (应急救援圈) are the 15/30/60-minute reach of the deployment's travel model:
``radius_km = minutes / 60 × speed_kmh ÷ detour_factor`` — the inverse of
``rules.eta_minutes``, so a team inside the 60-minute ring is one the table calls
"1 小时内可到达". Like ``queries.recommend`` these reads cover the whole district: the command
post draws on resources across township lines; who may open the page is decided by the
incident (``incidents.queries.get_incident``), not by where the resources are registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from yingji.incidents.dispatch.queries import _near
from yingji.incidents.dispatch.rules import TravelModel, eta_minutes
from yingji.incidents.dispatch.schemas import TeamOption
from yingji.resources.shelters.queries import open_shelters_with_sites
from yingji.resources.shelters.schemas import CLASS_LABELS
from yingji.resources.supplies.ledger import item_totals
from yingji.resources.supplies.queries import items_by_id, warehouses_with_sites
from yingji.resources.teams.queries import standby_equipment_with_sites, team_points

# The reach drawn on the map; 60 is the 004 work plan's one-hour arrival target.
RING_MINUTES: tuple[int, ...] = (15, 30, 60)
# Markers per kind: enough to see the resources around one incident, small enough to render.
MAX_PER_KIND = 30
# Items listed in a warehouse's popup (largest stocks first).
MAX_STOCK_LINES = 5


@dataclass(frozen=True, slots=True)
class Ring:
    """One rescue ring: how far the travel model gets in ``minutes``."""

    minutes: int
    radius_km: float


def ring_radius_km(minutes: int, model: TravelModel) -> float:
    """Return the straight-line radius reached in ``minutes`` (km, 3 decimals)."""
    return round(minutes / 60 * model.speed_kmh / model.detour_factor, 3)


def rings(model: TravelModel, minutes: Sequence[int] = RING_MINUTES) -> list[Ring]:
    """Return the rescue rings for the given travel times, innermost first."""
    return [Ring(m, ring_radius_km(m, model)) for m in sorted(minutes)]


@dataclass(slots=True)
class Nearby:
    """Resources within reach of a point, each a JSON-ready dict with ``lon``/``lat``."""

    equipment: list[dict[str, Any]] = field(default_factory=list)
    shelters: list[dict[str, Any]] = field(default_factory=list)
    warehouses: list[dict[str, Any]] = field(default_factory=list)


def _quantity(value: Decimal) -> str:
    """Return a stock quantity without trailing zeros ("12", "2.5")."""
    return format(value.normalize(), "f")


def nearby_resources(
    session: Session, lon: float, lat: float, radius_km: float, model: TravelModel
) -> Nearby:
    """Return standby equipment, open shelters with room and warehouses within ``radius_km``.

    Each kind is sorted nearest first and cut to ``MAX_PER_KIND``; warehouses carry their
    largest positive stocks (one grouped ledger query for all of them).
    """
    out = Nearby()
    equipment_rows = standby_equipment_with_sites(session)
    sites = {e.id: s for e, s in equipment_rows}
    for e, km in _nearest(_near([(e, s) for e, s in equipment_rows], lon, lat, radius_km)):
        out.equipment.append(
            {
                "id": e.id,
                "name": e.name,
                "kind": e.kind,
                "quantity": e.quantity,
                "unit": e.unit,
                "lon": sites[e.id].longitude,
                "lat": sites[e.id].latitude,
                "distance_km": round(km, 2),
                "eta_minutes": eta_minutes(km, model),
            }
        )
    shelter_rows = open_shelters_with_sites(session, with_room=True)
    sites = {s.id: site for s, site in shelter_rows}
    for s, km in _nearest(_near([(s, site) for s, site in shelter_rows], lon, lat, radius_km)):
        out.shelters.append(
            {
                "id": s.id,
                "name": s.name,
                "class_label": CLASS_LABELS.get(s.shelter_class, s.shelter_class),
                "capacity_persons": s.capacity_persons,
                "lon": sites[s.id].longitude,
                "lat": sites[s.id].latitude,
                "distance_km": round(km, 2),
                "eta_minutes": eta_minutes(km, model),
            }
        )
    warehouse_rows = warehouses_with_sites(session)
    sites = {w.id: site for w, site in warehouse_rows}
    near = _nearest(_near([(w, site) for w, site in warehouse_rows], lon, lat, radius_km))
    stock = _stock_lines(session, [w.id for w, _ in near])
    for w, km in near:
        out.warehouses.append(
            {
                "id": w.id,
                "name": w.name,
                "lon": sites[w.id].longitude,
                "lat": sites[w.id].latitude,
                "distance_km": round(km, 2),
                "eta_minutes": eta_minutes(km, model),
                "stock": stock.get(w.id, []),
            }
        )
    return out


def _nearest(found: list[tuple[Any, float]]) -> list[tuple[Any, float]]:
    return sorted(found, key=lambda pair: (pair[1], pair[0].id))[:MAX_PER_KIND]


def _stock_lines(session: Session, warehouse_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    totals = {key: q for key, q in item_totals(session, warehouse_ids).items() if q > 0}
    if not totals:
        return {}
    items = items_by_id(session, {iid for _, iid in totals})
    by_warehouse: dict[int, list[tuple[Decimal, int]]] = {}
    for (wid, iid), quantity in totals.items():
        if iid in items:
            by_warehouse.setdefault(wid, []).append((quantity, iid))
    return {
        wid: [
            {
                "item": items[iid].name,
                "quantity": _quantity(quantity),
                "unit": items[iid].unit,
            }
            for quantity, iid in sorted(pairs, key=lambda p: (-p[0], p[1]))[:MAX_STOCK_LINES]
        ]
        for wid, pairs in by_warehouse.items()
    }


def team_markers(session: Session, teams: Sequence[TeamOption]) -> list[dict[str, Any]]:
    """Return the recommended teams with their base's coordinates, in the given order."""
    if not teams:
        return []
    points = team_points(session, {t.id for t in teams})
    return [
        {
            "id": t.id,
            "name": t.name,
            "lon": points[t.id][0],
            "lat": points[t.id][1],
            "available": t.available,
            "within_hour": t.within_hour,
            "distance_km": t.distance_km,
            "eta_minutes": t.eta_minutes,
            "reasons": list(t.reasons),
        }
        for t in teams
        if t.id in points
    ]
