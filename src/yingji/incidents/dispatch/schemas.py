"""Dispatch shapes: recommendation query and result, order request, order read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yingji.core.schemas import ReadModel

# Where an arrival estimate came from (``rules.EtaSource``).
EtaSourceField = Literal["road", "straight_line"]


class RecommendQuery(BaseModel):
    """Where help is needed and what kind."""

    model_config = ConfigDict(extra="forbid")

    longitude: float = Field(ge=-180, le=180)
    latitude: float = Field(ge=-90, le=90)
    specialties: list[str] = Field(default_factory=list, max_length=20)
    item_ids: list[int] = Field(default_factory=list, max_length=50)
    radius_km: float = Field(default=100.0, gt=0, le=500)
    limit: int = Field(default=10, ge=1, le=100)


class TeamOption(ReadModel):
    """A recommended team."""

    id: int
    name: str
    distance_km: float
    eta_minutes: int
    eta_source: EtaSourceField = "straight_line"
    within_hour: bool
    matched_specialties: list[str]
    available: bool
    reasons: list[str]


class EquipmentOption(ReadModel):
    """Recommended equipment."""

    id: int
    name: str
    kind: str
    quantity: int
    unit: str
    distance_km: float
    eta_minutes: int
    eta_source: EtaSourceField = "straight_line"
    within_hour: bool


class SupplyOption(ReadModel):
    """A warehouse holding a requested item, with what is free to promise."""

    warehouse_id: int
    warehouse_name: str
    item_id: int
    item_name: str
    unit: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    distance_km: float
    eta_minutes: int
    eta_source: EtaSourceField = "straight_line"


class Recommendation(ReadModel):
    """Ranked options with reasons; ``within_hour`` counts what can arrive inside 1 hour."""

    teams: list[TeamOption]
    equipment: list[EquipmentOption]
    supplies: list[SupplyOption]
    teams_within_hour: int
    travel_model: str


class OrderCreate(BaseModel):
    """Request a resource for an incident."""

    model_config = ConfigDict(extra="forbid")

    incident_id: int
    resource_kind: Literal["team", "equipment", "supply"]
    team_id: int | None = None
    equipment_id: int | None = None
    warehouse_id: int | None = None
    item_id: int | None = None
    quantity: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=3)
    longitude: float = Field(ge=-180, le=180)
    latitude: float = Field(ge=-90, le=90)
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _resource(self) -> OrderCreate:
        needed = {
            "team": ("team_id",),
            "equipment": ("equipment_id",),
            "supply": ("warehouse_id", "item_id", "quantity"),
        }[self.resource_kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"缺少 {'、'.join(missing)}")
        return self


class OrderAction(BaseModel):
    """A step on an order."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class OrderRead(ReadModel):
    """A dispatch order with its history."""

    id: int
    incident_id: int
    resource_kind: str
    resource_name: str
    team_id: int | None
    equipment_id: int | None
    warehouse_id: int | None
    item_id: int | None
    quantity: Decimal | None
    state: str
    state_label: str
    division_code: str
    distance_km: float | None
    eta_minutes: int | None
    requested_at: datetime
    on_scene_at: datetime | None
    history: list[dict[str, object]]
