"""Major hazard table (重大危险源): one row per identified unit of an enterprise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base
from yingji.registry.models import SitedColumns


class MajorHazard(SitedColumns, Base):
    """A registered major hazard: a unit with S ≥ 1 (GB 18218-2018), graded by R."""

    __tablename__ = "risks_major_hazard"

    name: Mapped[str] = mapped_column(String(200), index=True)
    # The enterprise it belongs to (linked by id: risks sits above enterprises).
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_kind: Mapped[str] = mapped_column(String(20), index=True)
    # [{name, cas, category, quantity_t (decimal string)}] as entered.
    substances: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    exposed_population: Mapped[int] = mapped_column(Integer)
    # Computed by rules.assess on every create/update, never typed in; rounded for display,
    # the grade itself is decided on the exact values.
    sum_ratio: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    is_major_hazard: Mapped[bool] = mapped_column(Boolean, default=False)
    alpha: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    r_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    grade: Mapped[int | None] = mapped_column(Integer, index=True)
    # Snapshot of every q, Q and β used, and the table version: results stay reproducible.
    items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    table_version: Mapped[str | None] = mapped_column(String(40))
    # 包保责任人 (应急管理部《危险化学品企业重大危险源安全包保责任制办法(试行)》).
    principal_name: Mapped[str] = mapped_column(String(100))
    principal_phone: Mapped[str] = mapped_column(String(40))
    technical_name: Mapped[str] = mapped_column(String(100))
    technical_phone: Mapped[str] = mapped_column(String(40))
    operations_name: Mapped[str] = mapped_column(String(100))
    operations_phone: Mapped[str] = mapped_column(String(40))
    assessed_on: Mapped[date] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    filed_with: Mapped[str | None] = mapped_column(String(200))
