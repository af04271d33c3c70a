"""Social force API shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from yingji.registry.schemas import (
    PHONE_PATTERN,
    SHOWN_PHONE_PATTERN,
    LocationIn,
    LocationPatch,
    SitedMeta,
)
from yingji.registry.tags import TagList
from yingji.resources.social_forces.rules import SocialForceStatus, normalize_registration_no


def _registration_no(value: str) -> str:
    number = normalize_registration_no(value)
    if not number:
        raise ValueError("不能为空")
    return number


RegistrationNo = Annotated[str, AfterValidator(_registration_no)]


class SocialForceFields(BaseModel):
    """Fields a social force is registered with."""

    name: str = Field(min_length=1, max_length=200, title="名称")
    registration_no: RegistrationNo = Field(
        min_length=1, max_length=60, title="登记证号/统一社会信用代码"
    )
    specialties: TagList = Field(default_factory=list, title="专业特长")
    members: int = Field(ge=1, le=1_000_000, title="队员人数")
    contact_person: str = Field(min_length=1, max_length=100, title="联系人")
    phone: str = Field(max_length=40, pattern=PHONE_PATTERN, title="联系电话")
    equipment_summary: str | None = Field(default=None, max_length=2000, title="装备概况")
    status: SocialForceStatus = Field(default=SocialForceStatus.ACTIVE, title="状态")


class SocialForceCreate(SocialForceFields, LocationIn):
    """A new social force with the location of its base."""


class SocialForceUpdate(LocationPatch):
    """Fields to change (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    registration_no: RegistrationNo | None = Field(
        default=None, min_length=1, max_length=60, title="登记证号/统一社会信用代码"
    )
    specialties: TagList | None = Field(default=None, title="专业特长")
    members: int | None = Field(default=None, ge=1, le=1_000_000, title="队员人数")
    contact_person: str | None = Field(default=None, min_length=1, max_length=100, title="联系人")
    phone: str | None = Field(default=None, max_length=40, pattern=PHONE_PATTERN, title="联系电话")
    equipment_summary: str | None = Field(default=None, max_length=2000, title="装备概况")
    status: SocialForceStatus | None = Field(default=None, title="状态")


class SocialForceRead(SocialForceFields, SitedMeta):
    """A social force as the API shows it (phone masked without the reveal right)."""

    phone: str = Field(max_length=40, pattern=SHOWN_PHONE_PATTERN, title="联系电话")


class SocialForceFilters(BaseModel):
    """Query filters for the social force list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称或登记证号关键字")
    specialty: str | None = Field(default=None, max_length=50, title="专业特长")
    status: SocialForceStatus | None = Field(default=None, title="状态")
