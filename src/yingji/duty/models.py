"""Duty desk tables: shifts and their people, leave, hand-overs with carried items, the log.

A shift belongs to one duty desk, identified by the division it serves (the district's own
desk, or a township's); scoping by that division code is what keeps desks apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Shift(Base):
    """A shift (班次) of a duty desk: a time span with its people."""

    __tablename__ = "duty_shift"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    label: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(Integer)


class ShiftAssignment(Base):
    """One person in one position on a shift."""

    __tablename__ = "duty_shift_assignment"
    __table_args__ = (UniqueConstraint("shift_id", "user_id", name="uq_duty_assignment_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("duty_shift.id"), index=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[str] = mapped_column(String(20))
    # Name and phone as they were when rostered: the roster is a record of who was asked.
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))


class Leave(Base):
    """A person's leave (请假): no shift may be rostered for them in that span."""

    __tablename__ = "duty_leave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Handover(Base):
    """A hand-over (交接班) from one shift to the next, accepted by a person of the next."""

    __tablename__ = "duty_handover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    from_shift_id: Mapped[int | None] = mapped_column(ForeignKey("duty_shift.id"))
    to_shift_id: Mapped[int] = mapped_column(ForeignKey("duty_shift.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    notes: Mapped[str] = mapped_column(Text, default="")
    handed_by: Mapped[int | None] = mapped_column(Integer)
    handed_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_by: Mapped[int | None] = mapped_column(Integer)
    accepted_by_name: Mapped[str | None] = mapped_column(String(100))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HandoverItem(Base):
    """An open item carried by a hand-over: an alarm, an incident or a log note."""

    __tablename__ = "duty_handover_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("duty_handover.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str | None] = mapped_column(String(200))
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)


class LogEntry(Base):
    """A duty log entry (值班日志); an ``open`` entry is carried until it is closed."""

    __tablename__ = "duty_log_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("duty_shift.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    category: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(Integer)
    author_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
