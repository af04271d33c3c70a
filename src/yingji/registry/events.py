"""Registry events: a record was created, changed or retired (announced up)."""

from __future__ import annotations

from typing import ClassVar

from yingji.core.events import Event


class RecordCreated(Event):
    """A registry record was created."""

    name: ClassVar[str] = "registry.record_created"
    registry: str
    record_id: int
    division_code: str


class RecordUpdated(Event):
    """A registry record was changed."""

    name: ClassVar[str] = "registry.record_updated"
    registry: str
    record_id: int
    division_code: str
    changed: list[str]


class RecordRetired(Event):
    """A registry record was retired."""

    name: ClassVar[str] = "registry.record_retired"
    registry: str
    record_id: int
    division_code: str
    reason: str
