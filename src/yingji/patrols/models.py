"""Patrol tables: grid patrols with their track and checks, grid reports, public reports.

Every row carries the division it belongs to, so the one scoping rule (division prefix)
decides who sees it. Hazards are linked by id only (the hazards domain owns them).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Patrol(Base):
    """One grid patrol (巡查): who, where (grid/village), from when to when, how far."""

    __tablename__ = "patrols_patrol"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    patroller_id: Mapped[int | None] = mapped_column(Integer, index=True)
    patroller_name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    point_count: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str | None] = mapped_column(Text)


class TrackPoint(Base):
    """One position of a patrol's track; (patrol, time) is unique so re-uploads are harmless."""

    __tablename__ = "patrols_track_point"
    __table_args__ = (UniqueConstraint("patrol_id", "recorded_at", name="uq_patrols_track_point"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols_patrol.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)


class PatrolCheck(Base):
    """A check made on a patrol (an item looked at, normal or an anomaly)."""

    __tablename__ = "patrols_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols_patrol.id"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    photo_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GridReport(Base):
    """A hazard or an event reported by a grid member (from a phone, with photo and place)."""

    __tablename__ = "patrols_grid_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_type: Mapped[str] = mapped_column(String(20), index=True)
    # Hazard kind code for a hazard, event category for an event.
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    photo_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reporter_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reporter_name: Mapped[str] = mapped_column(String(100))
    patrol_id: Mapped[int | None] = mapped_column(Integer, index=True)
    hazard_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PublicReport(Base):
    """A report by a member of the public (举报), routed to a township by its location."""

    __tablename__ = "patrols_public_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Only the SHA-256 of the tracking code: a database leak reveals no reporter's code.
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(300))
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    # The deepest division containing the place (village or grid) and its township.
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    township_code: Mapped[str] = mapped_column(String(9), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(40))
    photo_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Hashed client address, only for the rate limit (never shown).
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    hazard_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # True when the report was linked to an already open hazard nearby (no new hazard).
    linked_existing: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handling_note: Mapped[str | None] = mapped_column(Text)
    reward_state: Mapped[str] = mapped_column(String(20), default="none")
    reward_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    reward_note: Mapped[str | None] = mapped_column(Text)
    reward_paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
