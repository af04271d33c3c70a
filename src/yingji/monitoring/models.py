"""Monitoring tables: devices, readings (raw and downsampled), rule config and state, rejections.

Readings are the volume table: one row per (device, metric, observed_at) — the unique key
that makes a redelivered MQTT message or a re-posted batch insert nothing twice. Rule state
lives here too so a restarted ingest process resumes its durations and active levels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid; BigInteger elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Device(Base):
    """A sensing device (感知设备) at a monitoring point, with its metrics and links."""

    __tablename__ = "monitoring_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # [{"code": "gas", "unit": "%LEL", "label": "可燃气体浓度"}, ...]
    metrics: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    site_name: Mapped[str | None] = mapped_column(String(200))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    risk_point_id: Mapped[int | None] = mapped_column(Integer, index=True)
    major_hazard_id: Mapped[int | None] = mapped_column(Integer, index=True)
    linked_kind: Mapped[str | None] = mapped_column(String(40))
    linked_id: Mapped[int | None] = mapped_column(Integer)
    linked_name: Mapped[str | None] = mapped_column(String(200))
    interval_seconds: Mapped[int] = mapped_column(Integer, default=60)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reading(Base):
    """One measured value (监测数据); never updated, deleted only by retention."""

    __tablename__ = "monitoring_reading"
    __table_args__ = (
        UniqueConstraint("device_id", "metric", "observed_at", name="uq_monitoring_reading_key"),
        Index("ix_monitoring_reading_observed", "observed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(40))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReadingAggregate(Base):
    """Readings older than the raw retention, folded into one row per bucket."""

    __tablename__ = "monitoring_reading_aggregate"
    __table_args__ = (
        UniqueConstraint(
            "device_id", "metric", "bucket_start", "bucket_seconds", name="uq_monitoring_agg_key"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(40))
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    bucket_seconds: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    minimum: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)


class RuleConfig(Base):
    """Alarm rules configured for a device kind (``scope`` kind) or one device (``device``)."""

    __tablename__ = "monitoring_rule_config"
    __table_args__ = (UniqueConstraint("scope", "target", name="uq_monitoring_rule_config"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(64))
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100))


class RuleState(Base):
    """Evaluation state of one rule on one device (what survives a restart)."""

    __tablename__ = "monitoring_rule_state"
    __table_args__ = (UniqueConstraint("device_id", "rule_key", name="uq_monitoring_rule_state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(Integer, index=True)
    rule_key: Mapped[str] = mapped_column(String(60))
    metric: Mapped[str] = mapped_column(String(40))
    active_level: Mapped[str | None] = mapped_column(String(10), index=True)
    active_label: Mapped[str | None] = mapped_column(String(60))
    active_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_value: Mapped[float | None] = mapped_column(Float)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    watched: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Rejection(Base):
    """Counter of refused input by reason (persisted so every ingest copy adds to it)."""

    __tablename__ = "monitoring_rejection"

    reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_detail: Mapped[str | None] = mapped_column(Text)
