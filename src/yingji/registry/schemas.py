"""Shapes every registry shares: location fields, retirement, import results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

# A phone number as people write it: digits with +, -, spaces or brackets, and an optional
# extension (023-12345678转801).
PHONE_PATTERN = r"^[+(]?[0-9][0-9\-\s()]{1,28}[0-9](转[0-9]{1,6})?$"
# A phone as reads show it: the same, with middle digits possibly masked (138****1234) for
# roles without the reveal right (registry/privacy.py). Writes keep PHONE_PATTERN.
SHOWN_PHONE_PATTERN = r"^[+(]?[0-9*][0-9*\-\s()]{1,28}[0-9](转[0-9]{1,6})?$"


class LocationIn(BaseModel):
    """Where a sited record is: a point, optionally its division and address."""

    longitude: float = Field(ge=-180, le=180, title="经度")
    latitude: float = Field(ge=-90, le=90, title="纬度")
    division_code: str | None = Field(
        default=None,
        pattern=r"^\d{6}(\d{3}){0,3}$",
        title="所属行政区划代码",
        description="omit to resolve it from the point",
    )
    address: str | None = Field(default=None, max_length=300, title="地址")


class LocationPatch(BaseModel):
    """Location fields in an update (all optional)."""

    longitude: float | None = Field(default=None, ge=-180, le=180, title="经度")
    latitude: float | None = Field(default=None, ge=-90, le=90, title="纬度")
    division_code: str | None = Field(
        default=None, pattern=r"^\d{6}(\d{3}){0,3}$", title="所属行政区划代码"
    )
    address: str | None = Field(default=None, max_length=300, title="地址")


class RecordMeta(BaseModel):
    """Fields every registry record shows."""

    id: int
    division_code: str
    division_name: str | None = None
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None
    retired_reason: str | None = None


class SitedMeta(RecordMeta):
    """Fields every sited record shows."""

    longitude: float
    latitude: float
    address: str | None = None


class RetireRequest(BaseModel):
    """Why a record is retired (kept for the audit trail)."""

    reason: str = Field(min_length=1, max_length=500, title="停用原因")


class ImportIssue(BaseModel):
    """One reason an import was refused, located in the workbook."""

    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str
    reason: str


class ImportResult(BaseModel):
    """The outcome of an Excel import (all rows written, or none)."""

    created: int
    dry_run: bool = False


class RevealRead(BaseModel):
    """One personal field of a record in full, as revealed (and audited) for a stated purpose."""

    id: int
    field: str
    value: Any = Field(description="the stored value: a phone, or a list of contacts")
