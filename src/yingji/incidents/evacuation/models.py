"""Evacuation plans: the inputs and the solved assignment, kept for the record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class EvacuationPlan(Base):
    """One computed evacuation assignment (转移安置方案)."""

    __tablename__ = "incidents_evacuation_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    # Linked by id only (architecture rule 2); no ORM relationship across domains.
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The lowest division holding every affected village: scopes who may read the plan.
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    village_codes: Mapped[list[str]] = mapped_column(JSON)
    total_persons: Mapped[int] = mapped_column(Integer)
    placed_persons: Mapped[int] = mapped_column(Integer)
    unplaced_persons: Mapped[int] = mapped_column(Integer)
    person_km: Mapped[float] = mapped_column(Float)
    solve_seconds: Mapped[float] = mapped_column(Float)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
