"""Facts about dispatch that incidents (timeline), review and the map react to."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from yingji.core.events import Event


class DispatchOrderChanged(Event):
    """An order was created or moved to a new state."""

    name: ClassVar[str] = "dispatch.order_changed"

    order_id: int
    incident_id: int
    resource_kind: str
    resource_name: str
    action: str
    to_state: str
    at: datetime
