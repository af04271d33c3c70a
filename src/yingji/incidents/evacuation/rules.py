"""Evacuation assignment (pure): villages to shelters by min-cost flow.

The problem is a transportation problem: every affected village sends its people, every open
shelter takes at most its capacity, and the total person-distance is minimised. It is solved
exactly as a min-cost flow with OR-Tools (``SimpleMinCostFlow``): source → village (the
village's population) → shelter (distance in metres per person) → sink (the shelter's
capacity). Each village also has an arc to an "unplaced" node whose cost is larger than any
real trip, so the solver places as many people as the capacities allow before it minimises
distance, and the flow on that arc is the unplaced count.

Distances are great-circle (haversine) metres between the village centre and the shelter,
times an optional detour factor; road-network distances can replace them by passing a cost
matrix. The per-person area check uses the shelter class minimums of GB 51143-2015 (see
``resources.shelters.rules``), which are settings.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from yingji.geo.schemas import EARTH_RADIUS_M


@dataclass(frozen=True, slots=True)
class Village:
    """An affected village (村社) and the people to move."""

    code: str
    name: str
    population: int
    longitude: float
    latitude: float


@dataclass(frozen=True, slots=True)
class ShelterSlot:
    """An open shelter offered to the plan."""

    id: int
    name: str
    capacity: int
    effective_area_m2: float
    shelter_class: str
    longitude: float
    latitude: float


@dataclass(frozen=True, slots=True)
class Move:
    """People of one village sent to one shelter."""

    village_code: str
    shelter_id: int
    persons: int
    distance_m: int


@dataclass(frozen=True, slots=True)
class ShelterLoad:
    """How full a shelter ends up and the effective area each person gets."""

    shelter_id: int
    name: str
    persons: int
    capacity: int
    area_per_person_m2: float | None
    min_area_per_person_m2: float
    below_standard: bool


@dataclass
class Assignment:
    """The solved plan: moves, unplaced people per village, loads and totals."""

    moves: list[Move] = field(default_factory=list)
    unplaced: dict[str, int] = field(default_factory=dict)
    loads: list[ShelterLoad] = field(default_factory=list)
    total_persons: int = 0
    placed_persons: int = 0
    person_km: float = 0.0
    solve_seconds: float = 0.0

    @property
    def unplaced_persons(self) -> int:
        """Return how many people found no place."""
        return sum(self.unplaced.values())


class EvacuationError(ValueError):
    """The input cannot be planned (negative numbers, solver failure)."""


def haversine_matrix(
    villages: Sequence[Village], shelters: Sequence[ShelterSlot]
) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
    """Return the villages × shelters great-circle distances in metres."""
    vlon = np.radians(np.array([v.longitude for v in villages], dtype=np.float64))[:, None]
    vlat = np.radians(np.array([v.latitude for v in villages], dtype=np.float64))[:, None]
    slon = np.radians(np.array([s.longitude for s in shelters], dtype=np.float64))[None, :]
    slat = np.radians(np.array([s.latitude for s in shelters], dtype=np.float64))[None, :]
    a = (
        np.sin((slat - vlat) / 2) ** 2
        + np.cos(vlat) * np.cos(slat) * np.sin((slon - vlon) / 2) ** 2
    )
    result: np.ndarray[tuple[int, int], np.dtype[np.float64]] = (
        2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    )
    return result


def plan_evacuation(
    villages: Sequence[Village],
    shelters: Sequence[ShelterSlot],
    *,
    min_area_m2: dict[str, float],
    detour_factor: float = 1.0,
    max_distance_m: float | None = None,
    cost_unit_m: int = 10,
) -> Assignment:
    """Assign every village's people to shelters at minimum total person-distance."""
    for village in villages:
        if village.population < 0:
            raise EvacuationError(f"{village.name} 人口为负数")
    for shelter in shelters:
        if shelter.capacity < 0:
            raise EvacuationError(f"{shelter.name} 容纳人数为负数")
    started = time.perf_counter()
    out = Assignment(total_persons=sum(v.population for v in villages))
    nv, ns = len(villages), len(shelters)
    if nv == 0:
        out.loads = _loads(shelters, np.zeros(ns, dtype=np.int64), min_area_m2)
        return out
    dist = haversine_matrix(villages, shelters) * detour_factor if ns else np.zeros((nv, 0))
    # The solver works in whole cost units; 10 m keeps the optimum exact to within a street
    # and makes the cost-scaling solver markedly faster than metres (bench/bench_evacuation).
    cost = np.rint(dist / cost_unit_m).astype(np.int64)
    # Node numbering: 0 = source, 1..nv villages, nv+1..nv+ns shelters, then unplaced, sink.
    source, unplaced_node, sink = 0, nv + ns + 1, nv + ns + 2
    village_nodes = np.arange(1, nv + 1, dtype=np.int32)
    shelter_nodes = np.arange(nv + 1, nv + ns + 1, dtype=np.int32)
    population = np.array([v.population for v in villages], dtype=np.int64)
    capacity = np.array([s.capacity for s in shelters], dtype=np.int64)
    # Village → shelter arcs, all pairs unless a maximum distance prunes them.
    allowed = np.ones((nv, ns), dtype=bool) if max_distance_m is None else dist <= max_distance_m
    vi, si = np.nonzero(allowed)
    # Cost of leaving someone unplaced: more than the longest allowed trip.
    penalty = int(cost.max()) + 1 if cost.size else 1
    tails = np.concatenate(
        [
            np.full(nv, source, dtype=np.int32),
            village_nodes[vi],
            shelter_nodes,
            village_nodes,
            np.array([unplaced_node], dtype=np.int32),
        ]
    )
    heads = np.concatenate(
        [
            village_nodes,
            shelter_nodes[si],
            np.full(ns, sink, dtype=np.int32),
            np.full(nv, unplaced_node, dtype=np.int32),
            np.array([sink], dtype=np.int32),
        ]
    )
    caps = np.concatenate(
        [population, population[vi], capacity, population, np.array([population.sum()])]
    )
    costs = np.concatenate(
        [
            np.zeros(nv, dtype=np.int64),
            cost[vi, si],
            np.zeros(ns, dtype=np.int64),
            np.full(nv, penalty, dtype=np.int64),
            np.zeros(1, dtype=np.int64),
        ]
    )
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(nv + ns + 3, dtype=np.int64)
    supplies[source] = population.sum()
    supplies[sink] = -population.sum()
    solver.set_nodes_supplies(np.arange(nv + ns + 3, dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise EvacuationError(f"求解失败（状态 {status}）")
    flows = solver.flows(np.arange(solver.num_arcs(), dtype=np.int32))
    pair_flow = flows[nv : nv + len(vi)]
    used = np.nonzero(pair_flow)[0]
    load = np.zeros(ns, dtype=np.int64)
    for k in used:
        v, s = int(vi[k]), int(si[k])
        persons = int(pair_flow[k])
        load[s] += persons
        metres = round(float(dist[v, s]))
        out.moves.append(Move(villages[v].code, shelters[s].id, persons, metres))
        out.person_km += persons * metres / 1000.0
    unplaced_flow = flows[nv + len(vi) + ns : nv + len(vi) + ns + nv]
    out.unplaced = {villages[i].code: int(n) for i, n in enumerate(unplaced_flow) if int(n) > 0}
    out.placed_persons = out.total_persons - out.unplaced_persons
    out.loads = _loads(shelters, load, min_area_m2)
    out.moves.sort(key=lambda m: (m.village_code, m.distance_m))
    out.solve_seconds = time.perf_counter() - started
    return out


def _loads(
    shelters: Sequence[ShelterSlot],
    load: np.ndarray[tuple[int], np.dtype[np.int64]],
    min_area_m2: dict[str, float],
) -> list[ShelterLoad]:
    loads: list[ShelterLoad] = []
    for index, shelter in enumerate(shelters):
        persons = int(load[index])
        minimum = float(min_area_m2.get(shelter.shelter_class, 0.0))
        per_person = round(shelter.effective_area_m2 / persons, 2) if persons else None
        loads.append(
            ShelterLoad(
                shelter_id=shelter.id,
                name=shelter.name,
                persons=persons,
                capacity=shelter.capacity,
                area_per_person_m2=per_person,
                min_area_per_person_m2=minimum,
                below_standard=per_person is not None and per_person < minimum,
            )
        )
    return loads
