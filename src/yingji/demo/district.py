"""Plan the demo district's divisions: codes, names, figures and demo boundaries (pure).

Boundaries come from ``demo.geometry.partition``: 镇街 split the district outline among the
points each township must hold (its seat, its villages' centres, the sites filed under it);
村社 split their township the same way; a few villages are cut into 网格 strips so the grid
level exists. Every boundary is marked ``boundary_source = "demo"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from yingji.demo.fixtures import DemoFixtures
from yingji.demo.geometry import Generator, partition, strips, to_geojson

BOUNDARY_SOURCE = "demo"

# Villages cut into grid cells (village code → number of west-to-east strips): the seats of
# the townships whose demo officers sign in, and one rural village.
GRID_VILLAGES: dict[str, int] = {
    "500153001001": 3,  # 昌元街道玉屏社区 (the demo grid member's village)
    "500153002001": 3,  # 昌州街道海棠社区
    "500153005001": 2,  # 安富街道
    "500153009001": 4,  # 盘龙镇
}

# Distances between points are compared on a local plane: a degree of longitude is shorter
# than a degree of latitude at 29°N.
_LON_SCALE = math.cos(math.radians(29.45))


@dataclass(frozen=True)
class PlannedDivision:
    """One division to upsert, parents before children."""

    code: str
    name: str
    population: int | None
    households: int | None
    boundary: dict[str, Any]
    longitude: float
    latitude: float


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot((a[0] - b[0]) * _LON_SCALE, a[1] - b[1])


def _point(value: Any) -> tuple[float, float]:
    return float(value[0]), float(value[1])


def nearest_village(township: dict[str, Any], point: tuple[float, float]) -> str:
    """Return the code of the township's village whose centre is nearest to ``point``."""
    best = min(township["villages"], key=lambda v: _distance(_point(v["center"]), point))
    return str(best["code"])


def site_villages(fixtures: DemoFixtures) -> list[tuple[tuple[float, float], str, str]]:
    """Return (point, township code, village code) for every sited fixture row.

    The village is the row's ``village_code`` when it has one, else the village of its
    township whose centre is nearest: the demo boundaries are drawn so the point falls in it.
    """
    townships = {t["code"]: t for t in fixtures.townships}
    out: list[tuple[tuple[float, float], str, str]] = []
    for _section, row in fixtures.sited_rows():
        point = _point(row["center"])
        township = townships[row["township_code"]]
        village = row.get("village_code") or nearest_village(township, point)
        out.append((point, str(township["code"]), str(village)))
    return out


def plan_divisions(fixtures: DemoFixtures) -> list[PlannedDivision]:
    """Return the district, its townships, villages and grid cells with demo boundaries."""
    district = fixtures.district
    outline = Polygon([_point(p) for p in district["outline"]])
    sites = site_villages(fixtures)
    township_areas = partition(
        outline,
        [
            Generator(*p, t["code"])
            for t in fixtures.townships
            for p in [
                _point(t["center"]),
                *(_point(v["center"]) for v in t["villages"]),
                *(p for p, code, _ in sites if code == t["code"]),
            ]
        ],
        {t["code"]: Generator(*_point(t["center"]), t["code"]) for t in fixtures.townships},
    )
    center = outline.representative_point()
    planned = [
        PlannedDivision(
            code=str(district["code"]),
            name=str(district["name"]),
            population=int(district["population"]),
            households=int(district["households"]),
            boundary=to_geojson(outline),
            longitude=round(center.x, 6),
            latitude=round(center.y, 6),
        )
    ]
    for township in fixtures.townships:
        area = township_areas[township["code"]]
        planned.append(_planned(township, area))
        planned.extend(_plan_villages(township, area, sites))
    _verify(planned, fixtures, sites)
    return planned


def _verify(
    planned: list[PlannedDivision],
    fixtures: DemoFixtures,
    sites: list[tuple[tuple[float, float], str, str]],
) -> None:
    # The construction guarantees these; a fixture edit that breaks them (two divisions
    # claiming one point, a point outside the outline) must fail loudly, not seed bad data.
    shapes = {d.code: shape(d.boundary) for d in planned}
    problems = [f"{code}: invalid boundary" for code, g in shapes.items() if not g.is_valid]
    wanted: list[tuple[tuple[float, float], str]] = []
    for township in fixtures.townships:
        wanted.append((_point(township["center"]), str(township["code"])))
        wanted.extend((_point(v["center"]), str(v["code"])) for v in township["villages"])
    wanted.extend((point, village) for point, _, village in sites)
    for point, code in wanted:
        if not shapes[code].contains(Point(*point)):
            problems.append(f"{code}: does not contain {point}")
    if problems:
        raise ValueError("demo geometry: " + "; ".join(problems[:10]))


def _plan_villages(
    township: dict[str, Any], area: BaseGeometry, sites: list[tuple[tuple[float, float], str, str]]
) -> list[PlannedDivision]:
    seat = _point(township["center"])
    generators = [Generator(*_point(v["center"]), v["code"]) for v in township["villages"]]
    generators.append(Generator(*seat, nearest_village(township, seat)))
    generators.extend(
        Generator(*p, village) for p, code, village in sites if code == township["code"]
    )
    anchors = {v["code"]: Generator(*_point(v["center"]), v["code"]) for v in township["villages"]}
    village_areas = partition(area, generators, anchors)
    out: list[PlannedDivision] = []
    for village in township["villages"]:
        village_area = village_areas[village["code"]]
        out.append(_planned(village, village_area))
        out.extend(_plan_grid(village, village_area))
    return out


def _plan_grid(village: dict[str, Any], area: BaseGeometry) -> list[PlannedDivision]:
    count = GRID_VILLAGES.get(village["code"], 0)
    if count == 0:
        return []
    cells = strips(area, count)
    population = _split(int(village["population"]), [c.area for c in cells])
    households = _split(int(village["households"]), [c.area for c in cells])
    out: list[PlannedDivision] = []
    for index, cell in enumerate(cells, start=1):
        inside = cell.representative_point()
        out.append(
            PlannedDivision(
                code=f"{village['code']}{index:03d}",
                name=f"{village['name']}第{index}网格",
                population=population[index - 1],
                households=households[index - 1],
                boundary=to_geojson(cell),
                longitude=round(inside.x, 6),
                latitude=round(inside.y, 6),
            )
        )
    return out


def _planned(row: dict[str, Any], area: BaseGeometry) -> PlannedDivision:
    lon, lat = _point(row["center"])
    return PlannedDivision(
        code=str(row["code"]),
        name=str(row["name"]),
        population=int(row["population"]),
        households=int(row["households"]),
        boundary=to_geojson(area),
        longitude=lon,
        latitude=lat,
    )


def _split(total: int, weights: list[float]) -> list[int]:
    # Largest-remainder apportionment: the parts add up exactly to the village's figure.
    whole = sum(weights) or 1.0
    shares = [total * w / whole for w in weights]
    parts = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: parts[i] - shares[i])
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts
