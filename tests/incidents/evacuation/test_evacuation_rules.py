"""The evacuation solver against hand-computed optima (no database)."""

from __future__ import annotations

import math

import pytest

from yingji.incidents.evacuation.rules import (
    EARTH_RADIUS_M,
    EvacuationError,
    ShelterSlot,
    Village,
    plan_evacuation,
)

LAT = 29.4
STEP = 0.01  # degrees of longitude: one "unit" of distance along a parallel
MIN_AREA = {"emergency": 0.5, "short_term": 2.0, "long_term": 3.0}


def unit_m() -> float:
    """Metres in one STEP along the parallel (small-angle: R·cos φ·Δλ)."""
    return EARTH_RADIUS_M * math.cos(math.radians(LAT)) * math.radians(STEP)


def village(code: str, x: float, population: int) -> Village:
    return Village(code, code, population, 105.5 + x * STEP, LAT)


def shelter(sid: int, x: float, capacity: int, area: float = 1e6) -> ShelterSlot:
    return ShelterSlot(sid, f"S{sid}", capacity, area, "short_term", 105.5 + x * STEP, LAT)


def flows(plan: object) -> dict[tuple[str, int], int]:
    return {(m.village_code, m.shelter_id): m.persons for m in plan.moves}  # type: ignore[attr-defined]


def test_optimum_beats_nearest_first() -> None:
    # V1 at 0, V2 at 1; S1 at 1.5 (cap 100), S2 at -3 (cap 100), 100 people each.
    # Nearest-first sends V1 to S1 (1.5) and V2 to S2 (4): 550 person-units.
    # The optimum sends V1 to S2 (3) and V2 to S1 (0.5): 350 person-units.
    plan = plan_evacuation(
        [village("V1", 0, 100), village("V2", 1, 100)],
        [shelter(1, 1.5, 100), shelter(2, -3, 100)],
        min_area_m2=MIN_AREA,
    )
    assert flows(plan) == {("V1", 2): 100, ("V2", 1): 100}
    assert plan.unplaced == {}
    assert plan.person_km == pytest.approx(350 * unit_m() / 1000, rel=2e-3)


def test_split_village_fills_nearest_first() -> None:
    # 150 people, near shelter holds 100, far one takes the other 50.
    plan = plan_evacuation(
        [village("V1", 0, 150)], [shelter(1, 1, 100), shelter(2, 4, 100)], min_area_m2=MIN_AREA
    )
    assert flows(plan) == {("V1", 1): 100, ("V1", 2): 50}
    assert plan.person_km == pytest.approx((100 * 1 + 50 * 4) * unit_m() / 1000, rel=2e-3)


def test_unplaced_people_when_capacity_runs_out() -> None:
    # 300 people, 120 places: the 120 go to the nearer villagers' best use, 180 unplaced.
    plan = plan_evacuation(
        [village("V1", 0, 200), village("V2", 5, 100)], [shelter(1, 4, 120)], min_area_m2=MIN_AREA
    )
    assert plan.placed_persons == 120
    assert plan.unplaced_persons == 180
    # V2 is 1 unit away, V1 is 4: V2's 100 all placed, then 20 of V1.
    assert flows(plan) == {("V2", 1): 100, ("V1", 1): 20}
    assert plan.unplaced == {"V1": 180}


def test_max_distance_leaves_far_villages_unplaced() -> None:
    plan = plan_evacuation(
        [village("V1", 0, 10), village("V2", 50, 10)],
        [shelter(1, 1, 100)],
        min_area_m2=MIN_AREA,
        max_distance_m=5 * unit_m(),
    )
    assert flows(plan) == {("V1", 1): 10}
    assert plan.unplaced == {"V2": 10}


def test_area_per_person_against_the_standard() -> None:
    # 100 m² for 80 people is 1.25 m² each, below the short-term 2.0 m² minimum.
    plan = plan_evacuation(
        [village("V1", 0, 80)], [shelter(1, 1, 100, area=100.0)], min_area_m2=MIN_AREA
    )
    (load,) = plan.loads
    assert load.persons == 80
    assert load.area_per_person_m2 == 1.25
    assert load.min_area_per_person_m2 == 2.0
    assert load.below_standard


def test_no_shelters_means_everyone_unplaced() -> None:
    plan = plan_evacuation([village("V1", 0, 42)], [], min_area_m2=MIN_AREA)
    assert plan.unplaced == {"V1": 42}
    assert plan.moves == []


def test_negative_population_is_refused() -> None:
    with pytest.raises(EvacuationError):
        plan_evacuation([village("V1", 0, -1)], [shelter(1, 1, 10)], min_area_m2=MIN_AREA)
