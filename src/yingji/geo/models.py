"""Geo tables: divisions with boundaries, and sites (the one location backbone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Division(Base):
    """An administrative division or grid cell, keyed by its official code."""

    __tablename__ = "geo_division"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(15), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    # GeoJSON geometry (Polygon or MultiPolygon) in WGS84/CGCS2000 longitude/latitude.
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Demo geometry is approximate; the flag keeps it from being mistaken for survey data.
    boundary_source: Mapped[str | None] = mapped_column(String(40))
    center_longitude: Mapped[float | None] = mapped_column(Float)
    center_latitude: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Site(Base):
    """A place: a point that belongs to one division (shelter, warehouse, team base ...)."""

    __tablename__ = "geo_site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
