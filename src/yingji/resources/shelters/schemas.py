"""Shelter API shapes.

Also re-exports the shelter vocabulary other domains use (class and status enums, class
labels, the GB 51143 per-person areas) from ``rules``: evacuation and the command map read
them here.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, computed_field

from yingji.registry.schemas import LocationIn, LocationPatch, SitedMeta
from yingji.resources.shelters.rules import CLASS_LABELS as CLASS_LABELS
from yingji.resources.shelters.rules import DEFAULT_MIN_AREA_M2 as DEFAULT_MIN_AREA_M2
from yingji.resources.shelters.rules import ShelterClass as ShelterClass
from yingji.resources.shelters.rules import ShelterStatus as ShelterStatus
from yingji.resources.shelters.rules import area_per_person


class ShelterFields(BaseModel):
    """Fields a shelter is created with."""

    name: str = Field(min_length=1, max_length=200, title="名称")
    shelter_class: ShelterClass = Field(title="类别")
    effective_area_m2: Decimal = Field(
        gt=0, max_digits=12, decimal_places=2, title="有效面积(平方米)"
    )
    capacity_persons: int = Field(ge=0, title="容纳人数")
    facilities: list[str] = Field(default_factory=list, title="配套设施")
    status: ShelterStatus = Field(default=ShelterStatus.OPEN, title="状态")
    manager: str | None = Field(default=None, max_length=100, title="管理人")
    phone: str | None = Field(default=None, max_length=40, title="联系电话")


class ShelterCreate(ShelterFields, LocationIn):
    """A new shelter with its location."""


class ShelterUpdate(LocationPatch):
    """Fields to change (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    shelter_class: ShelterClass | None = Field(default=None, title="类别")
    effective_area_m2: Decimal | None = Field(
        default=None, gt=0, max_digits=12, decimal_places=2, title="有效面积(平方米)"
    )
    capacity_persons: int | None = Field(default=None, ge=0, title="容纳人数")
    facilities: list[str] | None = Field(default=None, title="配套设施")
    status: ShelterStatus | None = Field(default=None, title="状态")
    manager: str | None = Field(default=None, max_length=100, title="管理人")
    phone: str | None = Field(default=None, max_length=40, title="联系电话")


class ShelterRead(ShelterFields, SitedMeta):
    """A shelter as the API shows it."""

    @computed_field(title="人均有效面积(平方米)")  # type: ignore[prop-decorator]
    @property
    def area_per_person_m2(self) -> Decimal | None:
        """Return the effective area per person."""
        return area_per_person(self.effective_area_m2, self.capacity_persons)


class ShelterFilters(BaseModel):
    """Query filters for the shelter list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称关键字")
    shelter_class: ShelterClass | None = Field(default=None, title="类别")
    status: ShelterStatus | None = Field(default=None, title="状态")
