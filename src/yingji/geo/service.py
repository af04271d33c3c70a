"""Geo writes: maintain divisions and place or move sites."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.geo.geometry import geometry_problem
from yingji.geo.models import Division, Site
from yingji.geo.queries import division_exists, find_division, forget_divisions, locate
from yingji.geo.rules import division_level, parent_code, validate_division_code
from yingji.geo.schemas import DivisionWrite


def upsert_division(uow: UnitOfWork, data: DivisionWrite) -> Division:
    """Create the division or update it in place (idempotent by code)."""
    errors: list[FieldError] = []
    if (reason := validate_division_code(data.code)) is not None:
        errors.append(FieldError("code", reason))
    parent = parent_code(data.code) if not errors else None
    if parent is not None and find_division(uow.session, parent) is None:
        errors.append(FieldError("code", f"上级行政区划 {parent} 不存在"))
    if data.boundary is not None and (reason := geometry_problem(data.boundary)) is not None:
        errors.append(FieldError("boundary", reason))
    if errors:
        raise ValidationFailed(errors)
    now = uow.clock.now()
    division = find_division(uow.session, data.code)
    before = None
    if division is None:
        division = Division(
            code=data.code,
            level=division_level(data.code).value,
            parent_code=parent,
            updated_at=now,
            name=data.name,
        )
        uow.session.add(division)
    else:
        before = {"name": division.name, "population": division.population}
    division.name = data.name
    division.population = data.population
    division.households = data.households
    division.boundary = data.boundary
    division.boundary_source = data.boundary_source
    division.center_longitude = data.longitude
    division.center_latitude = data.latitude
    division.updated_at = now
    uow.session.flush()
    forget_divisions(uow.session)
    uow.audit(
        "geo.division.upsert",
        "geo_division",
        division.code,
        before=before,
        after={"name": division.name, "population": division.population},
    )
    return division


def resolve_division(
    session: Session, division_code: str | None, longitude: float, latitude: float
) -> str:
    """Return the division for a new place: the given code (checked) or the one at the point."""
    if division_code:
        if not division_exists(session, division_code):
            raise ValidationFailed(
                [FieldError("division_code", f"行政区划 {division_code} 不存在")]
            )
        return division_code
    found = locate(session, longitude, latitude)
    if found is None:
        raise ValidationFailed(
            [FieldError("longitude", "坐标不在本区任何行政区划内，请填写所属行政区划")]
        )
    return found.code


def place_site(
    uow: UnitOfWork,
    *,
    kind: str,
    name: str,
    longitude: float,
    latitude: float,
    division_code: str | None = None,
    address: str | None = None,
) -> Site:
    """Create a site; the division is resolved from the point when not given."""
    code = resolve_division(uow.session, division_code, longitude, latitude)
    site = Site(
        kind=kind,
        name=name,
        division_code=code,
        longitude=longitude,
        latitude=latitude,
        address=address,
        updated_at=uow.clock.now(),
    )
    uow.session.add(site)
    return site


def move_site(
    uow: UnitOfWork,
    site: Site,
    *,
    name: str | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
    division_code: str | None = None,
    address: str | None = None,
) -> Site:
    """Change a site's point, division, name or address (division re-resolved on a move)."""
    lon = site.longitude if longitude is None else longitude
    lat = site.latitude if latitude is None else latitude
    moved = (lon, lat) != (site.longitude, site.latitude)
    if division_code is not None or moved:
        site.division_code = resolve_division(uow.session, division_code, lon, lat)
    site.longitude, site.latitude = lon, lat
    if name is not None:
        site.name = name
    if address is not None:
        site.address = address
    site.updated_at = uow.clock.now()
    return site
