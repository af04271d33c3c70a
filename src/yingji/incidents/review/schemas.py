"""Review shapes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.schemas import ReadModel


class ReviewCreate(BaseModel):
    """Start the review of a closed incident."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(default="", max_length=10_000)


class ProblemCreate(BaseModel):
    """A problem found, with who fixes it and by when."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=4000)
    owner_user_id: int | None = None
    deadline: date
    level: str = Field(default="general", pattern="^(general|major)$")


class ProblemRead(ReadModel):
    """A problem and the hazard tracking its rectification."""

    id: int
    description: str
    owner_user_id: int | None
    deadline: date
    hazard_id: int | None


class ReviewRead(ReadModel):
    """The review: measures, timeline and problems."""

    id: int
    incident_id: int
    incident_title: str
    summary: str
    measures: dict[str, float | int | None]
    timeline: list[dict[str, object]]
    problems: list[ProblemRead]
    created_by_name: str
    created_at: datetime
