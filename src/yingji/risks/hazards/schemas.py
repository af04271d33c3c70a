"""Hazard API shapes: the report (other domains call it too), actions, reads, statistics.

Also re-exports the hazard kind labels from ``rules`` (alarms name a promoted hazard's kind).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from yingji.core.schemas import ReadModel
from yingji.risks.hazards.rules import KIND_LABELS as KIND_LABELS

Source = Literal["self_check", "grid_patrol", "inspection", "public_report", "alarm", "review"]
Level = Literal["general", "major"]
State = Literal["reported", "confirmed", "rejected", "rectifying", "submitted", "closed"]
Action = Literal["confirm", "reject", "start", "submit", "accept", "return", "reopen"]


class HazardReport(BaseModel):
    """A newly found hazard (enterprise self-check, grid patrol, inspection, alarm ...)."""

    source: Source = Field(title="来源")
    # Unique per source: reporting the same (source, source_ref) again returns the first id.
    source_ref: str | None = Field(default=None, max_length=120, title="来源编号")
    level: Level = Field(default="general", title="隐患等级")
    kind: str = Field(min_length=1, max_length=20, title="隐患类别")
    title: str = Field(min_length=1, max_length=200, title="隐患名称")
    description: str = Field(default="", max_length=4000, title="隐患描述")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")
    risk_point_id: int | None = Field(default=None, ge=1, title="所属风险点ID")
    # Derived from the risk point, the enterprise or the location when missing.
    division_code: str | None = Field(default=None, max_length=15, title="行政区划")
    longitude: float | None = Field(default=None, ge=-180, le=180, title="经度")
    latitude: float | None = Field(default=None, ge=-90, le=90, title="纬度")
    deadline: date | None = Field(default=None, title="整改期限")
    photo_keys: list[str] = Field(default_factory=list, title="照片")


class RectificationPlan(BaseModel):
    """The 五到位 treatment plan a major hazard needs before rectification starts."""

    measures: str | None = Field(default=None, max_length=4000, title="措施")
    responsible_person: str | None = Field(default=None, max_length=100, title="责任")
    funds: str | None = Field(default=None, max_length=200, title="资金")
    time_limit: date | None = Field(default=None, title="时限")
    contingency_plan: str | None = Field(default=None, max_length=4000, title="预案")


class HazardActionRequest(BaseModel):
    """What accompanies an action: why, photos, and what confirmation or start sets."""

    reason: str = Field(default="", max_length=2000, title="说明")
    photo_keys: list[str] = Field(default_factory=list, title="照片")
    owner_user_id: int | None = Field(default=None, ge=1, title="整改责任人")
    deadline: date | None = Field(default=None, title="整改期限")
    plan: RectificationPlan | None = Field(default=None, title="整改方案（重大隐患五到位）")


class SupervisionRequest(BaseModel):
    """挂牌督办: the supervising department and the instruction."""

    department_id: int = Field(ge=1, title="督办部门")
    note: str = Field(default="", max_length=2000, title="督办要求")


class DeadlineChange(BaseModel):
    """A new deadline (an extension re-arms the overdue escalation)."""

    deadline: date = Field(title="整改期限")
    reason: str = Field(min_length=1, max_length=2000, title="原因")


class TransitionRead(ReadModel):
    """One step of the hazard's history."""

    id: int
    action: str
    action_label: str
    from_state: str | None
    to_state: str
    actor_id: int | None
    actor_name: str
    at: datetime
    reason: str
    photo_keys: list[str]


class HazardRead(ReadModel):
    """A hazard as readers see it (``transitions`` filled on the detail read)."""

    id: int
    source: str
    source_ref: str | None
    level: str
    level_label: str
    kind: str
    title: str
    description: str
    state: str
    state_label: str
    division_code: str
    enterprise_id: int | None
    risk_point_id: int | None
    industry_code: str | None
    department_id: int | None
    longitude: float | None
    latitude: float | None
    photo_keys: list[str]
    owner_user_id: int | None
    deadline: date | None
    overdue: bool
    plan: RectificationPlan | None
    supervised_listing: bool
    supervised_listing_at: datetime | None
    supervised_listing_note: str | None
    submitted_by: int | None
    reported_by: int | None
    reporter_name: str
    reported_at: datetime
    closed_at: datetime | None
    updated_at: datetime
    transitions: list[TransitionRead] = Field(default_factory=list)
    # The actions the reading user may take now (filled by the API/page for that user).
    available_actions: list[str] = Field(default_factory=list)


class HazardFilters(BaseModel):
    """List filters."""

    state: State | None = Field(default=None, title="状态")
    level: Level | None = Field(default=None, title="隐患等级")
    overdue: bool | None = Field(default=None, title="是否逾期")
    division_code: str | None = Field(default=None, max_length=15, title="行政区划")
    enterprise_id: int | None = Field(default=None, title="所属企业ID")
    supervised_listing: bool | None = Field(default=None, title="挂牌督办")
    q: str | None = Field(default=None, max_length=100, title="关键字")
    # Without a state filter: only open hazards unless all=true.
    open_only: bool = Field(default=False, title="仅未销号")


class StatisticsRow(ReadModel):
    """Counts of one township, industry or department."""

    key: str
    label: str
    found: int
    closed: int
    open: int
    overdue: int
    major: int
    # closed / found in percent (整改率); None when nothing was found.
    rectification_rate: float | None


class HazardStatistics(BaseModel):
    """Statistics grouped by one dimension, with the total."""

    by: Literal["township", "industry", "department"]
    date_from: date | None = None
    date_to: date | None = None
    rows: list[StatisticsRow]
    total: StatisticsRow


class PhotoRead(BaseModel):
    """A stored photo's key (to pass in ``photo_keys``)."""

    key: str
    hazard_id: int | None = None
