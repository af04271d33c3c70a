"""Unit of work: one transaction per request, message or job, with its audit and events.

Services receive a unit of work and never commit; the edge (request handler, job, CLI
command) calls ``commit()`` once. Commit writes the collected events to the outbox in the
same transaction, then (in the embedded mode) relays them in-process after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from yingji.core.actor import Actor
from yingji.core.audit import AuditEntry
from yingji.core.clock import Clock, SystemClock
from yingji.core.events import Event, EventRegistry
from yingji.core.outbox import OutboxMessage
from yingji.settings import Settings


class UnitOfWork:
    """A write transaction with the acting user, the clock, audit rows and pending events."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        actor: Actor,
        *,
        clock: Clock | None = None,
        registry: EventRegistry | None = None,
        after_commit: Callable[[], None] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._settings = settings
        self.actor = actor
        self.clock = clock or SystemClock()
        self.registry = registry
        self._after_commit = after_commit
        self._events: list[Event] = []
        self._audits: list[dict[str, Any]] = []
        self._session: Session | None = None
        self.committed = False

    @property
    def settings(self) -> Settings:
        """Return the deployment's settings, handed in by whoever opened this unit of work."""
        if self._settings is None:
            raise RuntimeError("unit of work opened without settings")
        return self._settings

    @property
    def session(self) -> Session:
        """Return the open session (only inside ``with uow:``)."""
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        # Writes take the write lock at BEGIN on SQLite (see core.db); no-op on PostgreSQL.
        self._session.connection(execution_options={"yingji_write": True})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self.committed:
                session.rollback()
        finally:
            session.close()
            self._session = None
        if self.committed and self._after_commit is not None and exc_type is None:
            self._after_commit()

    def add_event(self, event: Event) -> None:
        """Queue an event; it reaches the outbox when the unit of work commits."""
        if self.registry is not None:
            self.registry.register_type(type(event))
        self._events.append(event)

    @property
    def events(self) -> list[Event]:
        """Return the events collected so far (read-only view for tests)."""
        return list(self._events)

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """Record the audit row for a change; it is written in this transaction at commit."""
        self._audits.append(
            {
                "at": self.clock.now(),
                "actor_id": self.actor.user_id,
                "actor_name": self.actor.username,
                "actor_role": self.actor.role,
                "action": action,
                "entity": entity,
                "entity_id": str(entity_id),
                "before": before,
                "after": after,
                "reason": reason,
            }
        )

    def commit(self) -> None:
        """Store pending events in the outbox and commit everything at once."""
        session = self.session
        now = self.clock.now()
        # Audit rows and outbox rows need no ids back, so each kind goes in as one plain
        # executemany: an import of 10,000 records must not pay ORM bookkeeping per row.
        session.flush()
        if self._audits:
            session.execute(insert(AuditEntry), self._audits)
        if self._events:
            session.execute(
                insert(OutboxMessage),
                [
                    {
                        "event_id": event.event_id,
                        "name": event.name,
                        "payload": event.model_dump(mode="json"),
                        "created_at": now,
                        "attempts": 0,
                    }
                    for event in self._events
                ],
            )
        session.commit()
        self._events.clear()
        self._audits.clear()
        self.committed = True
