"""Hazard events (announced up: inspections, patrols, alarms, indicators may listen)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from yingji.core.events import Event


class _HazardEvent(Event):
    hazard_id: int
    division_code: str
    enterprise_id: int | None
    level: str


class HazardReported(_HazardEvent):
    """A new hazard was reported (never sent again for a repeated report)."""

    name: ClassVar[str] = "risks.hazard_reported"
    source: str
    source_ref: str | None
    title: str


class HazardStateChanged(_HazardEvent):
    """A hazard moved along its loop (who and why are in its transition history)."""

    name: ClassVar[str] = "risks.hazard_state_changed"
    from_state: str
    to_state: str
    action: str


class HazardOverdue(_HazardEvent):
    """A hazard passed its deadline unrectified (once per deadline)."""

    name: ClassVar[str] = "risks.hazard_overdue"
    deadline: date
    supervised_listing: bool


class HazardClosed(_HazardEvent):
    """A hazard was accepted and closed out (销号)."""

    name: ClassVar[str] = "risks.hazard_closed"


class HazardSupervisedListing(_HazardEvent):
    """A major hazard was put under 挂牌督办 with a supervising department."""

    name: ClassVar[str] = "risks.hazard_supervised_listing"
    department_id: int
