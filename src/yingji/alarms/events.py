"""Alarm events: raised, acknowledged, escalated, cleared, and promoted to a hazard/incident.

Higher domains react: incidents open a draft from ``AlarmPromoted(target="incident")``; this
domain's own handler turns ``target="hazard"`` into a reported hazard.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from yingji.core.events import Event


class AlarmRaised(Event):
    """A new alarm was raised for a condition (not announced for repeats)."""

    name: ClassVar[str] = "alarms.raised"
    alarm_id: int
    level: str
    level_label: str = ""
    title: str = ""
    device_code: str = ""
    metric: str = ""
    value: float | None = None
    division_code: str | None
    enterprise_id: int | None = None
    risk_point_id: int | None = None
    major_hazard_id: int | None = None
    longitude: float | None = None
    latitude: float | None = None


class AlarmLevelRaised(Event):
    """An open alarm's level rose (e.g. 一级报警 → 二级报警)."""

    name: ClassVar[str] = "alarms.level_raised"
    alarm_id: int
    level: str
    previous_level: str
    division_code: str | None
    enterprise_id: int | None = None


class AlarmAcknowledged(Event):
    """Somebody took charge of an alarm."""

    name: ClassVar[str] = "alarms.acknowledged"
    alarm_id: int
    level: str
    division_code: str | None
    enterprise_id: int | None = None
    acknowledged_by: int | None = None


class AlarmCleared(Event):
    """An alarm was closed: automatically (condition cleared) or by hand with a reason."""

    name: ClassVar[str] = "alarms.cleared"
    alarm_id: int
    level: str
    division_code: str | None
    enterprise_id: int | None = None
    reason: str  # auto | real | false | maintenance | test


class AlarmEscalated(Event):
    """An unacknowledged alarm went to the next person on the duty chain."""

    name: ClassVar[str] = "alarms.escalated"
    alarm_id: int
    level: str
    division_code: str | None
    enterprise_id: int | None = None
    step: int
    user_ids: list[int]


class AlarmPromoted(Event):
    """An alarm is to open a hazard or an incident draft."""

    name: ClassVar[str] = "alarms.promoted"
    alarm_id: int
    target: Literal["hazard", "incident"]
    title: str
    description: str
    level: str
    occurred_at: datetime
    device_code: str
    division_code: str | None
    enterprise_id: int | None
    risk_point_id: int | None
    longitude: float | None
    latitude: float | None
    requested_by_user_id: int | None
    # Optional extras: the metric that alarmed and the hazard kind the person chose.
    metric: str = ""
    hazard_kind: str | None = None
