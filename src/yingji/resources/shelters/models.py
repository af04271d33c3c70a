"""Shelter table."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base
from yingji.registry.models import SitedColumns


class Shelter(SitedColumns, Base):
    """An emergency shelter (应急避难场所)."""

    __tablename__ = "resources_shelter"

    name: Mapped[str] = mapped_column(String(200), index=True)
    shelter_class: Mapped[str] = mapped_column(String(20), index=True)
    effective_area_m2: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    capacity_persons: Mapped[int] = mapped_column(Integer)
    facilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), index=True)
    manager: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
