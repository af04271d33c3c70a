"""Notify API shapes: target areas, recipient counts, coverage, deliveries, registers.

Also re-exports the channel labels from ``rules`` (warnings name their channels).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from yingji.core.schemas import ReadModel
from yingji.notify.rules import CHANNEL_LABELS as CHANNEL_LABELS
from yingji.registry.schemas import PHONE_PATTERN, SHOWN_PHONE_PATTERN, RecordMeta

DIVISION_PATTERN = r"^\d{6}(\d{3}){0,3}$"


class TargetArea(BaseModel):
    """Where a broadcast goes: division codes (everything under them) and/or a polygon.

    The area is the union of its parts, as a CAP ``<area>`` with several geocodes/polygons.
    """

    division_codes: list[str] = Field(default_factory=list, title="行政区划代码")
    polygon: dict[str, Any] | None = Field(
        default=None, title="范围多边形", description="GeoJSON Polygon/MultiPolygon (WGS84)"
    )


class RecipientCount(BaseModel):
    """How many recipients an area holds (before a broadcast), by village."""

    responsible_persons: int
    residents: int
    devices: int
    total: int
    by_village: dict[str, int]


class CoverageCounts(BaseModel):
    """Delivery figures of one slice (the whole source, a village or a channel)."""

    targeted: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    ack_required: int = 0
    acknowledged: int = 0


class CoverageRead(CoverageCounts):
    """Coverage of one source's broadcasts: totals, by village and by channel."""

    source_kind: str
    source_id: str
    by_village: dict[str, CoverageCounts] = Field(default_factory=dict)
    by_channel: dict[str, CoverageCounts] = Field(default_factory=dict)


class BroadcastRequest(BaseModel):
    """A broadcast asked for through the API (drills, ad-hoc notices by the bureau)."""

    source_kind: str = Field(min_length=1, max_length=40, title="来源类型")
    source_id: str = Field(min_length=1, max_length=64, title="来源编号")
    area: TargetArea
    channels: list[str] = Field(min_length=1, title="渠道")
    subject: str = Field(min_length=1, max_length=200, title="标题")
    body: str = Field(min_length=1, max_length=2000, title="内容")
    require_ack: bool = Field(default=False, title="需要叫应")


class BroadcastQueued(BaseModel):
    """What a broadcast queued."""

    message_id: int
    queued: int


class DeliveryRead(ReadModel):
    """One delivery as the dashboard and the API show it."""

    id: int
    message_id: int
    subject: str
    source_kind: str
    source_id: str
    channel: str
    recipient_kind: str
    recipient_id: int
    address: str | None
    division_code: str | None
    state: str
    attempts: int
    queued_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    last_error: str | None


class InboxItem(ReadModel):
    """One in-app notification of the signed-in user."""

    delivery_id: int
    message_id: int
    subject: str
    body: str
    source_kind: str
    source_id: str
    queued_at: datetime
    state: str
    ack_token: str | None = None
    acknowledged_at: datetime | None = None


class AcknowledgeRequest(BaseModel):
    """A 叫应 by token (from the link in the message) or by delivery id (signed in)."""

    token: str | None = Field(default=None, max_length=64)
    delivery_id: int | None = None


class AcknowledgementRead(ReadModel):
    """A named person's acknowledgement of a message."""

    id: int
    message_id: int
    person_id: int
    person_name: str
    division_code: str | None
    requested_at: datetime
    escalation_step: int
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_via: str | None


# --- registers (served by the registry kit) ---------------------------------------------

PersonRole = Literal[
    "village_cadre",
    "township_cadre",
    "grid_member",
    "enterprise_safety_officer",
    "accountable_person",
    "department_contact",
    "other",
]
DeviceKind = Literal["loudspeaker", "display"]


class PersonFields(BaseModel):
    """Fields a responsible person is registered with."""

    name: str = Field(min_length=1, max_length=100, title="姓名")
    phone: str = Field(max_length=40, pattern=PHONE_PATTERN, title="手机号码")
    role: PersonRole = Field(title="责任类别")
    position: str | None = Field(default=None, max_length=100, title="职务")
    user_id: int | None = Field(default=None, ge=1, title="平台用户ID")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")
    superior_id: int | None = Field(default=None, ge=1, title="上级责任人ID")
    notes: str | None = Field(default=None, max_length=2000, title="备注")


class PersonCreate(PersonFields):
    """A new responsible person and the division they answer for."""

    division_code: str = Field(pattern=DIVISION_PATTERN, title="负责行政区划代码")


class PersonUpdate(BaseModel):
    """Fields to change (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=100, title="姓名")
    phone: str | None = Field(default=None, max_length=40, pattern=PHONE_PATTERN, title="手机号码")
    role: PersonRole | None = Field(default=None, title="责任类别")
    position: str | None = Field(default=None, max_length=100, title="职务")
    user_id: int | None = Field(default=None, ge=1, title="平台用户ID")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")
    superior_id: int | None = Field(default=None, ge=1, title="上级责任人ID")
    notes: str | None = Field(default=None, max_length=2000, title="备注")
    division_code: str | None = Field(
        default=None, pattern=DIVISION_PATTERN, title="负责行政区划代码"
    )


class PersonRead(PersonFields, RecordMeta):
    """A responsible person as the API shows it (phone masked without the reveal right)."""

    phone: str = Field(max_length=40, pattern=SHOWN_PHONE_PATTERN, title="手机号码")


class PersonFilters(BaseModel):
    """Query filters for the responsible-person register."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="姓名关键字")
    role: PersonRole | None = Field(default=None, title="责任类别")


class DeviceFields(BaseModel):
    """Fields a public-address device is registered with."""

    code: str = Field(min_length=1, max_length=64, title="设备编号")
    name: str = Field(min_length=1, max_length=200, title="设备名称")
    kind: DeviceKind = Field(title="设备类型")
    longitude: float | None = Field(default=None, ge=-180, le=180, title="经度")
    latitude: float | None = Field(default=None, ge=-90, le=90, title="纬度")
    notes: str | None = Field(default=None, max_length=2000, title="备注")


class DeviceCreate(DeviceFields):
    """A new device and the division (usually the village) it serves."""

    division_code: str = Field(pattern=DIVISION_PATTERN, title="所在行政区划代码")


class DeviceUpdate(BaseModel):
    """Fields to change (all optional)."""

    code: str | None = Field(default=None, min_length=1, max_length=64, title="设备编号")
    name: str | None = Field(default=None, min_length=1, max_length=200, title="设备名称")
    kind: DeviceKind | None = Field(default=None, title="设备类型")
    longitude: float | None = Field(default=None, ge=-180, le=180, title="经度")
    latitude: float | None = Field(default=None, ge=-90, le=90, title="纬度")
    notes: str | None = Field(default=None, max_length=2000, title="备注")
    division_code: str | None = Field(
        default=None, pattern=DIVISION_PATTERN, title="所在行政区划代码"
    )


class DeviceRead(DeviceFields, RecordMeta):
    """A device as the API shows it."""


class DeviceFilters(BaseModel):
    """Query filters for the device register."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称或编号关键字")
    kind: DeviceKind | None = Field(default=None, title="设备类型")
