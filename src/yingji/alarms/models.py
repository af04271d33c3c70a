"""Alarm tables: the alarm (one open per condition), its history, escalation steps, promotions.

``open_key`` is set while an alarm is open and NULL once cleared; its unique index is what
makes "one open alarm per (device, metric, rule)" hold under concurrent raises on both
engines (NULLs never collide).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Alarm(Base):
    """An alarm raised by a sensor rule, with its lifecycle and figures."""

    __tablename__ = "alarms_alarm"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    open_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    device_id: Mapped[int] = mapped_column(Integer, index=True)
    device_code: Mapped[str] = mapped_column(String(80))
    device_name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20), default="")
    rule_key: Mapped[str] = mapped_column(String(120))
    # The highest level reached while open (levels rise, never fall, on one alarm).
    level: Mapped[str] = mapped_column(String(10), index=True)
    level_label: Mapped[str] = mapped_column(String(40), default="")
    last_level: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    threshold: Mapped[float | None] = mapped_column(Float)
    first_value: Mapped[float] = mapped_column(Float)
    last_value: Mapped[float] = mapped_column(Float)
    peak_value: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer, default=1)
    division_code: Mapped[str | None] = mapped_column(String(15), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    risk_point_id: Mapped[int | None] = mapped_column(Integer)
    major_hazard_id: Mapped[int | None] = mapped_column(Integer)
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the alarm last became active (raise, or a rise after acknowledgement): the
    # escalation clock runs from here.
    active_since: Mapped[datetime] = mapped_column(UTCDateTime)
    escalation_round: Mapped[int] = mapped_column(Integer, default=0)
    escalation_step: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(Integer)
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(100))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by: Mapped[int | None] = mapped_column(Integer)
    cleared_by_name: Mapped[str | None] = mapped_column(String(100))
    clear_reason: Mapped[str | None] = mapped_column(String(20), index=True)
    clear_note: Mapped[str | None] = mapped_column(Text)
    hazard_id: Mapped[int | None] = mapped_column(Integer)
    # Bumped on every change: the live board polls max(updated_at) to know when to refresh.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AlarmHistory(Base):
    """One thing that happened to an alarm: who, when, what, and the figures then."""

    __tablename__ = "alarms_alarm_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarms_alarm.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    value: Mapped[float | None] = mapped_column(Float)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AlarmEscalation(Base):
    """One escalation step of an alarm (step 0: the first notice); one row per step."""

    __tablename__ = "alarms_alarm_escalation"
    __table_args__ = (
        UniqueConstraint("alarm_id", "round", "step", name="uq_alarms_escalation_step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarms_alarm.id"), index=True)
    # A rise after acknowledgement starts a new round of steps.
    round: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    names: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[str | None] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(120))
