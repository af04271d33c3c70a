"""Disaster processes, township reports and the reminders already sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class DisasterProcess(Base):
    """One disaster process (灾害过程): the frame its 初报/续报/核报 belong to."""

    __tablename__ = "incidents_disaster_process"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    hazard_type: Mapped[str] = mapped_column(String(30))
    # The area the process covers (usually the district): its townships owe the reports.
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)  # active, stabilised, closed
    stabilised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisasterReport(Base):
    """A township's report in a process; figures are exact decimals kept as strings."""

    __tablename__ = "incidents_disaster_report"
    __table_args__ = (UniqueConstraint("process_id", "division_code", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("incidents_disaster_process.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    # 数据截止时间: the moment the figures describe.
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    narrative: Mapped[str] = mapped_column(Text, default="")
    correction_reason: Mapped[str | None] = mapped_column(String(500))
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisasterReportReminder(Base):
    """A reminder sent for one overdue duty; the key makes the job send it once."""

    __tablename__ = "incidents_disaster_report_reminder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    process_id: Mapped[int] = mapped_column(Integer, index=True)
    division_code: Mapped[str] = mapped_column(String(15))
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
