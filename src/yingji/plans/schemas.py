"""Plan shapes: plan, version structure (levels, criteria, task templates), activation, tasks.

Also re-exports ``Situation`` from ``rules``: what another domain tells plan matching about
an incident or a warning.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yingji.core.schemas import ReadModel
from yingji.plans.rules import PlanKind
from yingji.plans.rules import Situation as Situation

Grade = Literal["ordinary", "large", "major", "extraordinary"]
WarningColour = Literal["blue", "yellow", "orange", "red"]


class CriteriaIn(BaseModel):
    """Activation criteria of a response level (any threshold met starts it)."""

    model_config = ConfigDict(extra="forbid")

    event_types: list[str] = Field(default_factory=list, max_length=50)
    min_grade: Grade | None = None
    min_warning_level: WarningColour | None = None
    min_deaths: int | None = Field(default=None, ge=0)
    min_injuries: int | None = Field(default=None, ge=0)
    min_loss_wan_yuan: Decimal | None = Field(default=None, ge=0)
    division_codes: list[str] = Field(default_factory=list, max_length=200)


class LevelIn(BaseModel):
    """One response level of a version."""

    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=1, le=4)
    criteria: CriteriaIn = Field(default_factory=CriteriaIn)
    description: str = Field(default="", max_length=2000)


class TemplateIn(BaseModel):
    """One task template: who does what, within how many minutes of activation."""

    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=1, le=4)
    action: str = Field(min_length=1, max_length=500)
    department_id: int | None = None
    role: str | None = Field(default=None, max_length=40)
    deadline_minutes: int = Field(ge=1, le=10_080)
    resources: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _someone(self) -> TemplateIn:
        if self.department_id is None and not self.role:
            raise ValueError("任务须指定责任部门或岗位")
        return self


class VersionIn(BaseModel):
    """The structure of a plan version (a draft until published)."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(default="", max_length=5000)
    levels: list[LevelIn] = Field(min_length=1, max_length=4)
    templates: list[TemplateIn] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> VersionIn:
        levels = [lv.level for lv in self.levels]
        if len(set(levels)) != len(levels):
            raise ValueError("响应等级重复")
        for template in self.templates:
            if template.level not in levels:
                raise ValueError(f"任务“{template.action}”所属的响应等级 {template.level} 未定义")
        return self


class PlanCreate(BaseModel):
    """A new plan with its first (draft) version."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: PlanKind
    division_code: str | None = Field(default=None, max_length=15)
    owner_department_id: int | None = None
    owner_enterprise_id: int | None = None
    event_types: list[str] = Field(default_factory=list, max_length=50)
    filing_number: str | None = Field(default=None, max_length=80)
    filing_authority: str | None = Field(default=None, max_length=120)
    filed_on: date | None = None
    version: VersionIn


class ActivationIn(BaseModel):
    """Start a plan at a level for an incident (the person confirming is the actor)."""

    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=1, le=4)
    incident_id: int | None = None
    cause: str | None = Field(default=None, max_length=60)
    division_code: str | None = Field(default=None, max_length=15)
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _cause(self) -> ActivationIn:
        if self.incident_id is None and not self.cause:
            raise ValueError("须指定事件（incident_id）或启动原因（cause）")
        return self


class TaskActionIn(BaseModel):
    """A task transition or feedback."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=5000)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    photo_key: str | None = Field(default=None, max_length=100)


class DrillIn(BaseModel):
    """A drill held against a plan."""

    model_config = ConfigDict(extra="forbid")

    held_on: date
    form: Literal["tabletop", "functional", "full_scale"]
    participants: int = Field(ge=1, le=100_000)
    scenario: str = Field(min_length=1, max_length=5000)
    findings: str = Field(default="", max_length=5000)


class EvaluationIn(BaseModel):
    """A plan evaluation (评估) was done on this date."""

    model_config = ConfigDict(extra="forbid")

    evaluated_on: date
    conclusion: str = Field(min_length=1, max_length=5000)


class TaskRead(ReadModel):
    """A task as departments and the command post see it."""

    id: int
    activation_id: int
    plan_id: int
    plan_name: str
    level: int
    action: str
    department_id: int | None
    role: str | None
    division_code: str
    resources: list[str]
    state: str
    state_label: str
    due_at: datetime
    done_at: datetime | None
    overdue: bool
    history: list[dict[str, object]] = Field(default_factory=list)


class PlanMatch(ReadModel):
    """A plan that fits a situation: the level it reaches and why."""

    plan_id: int
    plan_name: str
    kind: str
    version_id: int
    level: int
    level_label: str
    reasons: list[str]
    score: int


class SituationIn(BaseModel):
    """What is known about an incident or warning, to match plans against."""

    model_config = ConfigDict(extra="forbid")

    event_type: str | None = Field(default=None, max_length=60)
    grade: Grade | None = None
    warning_level: WarningColour | None = None
    deaths: int = Field(default=0, ge=0)
    injuries: int = Field(default=0, ge=0)
    loss_wan_yuan: Decimal = Field(default=Decimal(0), ge=0)
    division_code: str | None = Field(default=None, max_length=15)
