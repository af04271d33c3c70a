"""Domain events and the in-process handler registry.

An event is a past-tense fact (``ShelterCreated``). Services add events to the unit of
work; the unit of work stores them in the outbox in the same transaction as the change; the
relay hands them to handlers after commit. Lower layers announce, higher layers listen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.schemas import values_of

if TYPE_CHECKING:
    from yingji.core.uow import UnitOfWork


class Event(BaseModel):
    """Base of every domain event; subclasses set ``name`` (``<domain>.<fact>``)."""

    model_config = ConfigDict(frozen=True)

    name: ClassVar[str] = "event"
    event_id: str = Field(default_factory=lambda: uuid4().hex)
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def of(cls, row: object, /, **values: Any) -> Self:
        """Build from ``row``'s same-named attributes, as ``ReadModel.of`` does.

        The event's own ``event_id`` and ``occurred_at`` are never taken from the row (an
        incident's ``occurred_at`` is not the moment the event happened); pass them to set them.
        """
        return cls.model_validate(values_of(cls, row, values, skip=_OWN_FIELDS))


# Every event's own identity and time (see ``Event.of``).
_OWN_FIELDS = frozenset({"event_id", "occurred_at"})

Handler = Callable[["UnitOfWork", Event], None]


class EventRegistry:
    """Maps event names to their classes and handlers (filled by ``bootstrap``)."""

    def __init__(self) -> None:
        self._types: dict[str, type[Event]] = {}
        self._handlers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)

    def register_type(self, event_type: type[Event]) -> None:
        """Make an event type decodable from the outbox."""
        self._types[event_type.name] = event_type

    def is_registered(self, event_name: str) -> bool:
        """Tell whether events called ``event_name`` can be decoded from the outbox."""
        return event_name in self._types

    def subscribe(self, event_type: type[Event], handler: Handler, name: str = "") -> None:
        """Run ``handler`` for every ``event_type``; ``name`` keys its idempotency record."""
        self.register_type(event_type)
        key = name or f"{handler.__module__}.{handler.__qualname__}"
        self._handlers[event_type.name].append((key, handler))

    def handlers_for(self, event_name: str) -> list[tuple[str, Handler]]:
        """Return the (name, handler) pairs subscribed to ``event_name``."""
        return list(self._handlers.get(event_name, []))

    def decode(self, event_name: str, payload: dict[str, Any]) -> Event | None:
        """Rebuild an event from its outbox payload (None for an unknown type)."""
        event_type = self._types.get(event_name)
        return event_type.model_validate(payload) if event_type else None
