"""Benchmark: evacuation assignment of 5,000 villages × 500 shelters (target ≤ 2 s).

Random villages (100–3,000 people) and shelters (500–20,000 places) scattered over a
district-sized box; the solver is the one the API uses (``incidents.evacuation.rules``): an
exact min-cost flow over every village–shelter pair (2.5 million arcs) with OR-Tools. Two
cases: capacity short of the population (people left unplaced) and capacity to spare.
Prints solve time per run (median and max), placed/unplaced people, person-km and peak RSS.
Not a test: it asserts nothing.

    python bench/bench_evacuation.py [--villages 5000] [--shelters 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time

from yingji.incidents.evacuation.rules import ShelterSlot, Village, plan_evacuation
from yingji.resources.shelters.rules import DEFAULT_MIN_AREA_M2


def _case(
    villages: int, shelters: int, capacity_factor: float, seed: int
) -> tuple[list[Village], list[ShelterSlot]]:
    rng = random.Random(seed)
    vs = [
        Village(
            f"v{i}",
            f"v{i}",
            rng.randint(100, 3000),
            105.3 + rng.random() * 0.6,
            29.2 + rng.random() * 0.5,
        )
        for i in range(villages)
    ]
    ss = [
        ShelterSlot(
            i,
            f"s{i}",
            int(rng.randint(500, 20000) * capacity_factor),
            float(rng.randint(1000, 40000)),
            "short_term",
            105.3 + rng.random() * 0.6,
            29.2 + rng.random() * 0.5,
        )
        for i in range(shelters)
    ]
    return vs, ss


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=5000)
    parser.add_argument("--shelters", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"evacuation: {args.villages} villages × {args.shelters} shelters, {args.runs} runs")
    for label, factor in (("capacity short", 1.0), ("capacity to spare", 2.5)):
        villages, shelters = _case(args.villages, args.shelters, factor, seed=1)
        times: list[float] = []
        plan = None
        for _ in range(args.runs):
            started = time.perf_counter()
            plan = plan_evacuation(villages, shelters, min_area_m2=DEFAULT_MIN_AREA_M2)
            times.append(time.perf_counter() - started)
        assert plan is not None
        print(
            f"  {label:<18} median {statistics.median(times):.3f} s  max {max(times):.3f} s  "
            f"people {plan.total_persons:,}  placed {plan.placed_persons:,}  "
            f"unplaced {plan.unplaced_persons:,}  moves {len(plan.moves):,}  "
            f"person-km {plan.person_km:,.0f}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {peak_mb:.0f} MB (target: solve ≤ 2 s)")


if __name__ == "__main__":
    main()
