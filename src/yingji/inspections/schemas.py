"""Inspection API shapes: plans, conflicts, draws, cases, findings, documents, statistics."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from yingji.core.schemas import ReadModel
from yingji.inspections.rules import CaseState, DocType, PlanMode, RiskTier

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


class PlanCreate(BaseModel):
    """Build (or complete) the annual plan of ``year`` from the enterprise register."""

    year: int = Field(ge=2000, le=2100, title="年度")
    title: str | None = Field(default=None, max_length=200, title="计划名称")


class PlanTargetRead(ReadModel):
    """One enterprise in the annual plan."""

    id: int
    enterprise_id: int
    enterprise_name: str
    division_code: str
    industry_code: str
    risk_tier: RiskTier
    risk_tier_label: str
    mode: PlanMode
    mode_label: str
    frequency: int
    cap: int
    done: int


class PlanRead(ReadModel):
    """An annual plan with its targets (those visible to the reader)."""

    id: int
    year: int
    title: str
    created_at: datetime
    key_targets: int
    random_targets: int
    planned_inspections: int
    targets: list[PlanTargetRead]


class ConflictCreate(BaseModel):
    """Register an interest between an officer and an enterprise (回避)."""

    inspector_id: int
    enterprise_id: int
    reason: str = Field(min_length=1, max_length=200, title="回避事由")


class ConflictRead(ConflictCreate, ReadModel):
    """A registered conflict."""

    id: int
    created_at: datetime


class DrawCreate(BaseModel):
    """Ask for a 双随机 draw from the year's random pool."""

    year: int = Field(ge=2000, le=2100)
    count: int = Field(ge=1, le=500, title="抽取企业数")
    division_code: str | None = Field(default=None, title="抽取范围（行政区划）")
    industry_prefix: str | None = Field(
        default=None, pattern=r"^\d{2,4}$", title="定向抽取：行业代码前缀"
    )
    # Published before the draw (e.g. from a public lottery); generated when missing.
    seed: str | None = Field(default=None, min_length=4, max_length=64, pattern=r"^[\w\-]+$")
    per_target: int | None = Field(default=None, ge=2, le=5, title="每户执法人员数")
    inspector_ids: list[int] | None = Field(default=None, title="执法人员库（默认：全部执法人员）")
    planned_on: date | None = None


class DrawAssignment(ReadModel):
    """One drawn enterprise and its officers."""

    enterprise_id: int
    enterprise_name: str
    inspector_ids: list[int]
    inspector_names: list[str]
    case_id: int | None


class DrawExclusion(ReadModel):
    """A candidate left out and why."""

    enterprise_id: int
    enterprise_name: str
    inspector_id: int | None
    inspector_name: str | None
    reason: str


class DrawRead(ReadModel):
    """A recorded draw: the published seed, the pools, exclusions and the result."""

    id: int
    year: int
    division_code: str
    seed: str
    algorithm: str
    target_count: int
    per_target: int
    industry_prefix: str | None
    candidate_targets: list[int]
    candidate_inspectors: list[int]
    conflicts: list[list[int]]
    excluded: list[DrawExclusion]
    result: list[DrawAssignment]
    drawn_at: datetime
    drawn_by: int | None


class DrawVerification(ReadModel):
    """Whether repeating a draw from its stored seed and pools gives the stored result."""

    draw_id: int
    seed: str
    reproducible: bool


class CaseCreate(BaseModel):
    """Open an inspection case (重点检查, complaint or ad-hoc; drawn ones come from a draw)."""

    enterprise_id: int
    inspector_ids: list[int] = Field(min_length=2, title="执法人员（至少两名）")
    mode: Literal["key", "random", "complaint", "special"] = "key"
    planned_on: date | None = None
    department_id: int | None = None


class FindingCreate(BaseModel):
    """A problem found on site; ``as_hazard`` puts it into the hazard loop."""

    description: str = Field(min_length=1, max_length=2000, title="问题描述")
    checklist_item: str | None = Field(default=None, max_length=40, title="检查清单条目")
    level: Literal["general", "major"] = Field(default="general", title="隐患等级")
    hazard_kind: HazardKind = Field(default="other", title="隐患类别")
    legal_basis: str | None = Field(default=None, max_length=300, title="违反条款")
    as_hazard: bool = Field(default=True, title="纳入隐患闭环")
    photo_keys: list[str] = Field(default_factory=list)


class FindingRead(ReadModel):
    """A finding with its hazard link and re-inspection result."""

    id: int
    case_id: int
    checklist_item: str | None
    description: str
    level: str
    hazard_kind: str
    legal_basis: str | None
    hazard_id: int | None
    rectified: bool | None
    created_at: datetime


class RecordInput(BaseModel):
    """The on-site record (现场检查记录)."""

    place: str | None = Field(default=None, max_length=300, title="检查场所")
    summary: str = Field(default="", max_length=4000, title="检查情况")
    inspected_at: datetime | None = None


class OrderInput(BaseModel):
    """A rectification order (责令限期整改指令书) with its deadline."""

    deadline: date = Field(title="整改期限")
    requirements: str = Field(default="", max_length=2000, title="整改要求")


class ReinspectionInput(BaseModel):
    """The re-inspection (整改复查); ``unrectified_finding_ids`` empty means all rectified."""

    unrectified_finding_ids: list[int] = Field(default_factory=list)
    opinion: str = Field(default="", max_length=2000, title="复查意见")


class PenaltyInput(BaseModel):
    """The administrative penalty decision (行政处罚决定书)."""

    fine_yuan: Decimal = Field(ge=0, le=Decimal("100000000"), decimal_places=2, title="罚款（元）")
    basis: str = Field(min_length=1, max_length=2000, title="处罚依据")
    facts: str = Field(default="", max_length=4000, title="违法事实")


class DocumentRead(ReadModel):
    """An issued enforcement document (download as .docx)."""

    id: int
    case_id: int
    doc_type: DocType
    doc_type_label: str
    number: str
    year: int
    serial: int
    issued_at: datetime
    download_url: str


class CaseRead(ReadModel):
    """An inspection case with its findings and documents."""

    id: int
    enterprise_id: int
    enterprise_name: str
    credit_code: str
    division_code: str
    department_id: int | None
    draw_id: int | None
    mode: str
    inspector_ids: list[int]
    inspector_names: list[str]
    checklist_code: str | None
    state: CaseState
    state_label: str
    planned_on: date | None
    inspected_at: datetime | None
    place: str | None
    summary: str | None
    rectify_deadline: date | None
    reinspected_at: datetime | None
    fine_yuan: Decimal | None
    penalized_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    findings: list[FindingRead]
    documents: list[DocumentRead]


class CaseSummary(ReadModel):
    """A case in a list."""

    id: int
    enterprise_id: int
    enterprise_name: str
    division_code: str
    mode: str
    state: CaseState
    state_label: str
    planned_on: date | None
    inspected_at: datetime | None
    findings: int


class ChecklistItem(ReadModel):
    """One item of an inspection checklist."""

    code: str
    text: str
    basis: str


class ChecklistRead(ReadModel):
    """An inspection checklist for an industry group."""

    code: str
    title: str
    industries: list[str]
    items: list[ChecklistItem]


class IntensityRow(ReadModel):
    """One unit's 三个强度 in a month and its place in the ranking."""

    key: str
    name: str
    inspections: int
    problems: int
    fines_wan: Decimal
    rank: int
    score: int


class IntensityRead(ReadModel):
    """The monthly 三个强度 statistics per township and per department."""

    month: str
    townships: list[IntensityRow]
    departments: list[IntensityRow]
    totals: IntensityRow
