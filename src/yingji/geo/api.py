"""Geo API: divisions, their boundaries as GeoJSON, and point-in-division lookup."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from yingji.accounts.deps import api_actor
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.core.geojson import feature, feature_collection
from yingji.core.pagination import Page
from yingji.core.web.context import read_session
from yingji.geo import queries
from yingji.geo.schemas import DivisionLevelName, DivisionRead, LocatedDivision

router = APIRouter(prefix="/api/v1", tags=["行政区划"])


@router.get("/divisions", response_model=Page[DivisionRead], summary="行政区划列表")
def list_divisions(
    level: DivisionLevelName | None = None,
    parent_code: str | None = None,
    division_code: Annotated[str | None, Query(description="this division and below")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 100,
    _actor: Actor = Depends(api_actor),
    session: Session = Depends(read_session),
) -> Page[DivisionRead]:
    """List divisions (public reference data for every signed-in user)."""
    rows = queries.list_divisions(
        session, level=level, parent_code=parent_code, within=division_code
    )
    start = (page - 1) * size
    return Page(
        items=[queries.to_read(d) for d in rows[start : start + size]],
        total=len(rows),
        page=page,
        size=size,
    )


@router.get(
    "/divisions.geojson",
    summary="行政区划边界 GeoJSON",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def divisions_geojson(
    level: DivisionLevelName | None = None,
    division_code: str | None = None,
    _actor: Actor = Depends(api_actor),
    session: Session = Depends(read_session),
) -> Response:
    """Return division boundaries as a FeatureCollection (demo geometry is flagged)."""
    rows = queries.list_divisions(session, level=level, within=division_code)
    features = (
        feature(
            d.boundary,
            {
                "code": d.code,
                "name": d.name,
                "level": d.level,
                "population": d.population,
                "boundary_source": d.boundary_source,
            },
            d.code,
        )
        for d in rows
        if d.boundary is not None
    )
    return Response(
        json.dumps(feature_collection(features), ensure_ascii=False),
        media_type="application/geo+json",
    )


@router.get("/divisions/locate", response_model=LocatedDivision, summary="坐标所属行政区划")
def locate(
    longitude: Annotated[float, Query(ge=-180, le=180)],
    latitude: Annotated[float, Query(ge=-90, le=90)],
    _actor: Actor = Depends(api_actor),
    session: Session = Depends(read_session),
) -> LocatedDivision:
    """Return the deepest division containing the point."""
    found = queries.locate(session, longitude, latitude)
    if found is None:
        raise NotFound("该坐标不在本区任何行政区划内")
    return found


@router.get("/divisions/{code}", response_model=DivisionRead, summary="行政区划详情")
def get_division(
    code: str, _actor: Actor = Depends(api_actor), session: Session = Depends(read_session)
) -> DivisionRead:
    """Return one division by its code."""
    return queries.to_read(queries.get_division(session, code))
