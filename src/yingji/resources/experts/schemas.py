"""Expert API shapes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from yingji.registry.schemas import PHONE_PATTERN, SHOWN_PHONE_PATTERN, RecordMeta
from yingji.registry.tags import RequiredTagList
from yingji.resources.experts.rules import Gender

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DIVISION_PATTERN = r"^\d{6}(\d{3}){0,3}$"


class ExpertFields(BaseModel):
    """Fields an expert is registered with."""

    name: str = Field(min_length=1, max_length=100, title="姓名")
    gender: Gender | None = Field(default=None, title="性别")
    expertise: RequiredTagList = Field(title="专业领域")
    title: str | None = Field(default=None, max_length=100, title="职称")
    employer: str | None = Field(default=None, max_length=200, title="工作单位")
    phone: str = Field(max_length=40, pattern=PHONE_PATTERN, title="联系电话")
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL_PATTERN, title="电子邮箱")
    available: bool = Field(default=True, title="可联系调用")
    notes: str | None = Field(default=None, max_length=2000, title="备注")


class ExpertCreate(ExpertFields):
    """A new expert and the division they are registered in (usually the district)."""

    division_code: str = Field(pattern=DIVISION_PATTERN, title="所属行政区划代码")


class ExpertUpdate(BaseModel):
    """Fields to change (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=100, title="姓名")
    gender: Gender | None = Field(default=None, title="性别")
    expertise: RequiredTagList | None = Field(default=None, title="专业领域")
    title: str | None = Field(default=None, max_length=100, title="职称")
    employer: str | None = Field(default=None, max_length=200, title="工作单位")
    phone: str | None = Field(default=None, max_length=40, pattern=PHONE_PATTERN, title="联系电话")
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL_PATTERN, title="电子邮箱")
    available: bool | None = Field(default=None, title="可联系调用")
    notes: str | None = Field(default=None, max_length=2000, title="备注")
    division_code: str | None = Field(
        default=None, pattern=DIVISION_PATTERN, title="所属行政区划代码"
    )


class ExpertRead(ExpertFields, RecordMeta):
    """An expert as the API shows it (phone masked without the reveal right)."""

    phone: str = Field(max_length=40, pattern=SHOWN_PHONE_PATTERN, title="联系电话")


class ExpertFilters(BaseModel):
    """Query filters for the expert list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="姓名或单位关键字")
    field: str | None = Field(default=None, max_length=50, title="专业领域")
    available: bool | None = Field(default=None, title="可联系调用")
