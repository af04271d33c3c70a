"""Patrol events: what grid members and the public reported (announced up).

``GridEventReported`` is a cross-helper contract (incidents and duty subscribe to it); keep
its fields. Public reports that concern hazards go into the hazard loop directly through
``risks.hazards.service``, so they need no event of their own beyond ``PublicReportReceived``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from yingji.core.events import Event


class GridEventReported(Event):
    """A grid member reported an event (not a hazard): a fire seen, a flooded road ..."""

    name: ClassVar[str] = "patrols.event_reported"
    report_id: int
    title: str
    description: str
    category: str
    occurred_at: datetime
    division_code: str | None
    longitude: float | None
    latitude: float | None
    reporter_user_id: int | None


class PublicReportReceived(Event):
    """A member of the public reported something; it was routed to ``township_code``."""

    name: ClassVar[str] = "patrols.public_report_received"
    report_id: int
    kind: str
    title: str
    division_code: str
    township_code: str
    hazard_id: int | None
    linked_existing: bool


class PublicReportReplied(Event):
    """A public report got its answer (the reporter can read it with the tracking code)."""

    name: ClassVar[str] = "patrols.public_report_replied"
    report_id: int
    division_code: str
    verified: bool | None
