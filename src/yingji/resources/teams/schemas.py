"""Rescue team and equipment API shapes.

Also re-exports the team and equipment statuses (dispatch sets them) and the suggested
specialties (social forces offer the same list) from ``rules``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from yingji.registry.schemas import (
    PHONE_PATTERN,
    SHOWN_PHONE_PATTERN,
    LocationIn,
    LocationPatch,
    SitedMeta,
)
from yingji.registry.tags import TagList
from yingji.resources.teams.rules import SUGGESTED_SPECIALTIES as SUGGESTED_SPECIALTIES
from yingji.resources.teams.rules import EquipmentStatus as EquipmentStatus
from yingji.resources.teams.rules import Staffing, TeamKind
from yingji.resources.teams.rules import TeamStatus as TeamStatus


class RescueTeamFields(BaseModel):
    """Fields a rescue team is created with."""

    name: str = Field(min_length=1, max_length=200, title="名称")
    kind: TeamKind = Field(title="队伍类型")
    staffing: Staffing = Field(title="人员性质")
    specialties: TagList = Field(default_factory=list, title="专业特长")
    headcount: int = Field(ge=1, le=100_000, title="人数")
    leader: str | None = Field(default=None, max_length=100, title="负责人")
    on_duty_phone: str = Field(max_length=40, pattern=PHONE_PATTERN, title="值班电话")
    status: TeamStatus = Field(default=TeamStatus.STANDBY, title="状态")
    owner_department: str | None = Field(default=None, max_length=200, title="主管单位")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")


class RescueTeamCreate(RescueTeamFields, LocationIn):
    """A new rescue team with the location of its base."""


class RescueTeamUpdate(LocationPatch):
    """Fields to change (all optional); a status change must follow the transition table."""

    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    kind: TeamKind | None = Field(default=None, title="队伍类型")
    staffing: Staffing | None = Field(default=None, title="人员性质")
    specialties: TagList | None = Field(default=None, title="专业特长")
    headcount: int | None = Field(default=None, ge=1, le=100_000, title="人数")
    leader: str | None = Field(default=None, max_length=100, title="负责人")
    on_duty_phone: str | None = Field(
        default=None, max_length=40, pattern=PHONE_PATTERN, title="值班电话"
    )
    status: TeamStatus | None = Field(default=None, title="状态")
    owner_department: str | None = Field(default=None, max_length=200, title="主管单位")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")


class RescueTeamRead(RescueTeamFields, SitedMeta):
    """A rescue team as the API shows it (duty phone masked without the reveal right)."""

    on_duty_phone: str = Field(max_length=40, pattern=SHOWN_PHONE_PATTERN, title="值班电话")


class RescueTeamFilters(BaseModel):
    """Query filters for the rescue team list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称关键字")
    kind: TeamKind | None = Field(default=None, title="队伍类型")
    status: TeamStatus | None = Field(default=None, title="状态")
    staffing: Staffing | None = Field(default=None, title="人员性质")
    specialty: str | None = Field(default=None, max_length=50, title="专业特长")
    enterprise_id: int | None = Field(default=None, title="所属企业ID")


class EquipmentFields(BaseModel):
    """Fields a piece of equipment is created with."""

    name: str = Field(min_length=1, max_length=200, title="名称")
    kind: str = Field(min_length=1, max_length=50, title="装备类型")
    specification: str | None = Field(default=None, max_length=200, title="规格型号")
    quantity: int = Field(ge=1, le=1_000_000, title="数量")
    unit: str = Field(default="台", min_length=1, max_length=20, title="计量单位")
    owner_team_id: int | None = Field(default=None, ge=1, title="所属救援队伍ID")
    owner_department: str | None = Field(default=None, max_length=200, title="所属单位")
    status: EquipmentStatus = Field(default=EquipmentStatus.STANDBY, title="状态")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")


class EquipmentCreate(EquipmentFields, LocationIn):
    """New equipment with the location where it is kept."""


class EquipmentUpdate(LocationPatch):
    """Fields to change (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    kind: str | None = Field(default=None, min_length=1, max_length=50, title="装备类型")
    specification: str | None = Field(default=None, max_length=200, title="规格型号")
    quantity: int | None = Field(default=None, ge=1, le=1_000_000, title="数量")
    unit: str | None = Field(default=None, min_length=1, max_length=20, title="计量单位")
    owner_team_id: int | None = Field(default=None, ge=1, title="所属救援队伍ID")
    owner_department: str | None = Field(default=None, max_length=200, title="所属单位")
    status: EquipmentStatus | None = Field(default=None, title="状态")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")


class EquipmentRead(EquipmentFields, SitedMeta):
    """Equipment as the API shows it, with its owner team's name."""

    owner_team_name: str | None = Field(default=None, title="所属救援队伍")


class EquipmentFilters(BaseModel):
    """Query filters for the equipment list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称关键字")
    kind: str | None = Field(default=None, max_length=50, title="装备类型")
    status: EquipmentStatus | None = Field(default=None, title="状态")
    owner_team_id: int | None = Field(default=None, title="所属救援队伍ID")
    enterprise_id: int | None = Field(default=None, title="所属企业ID")
