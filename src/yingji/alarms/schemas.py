"""Alarm API shapes, and the condition the service raises alarms from."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from yingji.alarms.rules import ClearReason, Level
from yingji.core.schemas import ReadModel


class AlarmCondition(BaseModel):
    """A sensor condition as monitoring announces it (``AlarmConditionRaised``)."""

    device_id: int
    device_code: str
    device_name: str = ""
    metric: str
    unit: str = ""
    rule_key: str
    level: Level
    level_label: str = ""
    value: float
    threshold: float | None = None
    observed_at: datetime
    division_code: str | None = None
    enterprise_id: int | None = None
    risk_point_id: int | None = None
    major_hazard_id: int | None = None
    longitude: float | None = None
    latitude: float | None = None
    message: str = ""


class ConditionCleared(BaseModel):
    """Monitoring says a condition is back to normal (``AlarmConditionCleared``)."""

    device_id: int
    device_code: str = ""
    metric: str
    rule_key: str
    value: float | None = None
    observed_at: datetime


class AlarmRead(ReadModel):
    """An alarm as lists and the board show it."""

    id: int
    state: str
    state_label: str
    level: str
    level_label: str
    last_level: str
    device_id: int
    device_code: str
    device_name: str
    metric: str
    unit: str
    rule_key: str
    message: str
    threshold: float | None
    first_value: float
    last_value: float
    peak_value: float
    count: int
    division_code: str | None
    enterprise_id: int | None
    risk_point_id: int | None
    major_hazard_id: int | None
    longitude: float | None
    latitude: float | None
    raised_at: datetime
    last_observed_at: datetime
    escalation_step: int
    acknowledged_at: datetime | None
    acknowledged_by_name: str | None
    cleared_at: datetime | None
    cleared_by_name: str | None
    clear_reason: str | None
    clear_reason_label: str | None
    clear_note: str | None
    hazard_id: int | None


class AlarmHistoryRead(ReadModel):
    """One history line of an alarm."""

    at: datetime
    action: str
    action_label: str
    from_state: str | None
    to_state: str
    level: str
    value: float | None
    actor_name: str
    note: str | None


class AlarmEscalationRead(ReadModel):
    """One escalation step."""

    round: int
    step: int
    at: datetime
    user_ids: list[int]
    names: str
    position: str | None


class AlarmDetail(AlarmRead):
    """An alarm with its history and escalation steps."""

    history: list[AlarmHistoryRead]
    escalations: list[AlarmEscalationRead]


class AcknowledgeBody(BaseModel):
    """Take charge of an alarm."""

    note: str = Field(default="", max_length=1000)


class ClearBody(BaseModel):
    """Clear an alarm by hand: the reason code is required (422 when missing)."""

    reason: ClearReason | None = None
    note: str = Field(default="", max_length=1000)


class PromoteBody(BaseModel):
    """Open a hazard or an incident draft from an alarm."""

    target: Literal["hazard", "incident"]
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    hazard_kind: str | None = Field(default=None, max_length=20)


class LevelCount(BaseModel):
    """Alarms of one level."""

    level: str
    label: str
    count: int


class AlarmStats(BaseModel):
    """Alarm statistics for a period (alarms raised in [start, end))."""

    start: datetime | None
    end: datetime | None
    total: int
    by_level: list[LevelCount]
    by_state: dict[str, int]
    acknowledged: int
    ack_median_minutes: float | None
    ack_p90_minutes: float | None
    cleared_with_reason: int
    false_alarms: int
    # False alarms among alarms cleared by hand with a reason code (None when none were).
    false_alarm_share: float | None
    by_clear_reason: dict[str, int]
