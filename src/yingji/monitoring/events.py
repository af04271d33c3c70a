"""Monitoring events: an alarm condition was raised (or changed level) or cleared.

Announced once per change of a rule's active level, never once per reading while the
condition persists. The alarms domain subscribes and keeps the alarm lifecycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from yingji.core.events import Event


class AlarmConditionRaised(Event):
    """A device rule reached a level (or moved to another level while active)."""

    name: ClassVar[str] = "monitoring.condition_raised"
    device_id: int
    device_code: str
    device_name: str
    metric: str
    unit: str
    rule_key: str
    level: Literal["blue", "yellow", "orange", "red"]
    level_label: str
    value: float
    threshold: float | None
    observed_at: datetime
    division_code: str | None
    enterprise_id: int | None
    risk_point_id: int | None
    major_hazard_id: int | None
    longitude: float | None
    latitude: float | None
    message: str


class AlarmConditionCleared(Event):
    """A device rule fell back to normal (hysteresis passed), or a silent device reported."""

    name: ClassVar[str] = "monitoring.condition_cleared"
    device_id: int
    device_code: str
    metric: str
    rule_key: str
    value: float | None
    observed_at: datetime
