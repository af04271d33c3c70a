"""Early-warning events: a warning was published, updated or lifted (announced up)."""

from __future__ import annotations

from typing import ClassVar

from yingji.core.events import Event


class _WarningFact(Event):
    warning_id: int
    division_code: str
    signal: str
    level: str
    identifier: str  # the CAP identifier of the message that carried the change


class WarningPublished(_WarningFact):
    """A warning went out (CAP msgType Alert), or was imported from another authority."""

    name: ClassVar[str] = "early_warnings.published"


class WarningUpdated(_WarningFact):
    """A published warning changed (CAP msgType Update)."""

    name: ClassVar[str] = "early_warnings.updated"


class WarningLifted(_WarningFact):
    """A warning was lifted (解除, CAP msgType Cancel)."""

    name: ClassVar[str] = "early_warnings.lifted"
