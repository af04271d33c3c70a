"""Hazard (隐患) tables: the hazard itself and its transition history.

A hazard's 属地 is ``division_code`` (copied from its risk point, enterprise or location when
reported), so scoping needs no join. The enterprise's industry and supervising department
are copied at report time too: statistics must count a hazard where it was found even if
the enterprise's profile changes later.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Hazard(Base):
    """One hazard and where it stands in the rectification loop."""

    __tablename__ = "risks_hazard"
    # Reporting the same finding twice (a retried alarm promotion, an inspection re-sent)
    # must find the first one: (source, source_ref) is unique when source_ref is set
    # (NULLs are distinct on both engines).
    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_risks_hazard_source_ref"),
        Index("ix_risks_hazard_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    source_ref: Mapped[str | None] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), index=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    risk_point_id: Mapped[int | None] = mapped_column(Integer, index=True)
    industry_code: Mapped[str | None] = mapped_column(String(4), index=True)
    # The department statistics count it under: the enterprise's 行业主管部门, or the one
    # named when the hazard is put under 挂牌督办.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_department.id"), index=True
    )
    longitude: Mapped[float | None] = mapped_column()
    latitude: Mapped[float | None] = mapped_column()
    photo_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id"))
    deadline: Mapped[date | None] = mapped_column(Date)
    # 五到位 treatment plan of a major hazard (keys: rules.FIVE_IN_PLACE).
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    supervised_listing: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    supervised_listing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervised_listing_note: Mapped[str | None] = mapped_column(Text)
    # Who submitted the current rectification: that person may not accept it.
    submitted_by: Mapped[int | None] = mapped_column(Integer)
    # The deadline the overdue escalation last fired for (job progress lives in the DB).
    escalated_deadline: Mapped[date | None] = mapped_column(Date)
    reported_by: Mapped[int | None] = mapped_column(Integer)
    reporter_name: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HazardTransition(Base):
    """One step of a hazard's history: who did what, when, why, with which attachments."""

    __tablename__ = "risks_hazard_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("risks_hazard.id"), index=True)
    # "report", the loop's actions, and "supervise" / "deadline" / "plan" / "photo" / "escalate".
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    photo_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
