"""Incident API shapes: intake, casualty changes, reports, deadlines, timeline, rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from yingji.core.schemas import ReadModel

Category = Literal["natural_disaster", "accident", "public_health", "social_security"]
Grade = Literal["ordinary", "large", "major", "extraordinary"]
Source = Literal["duty_desk", "api", "alarm", "grid_report", "enterprise"]
ReportKindName = Literal["first", "follow_up", "final", "supplementary"]


class CasualtyFields(BaseModel):
    """Casualties kept separately, and the direct economic loss in 万元."""

    deaths: int = Field(default=0, ge=0, le=100000, description="死亡")
    missing: int = Field(default=0, ge=0, le=100000, description="失踪（下落不明）")
    trapped: int = Field(default=0, ge=0, le=100000, description="被困")
    serious_injuries: int = Field(default=0, ge=0, le=100000, description="重伤")
    injuries: int = Field(default=0, ge=0, le=100000, description="其他受伤（轻伤）")
    acute_poisoning: int = Field(default=0, ge=0, le=100000, description="急性工业中毒")
    direct_loss_wan_yuan: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=Decimal("100000000"),
        # Official figures are given to the yuan (373.9228 万元): 4 places, kept exactly.
        decimal_places=4,
        description="直接经济损失（万元，至多 4 位小数，即精确到元）",
    )


class IncidentCreate(CasualtyFields):
    """An incident as received (duty desk form, 110/119/120 or another platform)."""

    category: Category
    type: str = Field(min_length=1, max_length=40, description="事件类型代码")
    occurred_at: datetime = Field(description="发生时间；不带时区时按本区时间")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    division_code: str | None = Field(default=None, max_length=15)
    place: str = Field(default="", max_length=300)
    enterprise_id: int | None = None
    unit_name: str = Field(default="", max_length=200)
    reporter_name: str = Field(default="", max_length=100)
    reporter_phone: str = Field(default="", max_length=40)
    external_ref: str | None = Field(default=None, min_length=1, max_length=120)
    source: Source = "api"
    # Only for categories 493 does not grade: the grade the responsible body announced.
    grade: Grade | None = None


class CasualtyUpdate(CasualtyFields):
    """New casualty figures (the whole set) and why they changed."""

    reason: str = Field(min_length=1, max_length=500)


class CloseBody(BaseModel):
    """Why an incident is closed (结案)."""

    reason: str = Field(min_length=1, max_length=1000)


class DeadlineRead(ReadModel):
    """A reporting duty with its countdown."""

    id: int
    key: str
    label: str
    reports_to: str
    due_at: datetime
    remind_at: datetime
    remind: bool
    citation: str
    state: str
    state_label: str
    seconds_left: int
    reminded_at: datetime | None
    escalated_at: datetime | None
    met_at: datetime | None


class TaskRead(ReadModel):
    """A task the rules created."""

    id: int
    kind: str
    kind_label: str
    title: str
    due_at: datetime | None
    status: str
    created_at: datetime
    done_at: datetime | None


class IncidentRead(CasualtyFields, ReadModel):
    """An incident with its grade, reporting deadlines and open tasks."""

    id: int
    external_ref: str | None
    source: str
    category: str
    category_label: str
    type: str
    type_label: str
    title: str
    description: str
    occurred_at: datetime
    received_at: datetime
    longitude: float | None
    latitude: float | None
    division_code: str
    division_name: str
    place: str
    enterprise_id: int | None
    unit_name: str
    reporter_name: str
    reporter_phone: str
    grade: str | None
    grade_label: str | None
    grade_by_criterion: dict[str, str]
    status: str
    status_label: str
    closed_at: datetime | None
    close_reason: str | None
    created_at: datetime
    reporting_deadlines: list[DeadlineRead]
    tasks: list[TaskRead]


class IncidentSummary(ReadModel):
    """A line of the incident list."""

    id: int
    title: str
    category: str
    category_label: str
    type_label: str
    occurred_at: datetime
    division_code: str
    grade: str | None
    grade_label: str | None
    status: str
    status_label: str
    deaths: int
    missing: int
    next_due_at: datetime | None


class TimelineEntryRead(ReadModel):
    """One entry of the timeline."""

    id: int
    at: datetime
    kind: str
    summary: str
    data: dict[str, Any]
    actor_name: str


class ReportCreate(BaseModel):
    """A report to draft; empty sections are filled from the incident record."""

    kind: ReportKindName
    unit_overview: str | None = Field(default=None, max_length=5000)
    time_place_scene: str | None = Field(default=None, max_length=5000)
    sequence: str | None = Field(default=None, max_length=5000)
    casualties_and_loss: str | None = Field(default=None, max_length=5000)
    measures_taken: str = Field(default="", max_length=5000)
    other_matters: str = Field(default="", max_length=5000)


class ReportSend(BaseModel):
    """Where a signed report went, and which reporting duties it fulfils."""

    sent_to: str = Field(min_length=1, max_length=200)
    deadline_keys: list[str] | None = Field(
        default=None, description="留空：本局应履行的全部未完成上报时限"
    )


class ReportRead(ReadModel):
    """A written report and its sign-off."""

    id: int
    incident_id: int
    kind: str
    kind_label: str
    seq: int
    title: str
    status: str
    status_label: str
    content: dict[str, str]
    drafted_by_name: str
    drafted_at: datetime
    signed_by_name: str | None
    signed_at: datetime | None
    sent_at: datetime | None
    sent_to: str | None
    document_url: str


class ReportingRuleWrite(BaseModel):
    """A deployment's reporting rule (e.g. a provincial 15-minute phone report)."""

    label: str = Field(min_length=1, max_length=200)
    reports_to: str = Field(min_length=1, max_length=200)
    minutes: int = Field(ge=1, le=60 * 24 * 30)
    anchor: Literal["occurred", "received"] = "received"
    min_grade: Grade | None = None
    categories: list[Category] = Field(default_factory=list)
    remind: bool = True
    remind_before_minutes: int = Field(default=30, ge=0, le=60 * 24)
    active: bool = True
    citation: str = Field(default="", max_length=200)


class ReportingRuleRead(ReportingRuleWrite, ReadModel):
    """An effective reporting rule and where it comes from."""

    key: str
    origin: Literal["national", "local"]
