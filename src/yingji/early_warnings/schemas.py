"""Early-warning API shapes: compose, edit, revise, read, messages, validation results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from yingji.core.schemas import ReadModel
from yingji.early_warnings.rules import CHANNELS, Level

DIVISION_PATTERN = r"^\d{6}(\d{3}){0,3}$"


class WarningContent(BaseModel):
    """What a warning says and where: the fields the composer fills in."""

    title: str = Field(min_length=1, max_length=200, title="标题")
    signal: str = Field(min_length=1, max_length=40, title="预警信号类型")
    level: Level = Field(title="预警级别")
    issuer: str | None = Field(default=None, max_length=200, title="发布单位")
    division_codes: list[str] = Field(default_factory=list, title="预警区域（行政区划）")
    polygon: dict[str, Any] | None = Field(
        default=None, title="预警区域（多边形）", description="GeoJSON Polygon/MultiPolygon"
    )
    area_desc: str | None = Field(default=None, max_length=500, title="区域描述")
    starts_at: AwareDatetime = Field(title="生效时间")
    ends_at: AwareDatetime = Field(title="预计结束时间")
    description: str = Field(default="", max_length=4000, title="预警内容")
    measures: str = Field(default="", max_length=4000, title="防御措施")
    contact: str = Field(default="", max_length=200, title="联系方式")
    channels: list[str] = Field(default_factory=lambda: ["sms", "in_app"], title="发布渠道")


class WarningCreate(WarningContent):
    """A new warning draft."""


class WarningRevision(BaseModel):
    """Changes to a draft (PATCH) or to a published warning (an Update message)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    level: Level | None = None
    division_codes: list[str] | None = None
    polygon: dict[str, Any] | None = None
    area_desc: str | None = Field(default=None, max_length=500)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    description: str | None = Field(default=None, max_length=4000)
    measures: str | None = Field(default=None, max_length=4000)
    contact: str | None = Field(default=None, max_length=200)
    channels: list[str] | None = None
    reason: str = Field(default="", max_length=500, title="原因")


class ActionBody(BaseModel):
    """The reason given for a workflow step."""

    reason: str = Field(default="", max_length=500, title="原因")


class TransitionRead(ReadModel):
    """One workflow step."""

    action: str
    from_state: str | None
    to_state: str
    actor_name: str
    reason: str
    at: datetime


class MessageRead(ReadModel):
    """One CAP message of a warning (the document is at ``cap_url``)."""

    id: int
    seq: int
    identifier: str
    sender: str
    sent: str
    msg_type: str
    status: str
    queued: int
    cap_url: str


class WarningRead(ReadModel):
    """A warning as the API shows it."""

    id: int
    title: str
    signal: str
    signal_name: str
    level: str
    level_label: str
    issuer: str
    division_code: str
    division_codes: list[str]
    polygon: dict[str, Any] | None
    area_desc: str
    starts_at: datetime
    ends_at: datetime
    description: str
    measures: str
    contact: str
    channels: list[str]
    state: str
    state_label: str
    origin: str
    cap_status: str
    created_by: int | None
    submitted_by: int | None
    approved_by: int | None
    published_at: datetime | None
    lifted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    messages: list[MessageRead] = Field(default_factory=list)
    history: list[TransitionRead] = Field(default_factory=list)


class ImportResult(BaseModel):
    """What an import did."""

    warning_id: int
    identifier: str
    created: bool
    # Advice: the project's profile rules the message does not meet (at most 100 listed).
    warnings: list[dict[str, str]] = Field(default_factory=list)
    warnings_total: int = 0


KNOWN_CHANNELS = frozenset(CHANNELS)
