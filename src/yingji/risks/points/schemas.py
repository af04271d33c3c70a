"""Risk point API shapes: the registry record, calculators, assessments, control measures."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from yingji.core.schemas import ReadModel
from yingji.registry.schemas import LocationIn, LocationPatch, SitedMeta
from yingji.risks.points.rules import ControlTier, Method, PointKind, RiskColor, RiskLevel


class RiskPointFields(BaseModel):
    """Fields a risk point is created with."""

    name: str = Field(min_length=1, max_length=200, title="名称")
    kind: PointKind = Field(title="风险点类型")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")
    description: str | None = Field(default=None, max_length=4000, title="风险描述")
    accident_types: list[str] = Field(default_factory=list, title="可能导致的事故类型")
    responsible_person: str | None = Field(default=None, max_length=100, title="责任人")
    responsible_phone: str | None = Field(default=None, max_length=40, title="责任人电话")


class RiskPointCreate(RiskPointFields, LocationIn):
    """A new risk point with its location."""


class RiskPointUpdate(LocationPatch):
    """Fields to change (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    kind: PointKind | None = Field(default=None, title="风险点类型")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")
    description: str | None = Field(default=None, max_length=4000, title="风险描述")
    accident_types: list[str] | None = Field(default=None, title="可能导致的事故类型")
    responsible_person: str | None = Field(default=None, max_length=100, title="责任人")
    responsible_phone: str | None = Field(default=None, max_length=40, title="责任人电话")


class RiskPointRead(RiskPointFields, SitedMeta):
    """A risk point with its current grading (its latest assessment; None if never graded)."""

    level: RiskLevel | None = Field(default=None, title="风险等级")
    color: RiskColor | None = Field(default=None, title="风险颜色")
    level_label: str | None = Field(default=None, title="风险等级名称")
    score: float | None = Field(default=None, title="风险值")
    method: Method | None = Field(default=None, title="评价方法")
    assessed_at: datetime | None = Field(default=None, title="评价时间")


class RiskPointFilters(BaseModel):
    """Query filters for the risk point list and the 四色图 layer."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称关键字")
    kind: PointKind | None = Field(default=None, title="风险点类型")
    enterprise_id: int | None = Field(default=None, title="所属企业ID")
    level: RiskLevel | None = Field(default=None, title="当前风险等级")
    accident_type: str | None = Field(default=None, title="事故类型")


class LecInput(BaseModel):
    """LEC inputs: each must be a value of its table (regulations-safety.md §2.2)."""

    l: Decimal = Field(title="L 事故发生的可能性")  # noqa: E741 (the method's own letter)
    e: Decimal = Field(title="E 暴露于危险环境的频繁程度")
    c: Decimal = Field(title="C 事故后果")


class LsInput(BaseModel):
    """LS inputs: integers 1–5 (regulations-safety.md §2.3)."""

    l: int = Field(title="L 可能性")  # noqa: E741
    s: int = Field(title="S 严重程度")


class GradeRead(BaseModel):
    """A calculator answer: the score, its level, colour and Chinese label."""

    score: float
    level: RiskLevel
    color: RiskColor
    label: str


class AssessmentCreate(BaseModel):
    """A new assessment of a risk point: LEC needs l, e, c; LS needs l, s."""

    method: Method = Field(title="评价方法")
    l: Decimal = Field(title="L")  # noqa: E741
    e: Decimal | None = Field(default=None, title="E（LEC）")
    c: Decimal | None = Field(default=None, title="C（LEC）")
    s: Decimal | None = Field(default=None, title="S（LS）")
    assessed_at: datetime | None = Field(
        default=None, title="评价时间", description="omit for now; may not lie in the future"
    )
    assessor: str | None = Field(
        default=None, max_length=100, title="评价人", description="omit for the signed-in user"
    )
    remarks: str | None = Field(default=None, max_length=2000, title="备注")


class AssessmentRead(ReadModel):
    """One stored assessment."""

    id: int
    risk_point_id: int
    method: Method
    inputs: dict[str, float]
    score: float
    level: RiskLevel
    color: RiskColor
    label: str
    assessed_at: datetime
    assessor: str
    remarks: str | None = None
    created_at: datetime


class ControlMeasureCreate(BaseModel):
    """A control measure and the tier responsible for it."""

    measure: str = Field(min_length=1, max_length=2000, title="管控措施")
    tier: ControlTier = Field(title="管控层级")
    responsible_person: str | None = Field(default=None, max_length=100, title="责任人")


class ControlMeasureRead(ControlMeasureCreate, ReadModel):
    """A stored control measure."""

    id: int
    risk_point_id: int
    tier_label: str
    created_at: datetime
