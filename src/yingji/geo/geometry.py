"""Geometry helpers on shapely 2: GeoJSON in and out, a spatial index for lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry


def geometry_problem(geojson: dict[str, Any]) -> str | None:
    """Return why a GeoJSON boundary is unusable (Chinese), or None."""
    if geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        return "边界应为 Polygon 或 MultiPolygon"
    try:
        geom = shape(geojson)
    except Exception:  # shapely raises several types for malformed coordinates
        return "边界坐标格式错误"
    if geom.is_empty or not geom.is_valid:
        return "边界多边形无效（自相交或为空）"
    return None


def to_shape(geojson: dict[str, Any]) -> BaseGeometry:
    """Return the shapely geometry for a GeoJSON geometry dict."""
    return shape(geojson)


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """Return the GeoJSON dict for a shapely geometry."""
    return dict(mapping(geom))


@dataclass(frozen=True)
class IndexedArea:
    """An area in a spatial index: its code, level depth and geometry."""

    code: str
    depth: int
    geometry: BaseGeometry


class AreaIndex:
    """Answers "which areas contain this point" with an STR-tree (O(log n) candidates)."""

    def __init__(self, areas: Sequence[IndexedArea]) -> None:
        self._areas = list(areas)
        self._tree = STRtree([a.geometry for a in self._areas]) if self._areas else None

    def containing(self, longitude: float, latitude: float) -> list[IndexedArea]:
        """Return the areas containing the point, deepest first."""
        if self._tree is None:
            return []
        point = Point(longitude, latitude)
        hits = self._tree.query(point, predicate="intersects")
        found = [self._areas[int(i)] for i in hits]
        return sorted(found, key=lambda a: -a.depth)
