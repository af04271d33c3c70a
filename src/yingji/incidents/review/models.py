"""Reviews (复盘) of closed incidents and the problems they found."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class IncidentReview(Base):
    """One review per closed incident: the measures frozen at review time and a summary."""

    __tablename__ = "incidents_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents_incident.id"), unique=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewProblem(Base):
    """A problem the review found; it enters the rectification loop as a hazard."""

    __tablename__ = "incidents_review_problem"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("incidents_review.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    hazard_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
