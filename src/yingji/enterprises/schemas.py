"""Enterprise API shapes: profile, contacts, licences and list filters.

Input schemas check the 统一社会信用代码 (GB 32100-2015 check character) and the GB/T 4754-2017
industry code, so a bad code is refused with 422 naming the field, in the API and in Excel
imports alike. Read schemas do not re-check: a legacy code already on file must stay readable.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, computed_field, field_validator

from yingji.core.schemas import ReadModel
from yingji.enterprises.industries import industry_names
from yingji.enterprises.rules import (
    LICENCE_KINDS,
    EnterpriseScale,
    LicenceStatus,
    validate_credit_code,
    validate_industry_code,
)
from yingji.registry.schemas import LocationIn, LocationPatch, SitedMeta


def checked_credit_code(value: str) -> str:
    """Return the code in canonical form, or raise ValueError with the Chinese reason."""
    # Case and surrounding blanks carry no meaning in GB 32100 codes; store one spelling so the
    # uniqueness check cannot be dodged by typing lower case.
    code = value.strip().upper()
    reason = validate_credit_code(code)
    if reason is not None:
        raise ValueError(f"统一社会信用代码{reason}")
    return code


def checked_industry_code(value: str) -> str:
    """Return the GB/T 4754-2017 code, or raise ValueError with the Chinese reason."""
    code = value.strip()
    reason = validate_industry_code(code, industry_names())
    if reason is not None:
        raise ValueError(f"行业代码{reason}")
    return code


class ContactIn(BaseModel):
    """One contact person of the enterprise."""

    name: str = Field(min_length=1, max_length=50, title="姓名")
    role: str | None = Field(default=None, max_length=50, title="职务")
    phone: str | None = Field(default=None, max_length=40, title="电话")


class LicenceIn(BaseModel):
    """A licence as submitted (kind is free text; ``LICENCE_KINDS`` are the usual ones)."""

    kind: str = Field(
        min_length=1,
        max_length=60,
        title="证照类别",
        json_schema_extra={"examples": list(LICENCE_KINDS)},
    )
    number: str = Field(min_length=1, max_length=100, title="证书编号")
    issued_on: date | None = Field(default=None, title="发证日期")
    expires_on: date = Field(title="有效期至")

    @field_validator("kind", "number")
    @classmethod
    def _strip(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("不能为空")
        return stripped

    @field_validator("expires_on")
    @classmethod
    def _after_issue(cls, value: date, info: ValidationInfo) -> date:
        issued = info.data.get("issued_on")
        if issued is not None and value < issued:
            raise ValueError("有效期至不能早于发证日期")
        return value


class LicenceRead(LicenceIn, ReadModel):
    """A licence as the API shows it, with its expiry status on today's date."""

    id: int
    status: LicenceStatus = Field(title="状态")
    days_left: int = Field(title="剩余天数", description="negative once expired")


def _unique_licences(licences: list[LicenceIn]) -> list[LicenceIn]:
    seen: set[tuple[str, str]] = set()
    for licence in licences:
        key = (licence.kind, licence.number)
        if key in seen:
            raise ValueError(f"证照重复：{licence.kind} {licence.number}")
        seen.add(key)
    return licences


class EnterpriseFields(BaseModel):
    """Profile fields an enterprise is created with (unchecked: the read side)."""

    # No length bounds here: the validators give the GB 32100 / GB/T 4754 reason instead.
    credit_code: str = Field(title="统一社会信用代码", examples=["91500153MA5U8B0X19"])
    name: str = Field(min_length=1, max_length=200, title="企业名称")
    industry_code: str = Field(
        title="行业代码", description="GB/T 4754-2017 大类/中类/小类数字代码"
    )
    supervising_department_id: int | None = Field(default=None, title="行业主管部门")
    scale: EnterpriseScale = Field(title="规模")
    produces_hazardous_chemicals: bool = Field(default=False, title="生产危险化学品")
    stores_hazardous_chemicals: bool = Field(default=False, title="储存危险化学品")
    uses_hazardous_chemicals: bool = Field(default=False, title="使用危险化学品")
    operates_hazardous_chemicals: bool = Field(default=False, title="经营危险化学品")
    has_major_hazard: bool = Field(default=False, title="有重大危险源")
    legal_representative: str | None = Field(default=None, max_length=100, title="法定代表人")
    safety_officer: str | None = Field(default=None, max_length=100, title="安全管理负责人")
    contacts: list[ContactIn] = Field(default_factory=list, title="联系人")
    employees: int | None = Field(default=None, ge=0, title="从业人员数")


class EnterpriseCreate(EnterpriseFields, LocationIn):
    """A new enterprise with its location and (optionally) its licences."""

    # Excel sheets name the department rather than its id; either may be given.
    supervising_department: str | None = Field(
        default=None, max_length=100, title="行业主管部门名称", description="alternative to the id"
    )
    licences: list[LicenceIn] = Field(default_factory=list, title="证照")

    @field_validator("credit_code")
    @classmethod
    def _credit(cls, value: str) -> str:
        return checked_credit_code(value)

    @field_validator("industry_code")
    @classmethod
    def _industry(cls, value: str) -> str:
        return checked_industry_code(value)

    @field_validator("licences")
    @classmethod
    def _licences(cls, value: list[LicenceIn]) -> list[LicenceIn]:
        return _unique_licences(value)


class EnterpriseUpdate(LocationPatch):
    """Fields to change (all optional); ``licences``, when given, replaces the whole list."""

    credit_code: str | None = Field(default=None, title="统一社会信用代码")
    name: str | None = Field(default=None, min_length=1, max_length=200, title="企业名称")
    industry_code: str | None = Field(default=None, title="行业代码")
    supervising_department_id: int | None = Field(default=None, title="行业主管部门")
    scale: EnterpriseScale | None = Field(default=None, title="规模")
    produces_hazardous_chemicals: bool | None = Field(default=None, title="生产危险化学品")
    stores_hazardous_chemicals: bool | None = Field(default=None, title="储存危险化学品")
    uses_hazardous_chemicals: bool | None = Field(default=None, title="使用危险化学品")
    operates_hazardous_chemicals: bool | None = Field(default=None, title="经营危险化学品")
    has_major_hazard: bool | None = Field(default=None, title="有重大危险源")
    legal_representative: str | None = Field(default=None, max_length=100, title="法定代表人")
    safety_officer: str | None = Field(default=None, max_length=100, title="安全管理负责人")
    contacts: list[ContactIn] | None = Field(default=None, title="联系人")
    employees: int | None = Field(default=None, ge=0, title="从业人员数")
    licences: list[LicenceIn] | None = Field(default=None, title="证照（整体替换）")

    @field_validator("credit_code")
    @classmethod
    def _credit(cls, value: str | None) -> str | None:
        return None if value is None else checked_credit_code(value)

    @field_validator("industry_code")
    @classmethod
    def _industry(cls, value: str | None) -> str | None:
        return None if value is None else checked_industry_code(value)

    @field_validator("licences")
    @classmethod
    def _licences(cls, value: list[LicenceIn] | None) -> list[LicenceIn] | None:
        return None if value is None else _unique_licences(value)


class EnterpriseRead(EnterpriseFields, SitedMeta):
    """An enterprise as the API shows it: profile, 属地 township, department and licences."""

    supervising_department: str | None = Field(default=None, title="行业主管部门名称")
    township_code: str | None = Field(default=None, title="属地镇街代码")
    township_name: str | None = Field(default=None, title="属地镇街")
    licences: list[LicenceRead] = Field(default_factory=list, title="证照")
    licence_status: LicenceStatus | None = Field(
        default=None, title="证照状态", description="the most urgent status of its licences"
    )

    @computed_field(title="行业（大类）名称")  # type: ignore[prop-decorator]
    @property
    def industry_name(self) -> str | None:
        """Return the GB/T 4754-2017 大类 name of the industry code."""
        return industry_names().get(self.industry_code[:2])

    @computed_field(title="涉及危险化学品")  # type: ignore[prop-decorator]
    @property
    def hazardous(self) -> bool:
        """Tell whether any hazardous-chemical flag is set."""
        return (
            self.produces_hazardous_chemicals
            or self.stores_hazardous_chemicals
            or self.uses_hazardous_chemicals
            or self.operates_hazardous_chemicals
        )


class EnterpriseFilters(BaseModel):
    """Query filters for the enterprise list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称或统一社会信用代码")
    industry_code: str | None = Field(default=None, title="行业代码（前缀匹配）")
    scale: EnterpriseScale | None = Field(default=None, title="规模")
    hazardous: bool | None = Field(default=None, title="涉及危险化学品")
    has_major_hazard: bool | None = Field(default=None, title="有重大危险源")
    licence_status: Literal["expiring", "expired"] | None = Field(
        default=None, title="证照状态（即将到期/已过期）"
    )


class ExpiringLicence(ReadModel):
    """A licence due for renewal, with the enterprise it belongs to (for reminders)."""

    licence_id: int
    enterprise_id: int
    enterprise_name: str
    credit_code: str
    division_code: str
    kind: str
    number: str
    expires_on: date
    status: LicenceStatus
    days_left: int


class IndustryRead(BaseModel):
    """A GB/T 4754-2017 大类 (division) for form choices."""

    code: str
    name: str
    section: str
    section_name: str
