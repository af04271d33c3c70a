"""Duty desk API shapes: shifts and assignments, leave, hand-overs, log entries."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, Field

from yingji.core.schemas import PatchModel, ReadModel
from yingji.duty.rules import Position


class AssignmentWrite(BaseModel):
    """A person for a position on a shift."""

    user_id: int
    position: Position


class ShiftCreate(BaseModel):
    """A new shift: span, desk and its people (conflicts are refused with 422)."""

    starts_at: datetime
    ends_at: datetime
    label: str = Field(default="", max_length=40)
    phone: str | None = Field(default=None, max_length=40)
    notes: str | None = None
    # The desk's division; defaults to the actor's own (the district for bureau staff).
    division_code: str | None = None
    assignments: list[AssignmentWrite] = Field(default_factory=list)


class ShiftUpdate(PatchModel):
    """Changes to a shift; ``assignments`` replaces the people when given."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"phone", "notes"})

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    label: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=40)
    notes: str | None = None
    assignments: list[AssignmentWrite] | None = None


class AssignmentRead(ReadModel):
    """A rostered person."""

    user_id: int
    position: str
    position_label: str
    name: str
    phone: str | None


class ShiftRead(ReadModel):
    """A shift with its people in escalation order."""

    id: int
    division_code: str
    starts_at: datetime
    ends_at: datetime
    label: str
    phone: str | None
    notes: str | None
    assignments: list[AssignmentRead]


class LeaveCreate(BaseModel):
    """A person's leave."""

    user_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(default="", max_length=200)


class LeaveRead(ReadModel):
    """A stored leave."""

    id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


class LogEntryCreate(BaseModel):
    """A duty log entry; ``is_open`` keeps it on the hand-over until it is closed."""

    category: str = "note"
    content: str = Field(min_length=1, max_length=4000)
    occurred_at: datetime | None = None
    is_open: bool = False


class LogEntryRead(ReadModel):
    """A stored duty log entry."""

    id: int
    division_code: str
    shift_id: int | None
    occurred_at: datetime
    category: str
    category_label: str
    content: str
    is_open: bool
    closed_at: datetime | None
    author_name: str


class OpenItem(BaseModel):
    """Something still open that a hand-over carries (from any domain)."""

    kind: str
    ref_id: str
    title: str
    status: str = ""
    url: str | None = None


class HandoverCreate(BaseModel):
    """Hand the desk over to the next shift."""

    to_shift_id: int
    notes: str = Field(default="", max_length=4000)


class HandoverItemRead(ReadModel):
    """An open item carried by a hand-over."""

    id: int
    kind: str
    kind_label: str
    ref_id: str
    title: str
    status: str
    url: str | None
    acknowledged: bool


class HandoverRead(ReadModel):
    """A hand-over with its carried items."""

    id: int
    division_code: str
    from_shift_id: int | None
    to_shift_id: int
    status: str
    status_label: str
    notes: str
    handed_by_name: str
    created_at: datetime
    accepted_by_name: str | None
    accepted_at: datetime | None
    items: list[HandoverItemRead]


class TodayRead(ReadModel):
    """The desk now: the current shift (if any), the next one and open log items."""

    at: datetime
    current: ShiftRead | None
    next: ShiftRead | None
    open_notes: list[LogEntryRead]
