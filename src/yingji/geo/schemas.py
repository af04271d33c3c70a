"""Geo API shapes.

Also re-exports the great-circle measure from ``rules`` (``distance_m``, ``EARTH_RADIUS_M``):
one earth model for every domain's distances (rescue rings, check-ins, nearby hazards,
evacuation costs) without reaching into geo's rules, and the division-code structure helpers
``township_of`` and ``is_district_level``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from yingji.core.schemas import ReadModel
from yingji.geo.rules import EARTH_RADIUS_M as EARTH_RADIUS_M
from yingji.geo.rules import distance_m as distance_m
from yingji.geo.rules import is_district_level as is_district_level
from yingji.geo.rules import township_of as township_of

DivisionLevelName = Literal["district", "township", "village", "grid"]


class DivisionRead(ReadModel):
    """A division as the API shows it (boundary only in the GeoJSON layer)."""

    id: int
    code: str
    name: str
    level: DivisionLevelName
    parent_code: str | None
    population: int | None
    households: int | None
    longitude: float | None = Field(description="centre longitude")
    latitude: float | None = Field(description="centre latitude")


class DivisionWrite(BaseModel):
    """Fields to create or replace a division (administrators and the seed)."""

    code: str = Field(pattern=r"^\d{6}(\d{3}){0,3}$")
    name: str = Field(min_length=1, max_length=100)
    population: int | None = Field(default=None, ge=0)
    households: int | None = Field(default=None, ge=0)
    boundary: dict[str, Any] | None = None
    boundary_source: str | None = None
    longitude: float | None = Field(default=None, ge=-180, le=180)
    latitude: float | None = Field(default=None, ge=-90, le=90)


class LocatedDivision(BaseModel):
    """The answer of a point-in-division lookup: the deepest division holding the point."""

    code: str
    name: str
    level: DivisionLevelName
    path: list[str] = Field(description="codes from the district down to this division")
