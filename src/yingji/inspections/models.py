"""Inspection tables: annual plans and targets, officer conflicts, 双随机 draws, cases with
findings, enforcement documents and the per-year document counters.

Links to enterprises, users, departments and hazards are ids (other domains' tables are not
joined by relationship). A case keeps the enterprise's division code at creation, so scoping a
case needs no join and a later move of the enterprise does not move its past cases.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class InspectionPlan(Base):
    """The annual supervision and inspection plan (年度监督检查计划) of one year."""

    __tablename__ = "inspections_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(Integer)


class PlanTarget(Base):
    """One enterprise in an annual plan: its risk tier, mode, frequency and annual cap."""

    __tablename__ = "inspections_plan_target"
    __table_args__ = (UniqueConstraint("plan_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspections_plan.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    industry_code: Mapped[str] = mapped_column(String(4))
    risk_tier: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(10), index=True)
    frequency: Mapped[int] = mapped_column(Integer)
    cap: Mapped[int] = mapped_column(Integer)


class InspectorConflict(Base):
    """A registered interest between an officer and an enterprise (回避): never drawn together."""

    __tablename__ = "inspections_conflict"
    __table_args__ = (UniqueConstraint("inspector_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspector_id: Mapped[int] = mapped_column(Integer, index=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RandomDraw(Base):
    """One 双随机 draw: the published seed, the candidate pools, exclusions and the result.

    Everything needed to repeat the draw is stored, so anyone can check it (一公开).
    """

    __tablename__ = "inspections_draw"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # The pool's division (the district, or one township for a township's own draw).
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    seed: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(40))
    target_count: Mapped[int] = mapped_column(Integer)
    per_target: Mapped[int] = mapped_column(Integer)
    industry_prefix: Mapped[str | None] = mapped_column(String(4))
    candidate_targets: Mapped[list[int]] = mapped_column(JSON)
    candidate_inspectors: Mapped[list[int]] = mapped_column(JSON)
    conflicts: Mapped[list[list[int]]] = mapped_column(JSON)
    # [{"enterprise_id", "inspector_id" | None, "reason"}], pool exclusions first.
    excluded: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # [{"enterprise_id", "inspector_ids": [...]}] in draw order.
    result: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    drawn_by: Mapped[int | None] = mapped_column(Integer)


class InspectionCase(Base):
    """One law-enforcement inspection of an enterprise and what followed (the 案卷)."""

    __tablename__ = "inspections_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    # The enforcing unit (负有安全监管职责的部门 or 镇街); None: the bureau itself.
    department_id: Mapped[int | None] = mapped_column(Integer, index=True)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("inspections_draw.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    inspector_ids: Mapped[list[int]] = mapped_column(JSON)
    checklist_code: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), index=True)
    planned_on: Mapped[date | None] = mapped_column(Date)
    inspected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    rectify_deadline: Mapped[date | None] = mapped_column(Date, index=True)
    # The deadline the officers were last reminded to re-inspect for (the job's progress).
    reminded_deadline: Mapped[date | None] = mapped_column(Date)
    reinspected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fine_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    penalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    penalty_basis: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(Integer)


class Finding(Base):
    """A problem found on site (检查发现的问题), optionally a hazard in the rectification loop."""

    __tablename__ = "inspections_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inspections_case.id"), index=True)
    checklist_item: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(10))
    hazard_kind: Mapped[str] = mapped_column(String(20))
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    hazard_id: Mapped[int | None] = mapped_column(Integer, index=True)
    photo_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None until re-inspected; then whether this finding was rectified.
    rectified: Mapped[bool | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EnforcementDocument(Base):
    """An issued enforcement document; ``content`` is the frozen text the .docx is built from."""

    __tablename__ = "inspections_document"
    __table_args__ = (UniqueConstraint("doc_type", "year", "serial"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("inspections_case.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    doc_type: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(Integer)


class DocumentCounter(Base):
    """The last serial issued per document type and year (locked while a number is taken)."""

    __tablename__ = "inspections_document_counter"

    doc_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer)
