"""Patrol API shapes: patrols, track points, checks, grid reports, public reports, coverage."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from yingji.core.schemas import ReadModel
from yingji.patrols.rules import CheckResult, GridReportType, ReportState, RewardState

Longitude = Field(ge=-180, le=180, title="经度")
Latitude = Field(ge=-90, le=90, title="纬度")
HazardKind = Literal[
    "fire",
    "electrical",
    "hazmat",
    "structure",
    "geohazard",
    "flood",
    "equipment",
    "management",
    "other",
]


class PatrolStart(BaseModel):
    """Start a patrol; the grid is the member's own unless a division inside it is named."""

    division_code: str | None = Field(default=None, max_length=15, title="巡查网格/村社")


class PatrolFinish(BaseModel):
    """Finish a patrol with an optional summary."""

    summary: str = Field(default="", max_length=2000, title="巡查小结")


class TrackPointIn(BaseModel):
    """One position from the phone (browser geolocation)."""

    recorded_at: datetime = Field(title="定位时间")
    longitude: float = Longitude
    latitude: float = Latitude
    accuracy_m: float | None = Field(default=None, ge=0, title="定位精度（米）")


class TrackBatch(BaseModel):
    """A batch of positions (the phone uploads what it collected since the last batch)."""

    points: list[TrackPointIn] = Field(min_length=1, max_length=2000)


class TrackUploadRead(ReadModel):
    """What a batch upload did: positions added, already known, and the patrol's totals."""

    added: int
    duplicates: int
    point_count: int
    distance_m: float


class CheckCreate(BaseModel):
    """A check made on patrol: the item looked at and whether it was normal."""

    item: str = Field(min_length=1, max_length=200, title="检查内容")
    result: CheckResult = Field(default=CheckResult.NORMAL, title="检查结果")
    note: str = Field(default="", max_length=2000, title="说明")
    longitude: float | None = Field(default=None, ge=-180, le=180, title="经度")
    latitude: float | None = Field(default=None, ge=-90, le=90, title="纬度")
    photo_keys: list[str] = Field(default_factory=list, max_length=9, title="照片")


class CheckRead(CheckCreate, ReadModel):
    """A stored check."""

    id: int
    patrol_id: int
    checked_at: datetime


class PatrolRead(ReadModel):
    """A patrol with its totals."""

    id: int
    division_code: str
    division_name: str | None = None
    patroller_id: int | None
    patroller_name: str
    state: str
    state_label: str
    started_at: datetime
    finished_at: datetime | None
    distance_m: float
    point_count: int
    check_count: int = 0
    anomaly_count: int = 0
    summary: str | None


class TrackPointRead(ReadModel):
    """A stored position."""

    recorded_at: datetime
    longitude: float
    latitude: float
    accuracy_m: float | None


class PatrolDetail(PatrolRead):
    """A patrol with its checks and track."""

    # Field(default=[]) is what a bare [] means to pydantic; spelt out because ruff cannot see
    # through the imported ReadModel base that this is a pydantic model (RUF012).
    checks: list[CheckRead] = Field(default=[])
    track: list[TrackPointRead] = Field(default=[])


class CoverageRow(ReadModel):
    """One grid (or village) on one day: was it patrolled, by whom, how far, what was found."""

    division_code: str
    division_name: str
    patrols: int
    patrollers: list[str]
    distance_m: float
    minutes: int
    anomalies: int
    reports: int
    covered: bool


class CoverageRead(ReadModel):
    """Patrol coverage of the actor's grids on a day (district local date)."""

    day: date
    cells: int
    covered: int
    rows: list[CoverageRow]


class GridReportCreate(BaseModel):
    """A hazard or an event reported by a grid member from the phone page."""

    report_type: GridReportType = Field(title="上报类型")
    category: str = Field(min_length=1, max_length=40, title="隐患类别/事件类别")
    title: str = Field(min_length=1, max_length=200, title="标题")
    description: str = Field(default="", max_length=4000, title="描述")
    longitude: float | None = Field(default=None, ge=-180, le=180, title="经度")
    latitude: float | None = Field(default=None, ge=-90, le=90, title="纬度")
    occurred_at: datetime | None = Field(default=None, title="发现时间")
    photo_keys: list[str] = Field(default_factory=list, max_length=9, title="照片")
    patrol_id: int | None = Field(default=None, ge=1, title="所属巡查")


class GridReportRead(ReadModel):
    """A stored grid report; ``hazard_id`` is set for a hazard handed to the hazard loop."""

    id: int
    report_type: GridReportType
    category: str
    category_label: str
    title: str
    description: str
    division_code: str
    longitude: float | None
    latitude: float | None
    photo_keys: list[str]
    occurred_at: datetime
    reporter_id: int | None
    reporter_name: str
    patrol_id: int | None
    hazard_id: int | None
    created_at: datetime


class PublicReportCreate(BaseModel):
    """A report from the public (no login). Anonymous unless a name or phone is given."""

    kind: HazardKind = Field(default="other", title="举报类别")
    title: str = Field(min_length=2, max_length=200, title="举报事项")
    description: str = Field(default="", max_length=4000, title="详细情况")
    address: str | None = Field(default=None, max_length=300, title="地点描述")
    longitude: float = Longitude
    latitude: float = Latitude
    anonymous: bool = Field(default=True, title="匿名举报")
    reporter_name: str | None = Field(default=None, max_length=100, title="举报人姓名")
    reporter_phone: str | None = Field(default=None, max_length=40, title="联系电话")


class PublicReportReceipt(ReadModel):
    """What the reporter gets back: the tracking code (shown once) and where it went."""

    id: int
    tracking_code: str
    township_code: str
    township_name: str | None
    state: ReportState
    state_label: str


class PublicReportStatus(ReadModel):
    """What the tracking code shows: progress and the reply, nothing about the reporter."""

    kind: str
    title: str
    township_name: str | None
    state: ReportState
    state_label: str
    received_at: datetime
    reply: str | None
    replied_at: datetime | None


class PublicReportRead(ReadModel):
    """A public report as officers see it."""

    id: int
    kind: str
    kind_label: str
    title: str
    description: str
    address: str | None
    longitude: float
    latitude: float
    division_code: str
    township_code: str
    division_name: str | None = None
    anonymous: bool
    reporter_name: str | None
    reporter_phone: str | None
    photo_keys: list[str]
    state: ReportState
    state_label: str
    verified: bool | None
    hazard_id: int | None
    linked_existing: bool
    reply: str | None
    replied_at: datetime | None
    handled_by: str | None
    handling_note: str | None
    reward_state: RewardState
    reward_state_label: str
    reward_amount: Decimal | None
    reward_note: str | None
    reward_paid_at: datetime | None
    created_at: datetime


class ReportDecision(BaseModel):
    """Verify (属实) or dismiss (不属实) a report, with the finding."""

    note: str = Field(default="", max_length=2000, title="核查情况")


class ReportReply(BaseModel):
    """The answer the reporter reads with the tracking code."""

    reply: str = Field(min_length=2, max_length=4000, title="答复内容")


class RewardGrant(BaseModel):
    """Set (or correct, before payment) the reward of a verified report."""

    amount: Decimal = Field(max_digits=12, decimal_places=2, title="奖励金额（元）")
    note: str = Field(default="", max_length=1000, title="说明")


class RewardPayment(BaseModel):
    """Record that the reward was paid out."""

    paid_at: datetime | None = Field(default=None, title="发放时间")
    note: str = Field(default="", max_length=1000, title="发放说明")


class PublicReportFilters(BaseModel):
    """Filters of the public report list."""

    state: ReportState | None = None
    division_code: str | None = None
    reward_state: RewardState | None = None
