"""Facts the evacuation planner announces."""

from __future__ import annotations

from typing import ClassVar

from yingji.core.events import Event


class EvacuationPlanned(Event):
    """An evacuation assignment was computed and stored."""

    name: ClassVar[str] = "evacuation.planned"

    plan_id: int
    incident_id: int | None
    division_code: str
    total_persons: int
    unplaced_persons: int
