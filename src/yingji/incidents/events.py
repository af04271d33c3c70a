"""Incident events (announced to higher layers: one map, indicators, dispatch, review)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from yingji.core.events import Event


class IncidentReported(Event):
    """An incident was received (any source)."""

    name: ClassVar[str] = "incidents.reported"
    incident_id: int
    category: str
    type: str
    title: str
    grade: str | None
    division_code: str
    enterprise_id: int | None
    reported_at: datetime
    longitude: float | None
    latitude: float | None
    source: str


class IncidentGraded(Event):
    """An incident's grade was set or changed (``previous_grade`` None the first time)."""

    name: ClassVar[str] = "incidents.graded"
    incident_id: int
    grade: str | None
    previous_grade: str | None
    division_code: str


class IncidentClosed(Event):
    """An incident was closed (结案)."""

    name: ClassVar[str] = "incidents.closed"
    incident_id: int
    grade: str | None
    division_code: str
    reason: str
