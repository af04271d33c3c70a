"""Risk point, assessment and control measure tables.

Assessments are history: a new one is added for every re-assessment and none is ever
overwritten; a point's current level is its latest assessment (by ``assessed_at``, then id).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime
from yingji.registry.models import SitedColumns


class RiskPoint(SitedColumns, Base):
    """A risk point (风险点): a place, installation or activity with graded risk."""

    __tablename__ = "risks_risk_point"

    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # The enterprise it belongs to; None for a public place owned by its division.
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    accident_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    responsible_phone: Mapped[str | None] = mapped_column(String(40))


class RiskAssessment(Base):
    """One grading of a risk point (LEC or LS); rows are only ever added."""

    __tablename__ = "risks_risk_assessment"
    __table_args__ = (Index("ix_risks_risk_assessment_latest", "risk_point_id", "assessed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risks_risk_point.id"))
    method: Mapped[str] = mapped_column(String(10))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    level: Mapped[str] = mapped_column(String(20), index=True)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assessor: Mapped[str] = mapped_column(String(100))
    remarks: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(Integer)


class ControlMeasure(Base):
    """A control measure of a risk point and the tier responsible for it (分级管控)."""

    __tablename__ = "risks_control_measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risks_risk_point.id"), index=True)
    measure: Mapped[str] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(String(20))
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
