"""Geo reads: divisions, their tree, point-in-division lookup, and sites."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import division_filter
from yingji.core.errors import NotFound
from yingji.geo.geometry import AreaIndex, IndexedArea, to_shape
from yingji.geo.models import Division, Site
from yingji.geo.rules import DivisionLevel
from yingji.geo.schemas import DivisionRead, LocatedDivision

_DEPTH = {"district": 0, "township": 1, "village": 2, "grid": 3}
_index_lock = threading.Lock()
_index_cache: dict[str, tuple[tuple[Any, ...], AreaIndex]] = {}


def boundary_sources(session: Session) -> set[str]:
    """Return where the stored boundaries come from (e.g. {"demo"}), for labelling maps."""
    rows = session.scalars(select(Division.boundary_source).distinct())
    return {source for source in rows if source}


def get_division(session: Session, code: str) -> Division:
    """Return the division with ``code`` or raise NotFound."""
    division = find_division(session, code)
    if division is None:
        raise NotFound(f"行政区划 {code} 不存在")
    return division


def find_division(session: Session, code: str) -> Division | None:
    """Return the division with ``code`` or None."""
    return session.scalar(select(Division).where(Division.code == code))


_NAMES_KEY = "yingji.geo.division_names"
_INDEX_KEY = "yingji.geo.area_index"


def _known_divisions(session: Session) -> dict[str, tuple[str, str]]:
    # Held for the life of the session (one unit of work): an import of 10,000 rows then
    # checks codes and points in memory instead of querying, and autoflushing, per row.
    # geo.service drops it whenever a division is written.
    known: dict[str, tuple[str, str]] | None = session.info.get(_NAMES_KEY)
    if known is None:
        with session.no_autoflush:
            rows = session.execute(select(Division.code, Division.name, Division.level))
            known = {code: (name, level) for code, name, level in rows}
        session.info[_NAMES_KEY] = known
    return known


def division_exists(session: Session, code: str) -> bool:
    """Tell whether a division with ``code`` exists (cached for the session)."""
    return code in _known_divisions(session)


def forget_divisions(session: Session) -> None:
    """Drop the session's division caches (after a division was written)."""
    session.info.pop(_NAMES_KEY, None)
    session.info.pop(_INDEX_KEY, None)


def list_divisions(
    session: Session,
    *,
    level: str | None = None,
    parent_code: str | None = None,
    within: str | None = None,
) -> list[Division]:
    """Return divisions filtered by level, parent, or being inside ``within``."""
    stmt = select(Division).order_by(Division.code)
    if level:
        stmt = stmt.where(Division.level == level)
    if parent_code:
        stmt = stmt.where(Division.parent_code == parent_code)
    if within:
        stmt = stmt.where(division_filter(Division.code, within))
    return list(session.scalars(stmt))


def division_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """Return {code: name} for the given codes (one query)."""
    if not codes:
        return {}
    rows = session.execute(
        select(Division.code, Division.name).where(Division.code.in_(set(codes)))
    )
    return {code: name for code, name in rows}


def to_read(division: Division) -> DivisionRead:
    """Return the API view of a division."""
    return DivisionRead.of(
        division, longitude=division.center_longitude, latitude=division.center_latitude
    )


def _area_index(session: Session) -> AreaIndex:
    # The index is rebuilt only when divisions change: (count, last update) is its version,
    # so every process sees edits made by any other process on its next lookup.
    version = tuple(
        session.execute(select(func.count(Division.id), func.max(Division.updated_at))).one()
    )
    key = str(session.get_bind().engine.url)
    with _index_lock:
        cached = _index_cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
    rows = session.execute(
        select(Division.code, Division.level, Division.boundary).where(
            Division.boundary.is_not(None)
        )
    )
    areas = [
        IndexedArea(code, _DEPTH.get(level, 0), to_shape(boundary))
        for code, level, boundary in rows
    ]
    index = AreaIndex(areas)
    with _index_lock:
        _index_cache[key] = (version, index)
    return index


def locate(session: Session, longitude: float, latitude: float) -> LocatedDivision | None:
    """Return the deepest division whose boundary contains the point, or None."""
    index: AreaIndex | None = session.info.get(_INDEX_KEY)
    if index is None:
        with session.no_autoflush:
            index = _area_index(session)
        session.info[_INDEX_KEY] = index
    hits = index.containing(longitude, latitude)
    if not hits:
        return None
    code = hits[0].code
    name, level = _known_divisions(session)[code]
    path = [a.code for a in sorted(hits, key=lambda a: a.depth)]
    return LocatedDivision(code=code, name=name, level=DivisionLevel(level).value, path=path)


def get_site(session: Session, site_id: int) -> Site:
    """Return the site with ``site_id`` or raise NotFound."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("位置不存在")
    return site
