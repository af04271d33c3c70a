"""Monitoring schemas: devices, readings, ingest results, rule config and state, metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core.schemas import PatchModel, ReadModel
from yingji.monitoring.rules import DEVICE_KINDS, LINKED_KINDS


class MetricDef(BaseModel):
    """A metric a device reports, with its unit."""

    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    unit: str = Field(min_length=1, max_length=20)
    label: str = ""


class DeviceCreate(BaseModel):
    """A device to register; metrics default to those of its kind."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: str
    metrics: list[MetricDef] | None = None
    division_code: str | None = Field(default=None, min_length=6, max_length=15)
    site_name: str | None = None
    longitude: float | None = Field(default=None, ge=-180, le=180)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    enterprise_id: int | None = None
    department: str | None = None
    risk_point_id: int | None = None
    major_hazard_id: int | None = None
    linked_kind: str | None = None
    linked_id: int | None = None
    linked_name: str | None = None
    interval_seconds: int = Field(default=60, ge=1, le=7 * 86400)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in DEVICE_KINDS:
            raise ValueError(f"未知的设备类型 {value}")
        return value

    @field_validator("linked_kind")
    @classmethod
    def _linked(cls, value: str | None) -> str | None:
        if value is not None and value not in LINKED_KINDS:
            raise ValueError(f"未知的关联对象类型 {value}")
        return value


class DeviceUpdate(PatchModel):
    """Changes to a device (only the fields given)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {
            "site_name",
            "longitude",
            "latitude",
            "department",
            "linked_kind",
            "linked_id",
            "linked_name",
        }
    )

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    site_name: str | None = None
    longitude: float | None = Field(default=None, ge=-180, le=180)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    department: str | None = None
    interval_seconds: int | None = Field(default=None, ge=1, le=7 * 86400)
    linked_kind: str | None = None
    linked_id: int | None = None
    linked_name: str | None = None
    metrics: list[MetricDef] | None = None


class DeviceRead(ReadModel):
    """A device as the API returns it, with its online status."""

    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    metrics: list[MetricDef]
    division_code: str
    site_name: str | None
    longitude: float | None
    latitude: float | None
    enterprise_id: int | None
    department: str | None
    risk_point_id: int | None
    major_hazard_id: int | None
    linked_kind: str | None
    linked_id: int | None
    linked_name: str | None
    interval_seconds: int
    last_seen_at: datetime | None
    online: bool
    retired: bool


class TelemetryBatch(BaseModel):
    """``POST /api/v1/telemetry``: readings of one or many devices (each names its device)."""

    readings: list[dict[str, Any]] = Field(max_length=50000)


class IngestResult(BaseModel):
    """What one ingest batch did."""

    stored: int = 0
    rejected: dict[str, int] = Field(default_factory=dict)
    raised: int = 0
    cleared: int = 0


class ReadingRead(BaseModel):
    """One stored reading."""

    metric: str
    observed_at: datetime
    value: float


class RuleStateRead(ReadModel):
    """Where a rule stands for a device."""

    rule_key: str
    metric: str
    active_level: str | None
    active_label: str | None
    active_since: datetime | None
    watched: float | None
    last_at: datetime | None


class RejectionRead(BaseModel):
    """A rejected-input counter."""

    reason: str
    label: str
    count: int
    last_at: datetime | None
    last_detail: str | None


class MetricsRead(BaseModel):
    """Ingest health: stored readings, rejections by reason, devices online / silent."""

    readings_stored: int
    rejected: dict[str, int]
    rejected_total: int
    devices: int
    devices_online: int
    active_conditions: int


class RuleConfigRead(BaseModel):
    """Rules configured for a kind or a device, and the rules in effect."""

    scope: str
    target: str
    configured: list[dict[str, Any]] | None
    effective: list[dict[str, Any]]
