"""Demo boundaries: partition the district outline among labelled points (pure shapely).

The demo fixtures give a district outline and points (township seats, village centres, the
sites of registry records), each point tagged with the division it must fall in. Real
boundaries are not public, so the seed draws approximate ones:

1. **Labelled Voronoi.** Every point is a Voronoi generator carrying its division's label; a
   division's area is the union of its generators' cells, clipped to the parent area. A point
   always lies inside its own cell, so every seat, village centre and site ends up inside the
   division the fixture names. (Cells of the seats alone, the textbook construction, leave 26
   of the 120 village centres and 15 sites in a neighbouring township: the synthetic villages
   spread up to 5.5 km around a seat that is only ~5 km from the next one.)
2. **Corridors.** A point lying among a neighbour's points gets a cell cut off from the rest of
   its division (an exclave). The exclave is joined to the main part by a narrow corridor
   taken from the neighbour, keeping clear of the neighbour's own points, so divisions stay in
   one piece where that is possible.
3. **Orphans.** A fragment that holds none of its division's points (left over by a corridor,
   or a sliver of the clipping) goes to the neighbour it shares the longest border with.

Coordinates are snapped to 1e-6° (~0.1 m) so stored boundaries are stable and shared edges
match exactly. The result is DEMO GEOMETRY: plausible on a map, not fit for measuring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

GRID_SIZE = 1e-6  # degrees; ~0.1 m, far below the precision of the demo data
CORRIDOR_HALF_WIDTH = 0.0008  # degrees; a ~160 m wide neck joining an exclave
CLEARANCE = 0.0015  # degrees; corridors keep ~150 m away from other divisions' points
ROUNDS = 3


@dataclass(frozen=True)
class Generator:
    """A point that must end up inside the area of ``label``."""

    longitude: float
    latitude: float
    label: str


def partition(
    area: BaseGeometry, generators: Sequence[Generator], anchors: Mapping[str, Generator]
) -> dict[str, BaseGeometry]:
    """Split ``area`` among the labels so that each generator lies inside its label's part.

    ``anchors`` names, per label, the point of its main part (a seat or village centre); an
    exclave is joined to the part holding the anchor.
    """
    points = _unique(generators)
    if len(points) == 1:
        return {points[0].label: _polygonal(shapely.set_precision(area, GRID_SIZE))}
    cells = shapely.voronoi_polygons(
        MultiPoint([(g.longitude, g.latitude) for g in points]),
        extend_to=area.envelope.buffer(0.05),
        ordered=True,
    )
    by_label: dict[str, list[BaseGeometry]] = {}
    for gen, cell in zip(points, cells.geoms, strict=True):
        by_label.setdefault(gen.label, []).append(cell)
    regions = {
        label: _polygonal(shapely.unary_union(parts).intersection(area))
        for label, parts in sorted(by_label.items())
    }
    for _ in range(ROUNDS):
        if not _join_exclaves(regions, points, anchors):
            break
    _give_away_orphans(regions, points)
    regions = {
        label: _polygonal(shapely.set_precision(g, GRID_SIZE)) for label, g in regions.items()
    }
    _give_away_orphans(regions, points)
    return regions


def strips(area: BaseGeometry, count: int) -> list[BaseGeometry]:
    """Cut ``area`` into ``count`` west-to-east strips of equal width (grid cells)."""
    minx, miny, maxx, maxy = area.bounds
    width = (maxx - minx) / count
    out: list[BaseGeometry] = []
    for i in range(count):
        right = maxx + 1 if i == count - 1 else minx + (i + 1) * width
        left = minx - 1 if i == 0 else minx + i * width
        box = shapely.box(left, miny - 1, right, maxy + 1)
        out.append(_polygonal(shapely.set_precision(area.intersection(box), GRID_SIZE)))
    return out


def parts(geom: BaseGeometry) -> list[Polygon]:
    """Return the polygons of a Polygon or MultiPolygon (largest first)."""
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    if isinstance(geom, MultiPolygon):
        return sorted(geom.geoms, key=lambda p: -p.area)
    return []


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """Return a GeoJSON geometry with plain lists (stable when compared after a round trip)."""
    mapped = shapely.geometry.mapping(geom)

    def plain(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return {"type": mapped["type"], "coordinates": plain(mapped["coordinates"])}


def _unique(generators: Sequence[Generator]) -> list[Generator]:
    # Several records share one point (a team and its equipment); two labels on one point
    # cannot both be honoured, so that is a fixture error.
    seen: dict[tuple[float, float], Generator] = {}
    for gen in generators:
        key = (round(gen.longitude, 7), round(gen.latitude, 7))
        other = seen.get(key)
        if other is not None and other.label != gen.label:
            raise ValueError(f"point {key} is claimed by {other.label} and {gen.label}")
        seen.setdefault(key, gen)
    return list(seen.values())


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    # Boolean operations may return lines or points where cells touch; keep only areas.
    polys = [p for p in _flatten(geom) if isinstance(p, Polygon) and not p.is_empty]
    if not polys:
        return Polygon()
    merged = shapely.unary_union(polys)
    return merged if isinstance(merged, Polygon | MultiPolygon) else Polygon()


def _flatten(geom: BaseGeometry) -> list[BaseGeometry]:
    if hasattr(geom, "geoms"):
        out: list[BaseGeometry] = []
        for sub in geom.geoms:
            out.extend(_flatten(sub))
        return out
    return [geom]


def _join_exclaves(
    regions: dict[str, BaseGeometry], points: Sequence[Generator], anchors: Mapping[str, Generator]
) -> bool:
    changed = False
    for label in sorted(regions):
        anchor = anchors.get(label)
        pieces = parts(regions[label])
        if anchor is None or len(pieces) < 2:
            continue
        seat = Point(anchor.longitude, anchor.latitude)
        main = next((p for p in pieces if p.covers(seat)), pieces[0])
        others = [g for g in points if g.label != label]
        keep_clear = shapely.unary_union([Point(g.longitude, g.latitude) for g in others]).buffer(
            CLEARANCE
        )
        for piece in pieces:
            if piece is main or not _holds_point(piece, points, label):
                continue
            link = shapely.shortest_line(piece, main)
            corridor = link.buffer(CORRIDOR_HALF_WIDTH).difference(keep_clear)
            joined = _polygonal(shapely.unary_union([piece, main, corridor]))
            if not isinstance(joined, Polygon):
                continue  # the way is blocked by other divisions' points: keep the exclave
            corridor = _polygonal(
                corridor.intersection(shapely.unary_union(list(regions.values())))
            )
            for other in regions:
                if other != label:
                    regions[other] = _polygonal(regions[other].difference(corridor))
            regions[label] = _polygonal(shapely.unary_union([regions[label], corridor]))
            main = next(p for p in parts(regions[label]) if p.covers(seat))
            changed = True
    return changed


def _holds_point(piece: BaseGeometry, points: Sequence[Generator], label: str) -> bool:
    return any(g.label == label and piece.covers(Point(g.longitude, g.latitude)) for g in points)


def _give_away_orphans(regions: dict[str, BaseGeometry], points: Sequence[Generator]) -> None:
    for label in sorted(regions):
        for piece in parts(regions[label]):
            if _holds_point(piece, points, label):
                continue
            best, shared = None, -1.0
            for other in sorted(regions):
                if other == label:
                    continue
                length = piece.boundary.intersection(regions[other].buffer(GRID_SIZE)).length
                if length > shared:
                    best, shared = other, length
            if best is None or shared <= 0:
                continue
            regions[label] = _polygonal(regions[label].difference(piece))
            regions[best] = _polygonal(shapely.unary_union([regions[best], piece]))
