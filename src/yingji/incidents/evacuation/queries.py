"""Evacuation reads: the inputs the planner needs and stored plans, scoped by the actor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.geo.models import Division
from yingji.incidents.evacuation.models import EvacuationPlan
from yingji.incidents.evacuation.rules import ShelterSlot
from yingji.incidents.evacuation.schemas import (
    EvacuationPlanRead,
    MoveRead,
    ShelterLoadRead,
    UnplacedRead,
)
from yingji.resources.shelters.queries import open_shelters_with_sites


def divisions_by_code(session: Session, codes: Sequence[str]) -> dict[str, Division]:
    """Return the divisions with these codes (missing codes are simply absent)."""
    rows = session.scalars(select(Division).where(Division.code.in_(list(codes))))
    return {row.code: row for row in rows}


def village_point(division: Division) -> tuple[float, float] | None:
    """Return where a village's people start: its recorded centre, else inside its boundary."""
    if division.center_longitude is not None and division.center_latitude is not None:
        return division.center_longitude, division.center_latitude
    if division.boundary:
        point = shape(division.boundary).representative_point()
        return float(point.x), float(point.y)
    return None


def open_shelters(session: Session, classes: Sequence[str] | None = None) -> list[ShelterSlot]:
    """Return every open, unretired shelter of the district as planner input.

    People cross township lines to reach a shelter, so the choice is district-wide whoever
    plans; the plan itself is scoped by its villages.
    """
    return [
        ShelterSlot(
            id=shelter.id,
            name=shelter.name,
            capacity=shelter.capacity_persons,
            effective_area_m2=float(shelter.effective_area_m2),
            shelter_class=shelter.shelter_class,
            longitude=site.longitude,
            latitude=site.latitude,
        )
        for shelter, site in open_shelters_with_sites(session, classes)
    ]


def get_plan(session: Session, actor: Actor, plan_id: int) -> EvacuationPlanRead:
    """Return a stored plan (NotFound outside the actor's jurisdiction)."""
    row = session.scalar(
        select(EvacuationPlan).where(
            EvacuationPlan.id == plan_id, scope_clause(actor, EvacuationPlan.division_code)
        )
    )
    if row is None:
        raise NotFound("转移安置方案不存在")
    return to_read(row)


def list_plans(session: Session, actor: Actor, *, incident_id: int | None = None) -> list[Any]:
    """Return the stored plans the actor may see, newest first (summary rows)."""
    query = (
        select(EvacuationPlan)
        .where(scope_clause(actor, EvacuationPlan.division_code))
        .order_by(EvacuationPlan.id.desc())
        .limit(200)
    )
    if incident_id is not None:
        query = query.where(EvacuationPlan.incident_id == incident_id)
    return list(session.scalars(query))


def to_read(row: EvacuationPlan) -> EvacuationPlanRead:
    """Return the API shape of a stored plan."""
    result = row.result
    return EvacuationPlanRead.of(
        row,
        village_codes=list(row.village_codes),
        moves=[MoveRead.model_validate(m) for m in result["moves"]],
        unplaced=[UnplacedRead.model_validate(u) for u in result["unplaced"]],
        shelters=[ShelterLoadRead.model_validate(s) for s in result["shelters"]],
    )
