"""Disaster-report shapes: process and report input, reads and the per-township summary."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yingji.core.schemas import ReadModel
from yingji.incidents.disaster_reports.rules import HazardType, ReportKind


class ProcessCreate(BaseModel):
    """Open a disaster process."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    hazard_type: HazardType
    started_at: AwareDatetime
    division_code: str | None = Field(default=None, max_length=15)
    incident_id: int | None = None


class ReportCreate(BaseModel):
    """A township's 初报/续报/核报 with its figures (field name → value, units per field)."""

    model_config = ConfigDict(extra="forbid")

    division_code: str = Field(min_length=9, max_length=9)
    kind: ReportKind
    as_of: AwareDatetime
    figures: dict[str, Decimal] = Field(default_factory=dict)
    narrative: str = Field(default="", max_length=5000)
    correction_reason: str | None = Field(default=None, max_length=500)


class ReportRead(ReadModel):
    """A stored report."""

    id: int
    process_id: int
    division_code: str
    division_name: str
    seq: int
    kind: ReportKind
    kind_label: str
    as_of: datetime
    figures: dict[str, Decimal]
    narrative: str
    correction_reason: str | None
    reported_at: datetime


class TownshipStatus(ReadModel):
    """Where one township stands in a process: its latest report and its next duty."""

    division_code: str
    division_name: str
    reports: int
    last_kind: ReportKind | None
    last_reported_at: datetime | None
    next_kind: ReportKind | None
    next_due_at: datetime | None
    overdue: bool
    figures: dict[str, Decimal]


class ProcessRead(ReadModel):
    """A disaster process with its townships and the totals of their latest figures."""

    id: int
    name: str
    hazard_type: HazardType
    hazard_label: str
    division_code: str
    started_at: datetime
    incident_id: int | None
    state: str
    stabilised_at: datetime | None
    townships: list[TownshipStatus]
    totals: dict[str, Decimal]
