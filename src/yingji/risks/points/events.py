"""Risk point events: a point's current level changed (announced up)."""

from __future__ import annotations

from typing import ClassVar

from yingji.core.events import Event


class RiskLevelChanged(Event):
    """A new assessment changed a risk point's current level (first grading included)."""

    name: ClassVar[str] = "risks.risk_level_changed"
    risk_point_id: int
    assessment_id: int
    division_code: str
    enterprise_id: int | None
    previous_level: str | None  # None for the point's first assessment
    level: str
