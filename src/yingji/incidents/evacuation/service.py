"""Evacuation writes: compute an assignment for affected villages and store it."""

from __future__ import annotations

from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import covers_division
from yingji.core.errors import FieldError, NotFound, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.incidents.evacuation import queries
from yingji.incidents.evacuation.events import EvacuationPlanned
from yingji.incidents.evacuation.models import EvacuationPlan
from yingji.incidents.evacuation.rules import Village, plan_evacuation
from yingji.incidents.evacuation.schemas import EvacuationRequest
from yingji.incidents.queries import load_incident
from yingji.resources.shelters.schemas import DEFAULT_MIN_AREA_M2

PLANNERS = {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER, Role.TOWNSHIP_OFFICER}
VILLAGE_LEVEL_DIGITS = 12


def plan_evacuation_for(
    uow: UnitOfWork, data: EvacuationRequest, *, min_area_m2: dict[str, float] | None = None
) -> int:
    """Compute the assignment for the requested villages, store it, return its id."""
    actor = uow.actor
    require_role(actor, PLANNERS, "当前角色不能编制转移安置方案", or_system=True)
    session = uow.session
    found = queries.divisions_by_code(session, data.village_codes)
    errors: list[FieldError] = []
    villages: list[Village] = []
    seen: set[str] = set()
    for index, code in enumerate(data.village_codes):
        where = f"village_codes.{index}"
        division = found.get(code)
        # Out of scope reads as unknown: the actor must not learn another township's codes.
        if division is None or not (actor.is_system or covers_division(actor, code)):
            errors.append(FieldError(where, f"村社 {code} 不存在"))
            continue
        if len(code) != VILLAGE_LEVEL_DIGITS:
            errors.append(FieldError(where, f"{division.name} 不是村社级区划"))
            continue
        if code in seen:
            errors.append(FieldError(where, f"{division.name} 重复"))
            continue
        seen.add(code)
        population = data.populations.get(code, division.population)
        if population is None:
            errors.append(FieldError(where, f"{division.name} 没有人口数，请填写转移人数"))
            continue
        point = queries.village_point(division)
        if point is None:
            errors.append(FieldError(where, f"{division.name} 没有中心点坐标或边界"))
            continue
        villages.append(Village(code, division.name, population, point[0], point[1]))
    if data.incident_id is not None:
        try:
            # The plan answers one incident the planner may see; another township's (or a
            # made-up) id reads as unknown.
            load_incident(session, actor, data.incident_id)
        except NotFound:
            errors.append(FieldError("incident_id", "事件不存在"))
    for code, persons in data.populations.items():
        if code not in data.village_codes:
            errors.append(FieldError(f"populations.{code}", "不在转移村社列表中"))
        elif persons < 0:
            errors.append(FieldError(f"populations.{code}", "转移人数不能为负数"))
    if errors:
        raise ValidationFailed(errors)
    shelters = queries.open_shelters(
        session, [c.value for c in data.shelter_classes] if data.shelter_classes else None
    )
    limits = min_area_m2 or DEFAULT_MIN_AREA_M2
    result = plan_evacuation(
        villages,
        shelters,
        min_area_m2=limits,
        detour_factor=data.detour_factor,
        max_distance_m=data.max_distance_km * 1000 if data.max_distance_km else None,
    )
    names = {v.code: v.name for v in villages}
    shelter_by_id = {s.id: s for s in shelters}
    payload = {
        "moves": [
            {
                "village_code": m.village_code,
                "village_name": names[m.village_code],
                "shelter_id": m.shelter_id,
                "shelter_name": shelter_by_id[m.shelter_id].name,
                "persons": m.persons,
                "distance_km": round(m.distance_m / 1000, 2),
            }
            for m in result.moves
        ],
        "unplaced": [
            {"village_code": code, "village_name": names[code], "persons": n}
            for code, n in sorted(result.unplaced.items())
        ],
        "shelters": [
            {
                "shelter_id": load.shelter_id,
                "name": load.name,
                "shelter_class": shelter_by_id[load.shelter_id].shelter_class,
                "persons": load.persons,
                "capacity": load.capacity,
                "area_per_person_m2": load.area_per_person_m2,
                "min_area_per_person_m2": load.min_area_per_person_m2,
                "below_standard": load.below_standard,
            }
            for load in result.loads
            if load.persons
        ],
    }
    plan = EvacuationPlan(
        title=data.title,
        incident_id=data.incident_id,
        division_code=_common_division([v.code for v in villages]),
        village_codes=[v.code for v in villages],
        total_persons=result.total_persons,
        placed_persons=result.placed_persons,
        unplaced_persons=result.unplaced_persons,
        person_km=round(result.person_km, 3),
        solve_seconds=round(result.solve_seconds, 4),
        result=payload,
        created_by=actor.user_id,
        created_at=uow.clock.now(),
    )
    session.add(plan)
    session.flush()
    uow.audit(
        "incidents.evacuation_plan.create",
        "evacuation_plan",
        plan.id,
        after={
            "villages": plan.village_codes,
            "total_persons": plan.total_persons,
            "unplaced_persons": plan.unplaced_persons,
        },
    )
    uow.add_event(EvacuationPlanned.of(plan, plan_id=plan.id))
    return plan.id


def _common_division(codes: list[str]) -> str:
    # The township when every village is in one, otherwise the district (codes are 6/9/12).
    for digits in (9, 6):
        if len({code[:digits] for code in codes}) == 1:
            return codes[0][:digits]
    return ""
