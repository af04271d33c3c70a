"""Facts about plans that other domains (incidents, indicators, notify) react to."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from yingji.core.events import Event


class PlanVersionPublished(Event):
    """A plan version was published (and the previous one superseded)."""

    name: ClassVar[str] = "plans.version_published"

    plan_id: int
    version_id: int
    version_no: int


class PlanActivated(Event):
    """A plan was started at a level; its tasks were created."""

    name: ClassVar[str] = "plans.activated"

    activation_id: int
    plan_id: int
    level: int
    incident_id: int | None
    cause: str
    task_ids: list[int]
    activated_at: datetime


class PlanTaskChanged(Event):
    """A task moved (read, acknowledged, feedback, done, returned)."""

    name: ClassVar[str] = "plans.task_changed"

    task_id: int
    activation_id: int
    incident_id: int | None
    action: str
    to_state: str
