"""Recipient selection for an area: division prefixes and/or a polygon, with a coarse index.

Residents carry their village code. A polygon first selects villages by intersecting their
boundaries: villages wholly inside take all their residents in SQL; only villages the
polygon cuts have their residents' points tested (shapely ``contains_xy``, vectorised).
Responsible persons answer for a division, so a polygon reaches the persons of every
village it touches (and of the grids below them). Devices are few and tested by point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from yingji.core.actor import Actor
from yingji.core.errors import FieldError, ValidationFailed
from yingji.geo.geometry import geometry_problem, to_shape
from yingji.geo.models import Division
from yingji.notify.models import BroadcastDevice, Resident, ResponsiblePerson
from yingji.notify.schemas import TargetArea

VILLAGE_DIGITS = 12
DIVISION_DIGITS = frozenset({6, 9, 12, 15})
# Bound parameters per IN (...) list: under SQLite's and PostgreSQL's limits.
ID_CHUNK = 5000


@dataclass
class ResolvedArea:
    """An area reduced to what SQL can select cheaply."""

    prefixes: list[str] = field(default_factory=list)
    whole_villages: list[str] = field(default_factory=list)
    cut_villages: list[str] = field(default_factory=list)
    shape: BaseGeometry | None = None

    @property
    def touched_villages(self) -> list[str]:
        """Return every village the polygon reaches (wholly or in part)."""
        return sorted({*self.whole_villages, *self.cut_villages})

    @property
    def empty(self) -> bool:
        """Tell whether the area selects nothing at all."""
        return not (self.prefixes or self.whole_villages or self.cut_villages)


def resolve_area(session: Session, area: TargetArea) -> ResolvedArea:
    """Check ``area`` and split its polygon into whole and cut villages."""
    errors: list[FieldError] = []
    for i, code in enumerate(area.division_codes):
        if not code.isdigit() or len(code) not in DIVISION_DIGITS:
            errors.append(FieldError(f"area.division_codes.{i}", "行政区划代码应为6/9/12/15位数字"))
    if area.polygon is not None:
        problem = geometry_problem(area.polygon)
        if problem:
            errors.append(FieldError("area.polygon", problem))
    if not area.division_codes and area.polygon is None:
        errors.append(FieldError("area", "请指定行政区划或范围多边形"))
    if errors:
        raise ValidationFailed(errors)
    # A prefix already covered by a shorter one adds nothing.
    codes = sorted(set(area.division_codes), key=len)
    prefixes: list[str] = []
    for code in codes:
        if not any(code.startswith(p) for p in prefixes):
            prefixes.append(code)
    resolved = ResolvedArea(prefixes=prefixes)
    if area.polygon is None:
        return resolved
    polygon = to_shape(area.polygon)
    shapely.prepare(polygon)
    resolved.shape = polygon
    rows = session.execute(
        select(
            Division.code, Division.boundary, Division.center_longitude, Division.center_latitude
        )
        .where(Division.level == "village")
        .order_by(Division.code)
    ).all()
    for code, boundary, lon, lat in rows:
        if any(code.startswith(p) for p in prefixes):
            continue
        if boundary:
            village = to_shape(boundary)
            if polygon.contains(village):
                resolved.whole_villages.append(code)
            elif polygon.intersects(village):
                resolved.cut_villages.append(code)
        elif lon is not None and lat is not None and polygon.contains(shapely.Point(lon, lat)):
            # No boundary known: test its residents one by one.
            resolved.cut_villages.append(code)
    return resolved


def _village_of(column: Any) -> Any:
    return func.substr(column, 1, VILLAGE_DIGITS)


def prefix_clause(column: Any, prefixes: Sequence[str]) -> ColumnElement[bool]:
    """Return ``column`` starts with any of ``prefixes`` (false for none)."""
    if not prefixes:
        return false()
    return or_(*(column.startswith(p, autoescape=True) for p in prefixes))


def resident_sql_clause(resolved: ResolvedArea) -> ColumnElement[bool]:
    """Return the residents selected without testing points (prefixes, whole villages)."""
    parts: list[ColumnElement[bool]] = []
    if resolved.prefixes:
        parts.append(prefix_clause(Resident.division_code, resolved.prefixes))
    if resolved.whole_villages:
        parts.append(_village_of(Resident.division_code).in_(resolved.whole_villages))
    return or_(*parts) if parts else false()


def resident_ids_in_cut_villages(
    session: Session, resolved: ResolvedArea, scope: ColumnElement[bool]
) -> list[int]:
    """Return the ids of residents of cut villages whose point lies inside the polygon."""
    if resolved.shape is None or not resolved.cut_villages:
        return []
    rows = session.execute(
        select(Resident.id, Resident.longitude, Resident.latitude)
        .where(
            _village_of(Resident.division_code).in_(resolved.cut_villages),
            Resident.longitude.is_not(None),
            Resident.latitude.is_not(None),
            scope,
        )
        .order_by(Resident.id)
    ).all()
    if not rows:
        return []
    ids = [r[0] for r in rows]
    inside = shapely.contains_xy(resolved.shape, [r[1] for r in rows], [r[2] for r in rows])
    return [i for i, hit in zip(ids, inside, strict=True) if hit]


def chunks(ids: Sequence[int], size: int = ID_CHUNK) -> list[Sequence[int]]:
    """Split ``ids`` into lists short enough for one IN (...)."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def select_persons(
    session: Session, resolved: ResolvedArea, scope: ColumnElement[bool]
) -> list[ResponsiblePerson]:
    """Return the active responsible persons the area reaches."""
    clause = prefix_clause(ResponsiblePerson.division_code, resolved.prefixes)
    touched = resolved.touched_villages
    if touched:
        # Village level or below only: the first 12 digits of a township code are itself.
        clause = or_(
            clause,
            _village_of(ResponsiblePerson.division_code).in_(touched)
            & (func.length(ResponsiblePerson.division_code) >= VILLAGE_DIGITS),
        )
    return list(
        session.scalars(
            select(ResponsiblePerson)
            .where(clause, ResponsiblePerson.retired_at.is_(None), scope)
            .order_by(ResponsiblePerson.id)
        )
    )


def select_devices(
    session: Session, resolved: ResolvedArea, scope: ColumnElement[bool]
) -> list[BroadcastDevice]:
    """Return the active devices the area reaches (by division, or by point in the polygon)."""
    clause = prefix_clause(BroadcastDevice.division_code, resolved.prefixes)
    if resolved.touched_villages:
        clause = or_(
            clause, _village_of(BroadcastDevice.division_code).in_(resolved.touched_villages)
        )
    candidates = session.scalars(
        select(BroadcastDevice)
        .where(clause, BroadcastDevice.retired_at.is_(None), scope)
        .order_by(BroadcastDevice.id)
    ).all()
    out: list[BroadcastDevice] = []
    for device in candidates:
        if any(
            device.division_code.startswith(p) for p in resolved.prefixes
        ) or device.division_code[:VILLAGE_DIGITS] in set(resolved.whole_villages):
            out.append(device)
        elif resolved.shape is not None:
            if device.longitude is None or device.latitude is None:
                out.append(device)  # no point: the village it serves is reached
            elif resolved.shape.contains(shapely.Point(device.longitude, device.latitude)):
                out.append(device)
    return out


def scope_for(actor: Actor, column: Any) -> ColumnElement[bool]:
    """Return the actor's jurisdiction over ``column`` (everything for system processes)."""
    if actor.is_system and actor.division_code is None:
        return true()
    if actor.division_code is None:
        return false()
    return column.startswith(actor.division_code, autoescape=True)  # type: ignore[no-any-return]
