"""Major hazard API shapes: the GB 18218 calculator and the register (重大危险源).

A chemical line is ``{"name"|"cas"|"category": …, "quantity_t": …}``. Excel cells (and the
API, for convenience) also take the text form ``标识[|类别]:吨`` — e.g. ``氯:30``,
``7782-50-5:30``, ``汽油|W5.3:1000``, ``W5.3:500`` — where each identifier is recognised as
a CAS number, a Table 2 category code or else a name.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    Field,
    SerializationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from yingji.core.schemas import ReadModel
from yingji.registry.schemas import (
    PHONE_PATTERN,
    SHOWN_PHONE_PATTERN,
    LocationIn,
    LocationPatch,
    SitedMeta,
)
from yingji.risks.major_hazards.rules import UnitKind, display

CAS_PATTERN = re.compile(r"^\d{2,7}-\d{2}-\d$")
CATEGORY_PATTERN = re.compile(r"^[JW]\d+(\.\d+)?$", re.IGNORECASE)


def parse_substance_text(text: str) -> dict[str, Any]:
    """Return the line fields of ``标识[|类别]:吨`` (raises ValueError when malformed)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    ident, sep, quantity = folded.rpartition(":")
    if not sep or not ident.strip() or not quantity.strip():
        raise ValueError("应为“名称或CAS号或类别:设计最大量(吨)”，如 氯:30")
    out: dict[str, Any] = {"quantity_t": quantity.strip()}
    for part in (p.strip() for p in ident.split("|")):
        if not part:
            continue
        key = (
            "cas"
            if CAS_PATTERN.match(part)
            else "category"
            if CATEGORY_PATTERN.match(part)
            else "name"
        )
        if key in out:
            raise ValueError(f"“{text}”中{key}重复")
        out[key] = part
    return out


class SubstanceIn(BaseModel):
    """One hazardous chemical in a unit and its design maximum quantity (GB 18218 4.2.2)."""

    name: str | None = Field(default=None, max_length=200, title="名称或别名")
    cas: str | None = Field(default=None, max_length=40, title="CAS号")
    category: str | None = Field(default=None, max_length=10, title="危险性类别(表2)")
    quantity_t: Decimal = Field(gt=0, max_digits=16, decimal_places=6, title="设计最大量(吨)")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return parse_substance_text(value) if isinstance(value, str) else value

    @field_serializer("quantity_t")
    def _quantity(self, value: Decimal) -> str:
        # Stored in a JSON column: a string keeps the exact decimal.
        return str(value)

    def as_text(self) -> str:
        """Return the line in the ``标识[|类别]:吨`` form used in Excel."""
        ident = "|".join(p for p in (self.name or self.cas, self.category) if p)
        return f"{ident}:{self.quantity_t}"


class AssessRequest(BaseModel):
    """A unit to identify and grade (GB 18218-2018)."""

    unit_kind: UnitKind = Field(title="单元类型")
    substances: list[SubstanceIn] = Field(min_length=1, max_length=200, title="危险化学品")
    exposed_population: int = Field(ge=0, le=10_000_000, title="厂区边界外500米内常住人数")


class AssessItem(ReadModel):
    """One chemical's Q, β and ratio q/Q (rounded for display)."""

    name: str = Field(title="名称")
    cas: str | None = Field(default=None, title="CAS号")
    category: str | None = Field(default=None, title="类别")
    table1_row: int | None = Field(default=None, title="表1序号")
    q: Decimal = Field(title="设计最大量(吨)")
    threshold_quantity: Decimal = Field(title="临界量Q(吨)")
    beta: Decimal | None = Field(default=None, title="校正系数β")
    ratio: Decimal = Field(title="q/Q")


class AssessResponse(BaseModel):
    """The result: S, whether it is a major hazard, α, R and grade (null when S < 1)."""

    unit_kind: UnitKind
    items: list[AssessItem]
    sum_ratio: Decimal = Field(title="辨识指标S")
    is_major_hazard: bool
    alpha: Decimal = Field(title="校正系数α")
    r_value: Decimal | None = Field(default=None, title="分级指标R")
    grade: int | None = Field(default=None, ge=1, le=4, title="级别")
    grade_label: str | None = None
    table_version: str


class MajorHazardFields(BaseModel):
    """Fields a registered major hazard is created with (S, R and grade are computed)."""

    name: str = Field(min_length=1, max_length=200, title="名称")
    enterprise_id: int = Field(ge=1, title="所属企业ID")
    unit_kind: UnitKind = Field(title="单元类型")
    substances: list[SubstanceIn] = Field(min_length=1, max_length=200, title="危险化学品")
    exposed_population: int = Field(ge=0, le=10_000_000, title="厂区边界外500米内常住人数")
    principal_name: str = Field(min_length=1, max_length=100, title="主要负责人")
    principal_phone: str = Field(max_length=40, pattern=PHONE_PATTERN, title="主要负责人电话")
    technical_name: str = Field(min_length=1, max_length=100, title="技术负责人")
    technical_phone: str = Field(max_length=40, pattern=PHONE_PATTERN, title="技术负责人电话")
    operations_name: str = Field(min_length=1, max_length=100, title="操作负责人")
    operations_phone: str = Field(max_length=40, pattern=PHONE_PATTERN, title="操作负责人电话")
    assessed_on: date = Field(title="安全评估日期")
    filed_with: str | None = Field(default=None, max_length=200, title="备案部门")


class MajorHazardCreate(MajorHazardFields, LocationIn):
    """A new major hazard with its location."""


class MajorHazardUpdate(LocationPatch):
    """Fields to change (all optional); S, R, grade and the due date are recomputed."""

    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    enterprise_id: int | None = Field(default=None, ge=1, title="所属企业ID")
    unit_kind: UnitKind | None = Field(default=None, title="单元类型")
    substances: list[SubstanceIn] | None = Field(
        default=None, min_length=1, max_length=200, title="危险化学品"
    )
    exposed_population: int | None = Field(default=None, ge=0, le=10_000_000, title="暴露人数")
    principal_name: str | None = Field(default=None, min_length=1, max_length=100)
    principal_phone: str | None = Field(default=None, max_length=40, pattern=PHONE_PATTERN)
    technical_name: str | None = Field(default=None, min_length=1, max_length=100)
    technical_phone: str | None = Field(default=None, max_length=40, pattern=PHONE_PATTERN)
    operations_name: str | None = Field(default=None, min_length=1, max_length=100)
    operations_phone: str | None = Field(default=None, max_length=40, pattern=PHONE_PATTERN)
    assessed_on: date | None = Field(default=None, title="安全评估日期")
    filed_with: str | None = Field(default=None, max_length=200, title="备案部门")


class MajorHazardRead(MajorHazardFields, SitedMeta):
    """A registered major hazard with its computed identification and grade.

    The three phones are masked without the reveal right (registry/privacy.py).
    """

    principal_phone: str = Field(max_length=40, pattern=SHOWN_PHONE_PATTERN, title="主要负责人电话")
    technical_phone: str = Field(max_length=40, pattern=SHOWN_PHONE_PATTERN, title="技术负责人电话")
    operations_phone: str = Field(
        max_length=40, pattern=SHOWN_PHONE_PATTERN, title="操作负责人电话"
    )

    sum_ratio: Decimal | None = Field(default=None, title="辨识指标S")
    is_major_hazard: bool = Field(default=False, title="构成重大危险源")
    alpha: Decimal | None = Field(default=None, title="校正系数α")
    r_value: Decimal | None = Field(default=None, title="分级指标R")
    grade: int | None = Field(default=None, title="级别")
    items: list[AssessItem] = Field(default_factory=list, title="辨识明细")
    table_version: str | None = Field(default=None, title="辨识依据")
    next_due_on: date | None = Field(default=None, title="下次安全评估日期")

    @field_validator("sum_ratio", "alpha", "r_value")
    @classmethod
    def _plain(cls, value: Decimal | None) -> Decimal | None:
        # Numeric columns come back as 2.00 on PostgreSQL and 2 on SQLite: show one form.
        return display(value) if value is not None else None

    @field_serializer("substances")
    def _substances(self, value: list[SubstanceIn], info: SerializationInfo) -> list[Any]:
        # Python-mode dumps feed the Excel export (and pages): one ``标识:吨`` text per line,
        # which the import reads back. JSON (API, audit) keeps the objects.
        if info.mode == "python":
            return [s.as_text() for s in value]
        return [s.model_dump(mode="json") for s in value]


class MajorHazardFilters(BaseModel):
    """Query filters for the major hazard list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称关键字")
    enterprise_id: int | None = Field(default=None, title="所属企业ID")
    unit_kind: UnitKind | None = Field(default=None, title="单元类型")
    grade: int | None = Field(default=None, ge=1, le=4, title="级别")
    due_before: date | None = Field(default=None, title="下次评估日期不晚于")
