"""Evacuation request and result shapes (API and pages)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.schemas import ReadModel
from yingji.resources.shelters.schemas import ShelterClass


class EvacuationRequest(BaseModel):
    """Which villages to move, and the limits of the plan."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="转移安置方案", min_length=1, max_length=200)
    incident_id: int | None = None
    village_codes: list[str] = Field(min_length=1, max_length=10_000)
    # People to move per village; a village not listed moves its registered population.
    populations: dict[str, int] = Field(default_factory=dict)
    shelter_classes: list[ShelterClass] | None = None
    max_distance_km: float | None = Field(default=None, gt=0, le=500)
    detour_factor: float = Field(default=1.3, ge=1.0, le=5.0)


class MoveRead(ReadModel):
    """People of one village sent to one shelter."""

    village_code: str
    village_name: str
    shelter_id: int
    shelter_name: str
    persons: int
    distance_km: float


class ShelterLoadRead(ReadModel):
    """How full a shelter ends up and the area each person gets against the standard."""

    shelter_id: int
    name: str
    shelter_class: str
    persons: int
    capacity: int
    area_per_person_m2: float | None
    min_area_per_person_m2: float
    below_standard: bool


class UnplacedRead(ReadModel):
    """People of a village that no shelter within the limits can take."""

    village_code: str
    village_name: str
    persons: int


class EvacuationPlanRead(ReadModel):
    """A stored evacuation plan with its assignment."""

    id: int
    title: str
    incident_id: int | None
    division_code: str
    village_codes: list[str]
    total_persons: int
    placed_persons: int
    unplaced_persons: int
    person_km: float
    solve_seconds: float
    moves: list[MoveRead]
    unplaced: list[UnplacedRead]
    shelters: list[ShelterLoadRead]
    created_at: datetime
