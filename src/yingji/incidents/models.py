"""Incident tables: the incident, its reporting deadlines, tasks, reports, timeline, rules.

Casualty counts are separate columns (493 第十二条 asks for each); money is 万元. The
timeline only grows: every change adds an entry. Reporting rules hold the deployment's
overrides of the national defaults in ``rules.NATIONAL_RULES``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Incident(Base):
    """A 突发事件 received by the bureau."""

    __tablename__ = "incidents_incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The caller's key (110/119/120 case number, "alarm:42", "grid:7"): a retry finds the row.
    external_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30), index=True)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_name: Mapped[str] = mapped_column(String(100), default="")
    reporter_phone: Mapped[str] = mapped_column(String(40), default="")
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    trapped: Mapped[int] = mapped_column(Integer, default=0)
    serious_injuries: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    acute_poisoning: Mapped[int] = mapped_column(Integer, default=0)
    # 万元 to 4 places (1 元): official loss figures are given to the yuan (373.9228 万元).
    direct_loss_wan_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    grade: Mapped[str | None] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IncidentDeadline(Base):
    """One reporting duty of an incident, with its progress (reminded, escalated, met)."""

    __tablename__ = "incidents_deadline"
    __table_args__ = (
        UniqueConstraint("incident_id", "rule_key", name="uq_incidents_deadline_rule"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents_incident.id"), index=True)
    rule_key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    reports_to: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    remind_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remind: Mapped[bool] = mapped_column(Boolean, default=True)
    citation: Mapped[str] = mapped_column(String(200), default="")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_by: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")


class IncidentTask(Base):
    """A task the rules create (补报 after a casualty change, 升级上报 after a higher grade)."""

    __tablename__ = "incidents_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents_incident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[int | None] = mapped_column(Integer)
    # The due time an overdue reminder was sent for (a moved due time is chased again).
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncidentReport(Base):
    """A written report (初报/续报/核报/补报): drafted, signed off by another user, sent."""

    __tablename__ = "incidents_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents_incident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The 493 第十二条 sections, frozen when drafted: the signed text is what is sent.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    drafted_by: Mapped[int | None] = mapped_column(Integer)
    drafted_by_name: Mapped[str] = mapped_column(String(100))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_by: Mapped[int | None] = mapped_column(Integer)
    signed_by_name: Mapped[str | None] = mapped_column(String(100))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[str | None] = mapped_column(String(200))
    sent_by: Mapped[int | None] = mapped_column(Integer)


class IncidentTimelineEntry(Base):
    """One typed entry of an incident's timeline (never changed, never deleted)."""

    __tablename__ = "incidents_timeline_entry"
    __table_args__ = (Index("ix_incidents_timeline_entry_incident_at", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents_incident.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))


class ReportingRuleRecord(Base):
    """A deployment's reporting rule (overrides the national rule with the same key)."""

    __tablename__ = "incidents_reporting_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    reports_to: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(20))
    min_grade: Mapped[str | None] = mapped_column(String(20))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    remind: Mapped[bool] = mapped_column(Boolean, default=True)
    remind_before_minutes: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    citation: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(Integer)
