"""Transactional outbox: events stored with the change, relayed to handlers after commit.

The relay claims pending rows with a short lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL
so several workers can share the table), runs each handler in its own transaction and records
(event, handler) in ``core_handled_event`` in that same transaction, so a handler that
already succeeded is skipped when the event is seen again after a crash or a retry.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from yingji.core.actor import system_actor
from yingji.core.clock import Clock, SystemClock
from yingji.core.db import Base, UTCDateTime
from yingji.core.events import EventRegistry
from yingji.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LEASE = timedelta(seconds=60)


class OutboxMessage(Base):
    """An event waiting to be (or already) handed to its handlers."""

    __tablename__ = "core_outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HandledEvent(Base):
    """Marks that one handler has processed one event (the idempotency record)."""

    __tablename__ = "core_handled_event"
    __table_args__ = (UniqueConstraint("event_id", "handler", name="uq_core_handled_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32))
    handler: Mapped[str] = mapped_column(String(200))
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime)


def relay_pending(
    session_factory: sessionmaker[Session],
    registry: EventRegistry,
    *,
    clock: Clock | None = None,
    limit: int = 100,
    settings: Settings | None = None,
) -> int:
    """Hand pending outbox events to their handlers; return how many were finished.

    Handlers get a unit of work carrying ``settings`` (the context passes its own).
    """
    clock = clock or SystemClock()
    claimed = _claim(session_factory, clock, limit)
    finished = 0
    for message_id, event_id, name, payload in claimed:
        error = _run_handlers(session_factory, registry, clock, settings, event_id, name, payload)
        with session_factory() as session, session.begin():
            # Read-then-write: on SQLite (WAL) a deferred BEGIN fails at once with "database
            # is locked" if another writer committed after our read; take the lock up front.
            session.connection(execution_options={"yingji_write": True})
            message = session.get(OutboxMessage, message_id)
            if message is None:  # pragma: no cover - rows are never deleted
                continue
            message.attempts += 1
            message.claimed_until = None
            if error is None:
                message.dispatched_at = clock.now()
                finished += 1
            else:
                message.last_error = error
    return finished


def _claim(
    session_factory: sessionmaker[Session], clock: Clock, limit: int
) -> list[tuple[int, str, str, dict[str, Any]]]:
    # A short claim transaction with a lease: several relays (API processes, workers) can
    # share the table, and a relay that dies leaves rows that become claimable again.
    now = clock.now()
    with session_factory() as session, session.begin():
        session.connection(execution_options={"yingji_write": True})
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.dispatched_at.is_(None))
            .where(OutboxMessage.attempts < MAX_ATTEMPTS)
            .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(session.scalars(stmt))
        for row in rows:
            row.claimed_until = now + LEASE
        return [(r.id, r.event_id, r.name, dict(r.payload)) for r in rows]


def _run_handlers(
    session_factory: sessionmaker[Session],
    registry: EventRegistry,
    clock: Clock,
    settings: Settings | None,
    event_id: str,
    name: str,
    payload: dict[str, Any],
) -> str | None:
    from yingji.core.uow import UnitOfWork  # the unit of work writes outbox rows itself

    event = registry.decode(name, payload)
    if event is None:
        return None
    for handler_name, handler in registry.handlers_for(name):
        with session_factory() as session:
            done = session.scalar(
                select(HandledEvent.id).where(
                    HandledEvent.event_id == event_id, HandledEvent.handler == handler_name
                )
            )
        if done:
            continue
        uow = UnitOfWork(
            session_factory,
            system_actor("outbox"),
            clock=clock,
            registry=registry,
            settings=settings,
        )
        try:
            with uow:
                handler(uow, event)
                uow.session.add(
                    HandledEvent(event_id=event_id, handler=handler_name, handled_at=clock.now())
                )
                uow.commit()
        except Exception as exc:  # a failing handler must not stop the relay
            log.exception("handler %s failed for %s", handler_name, name)
            return f"{handler_name}: {exc!r}"[:2000]
    return None


def prune_handled(session_factory: sessionmaker[Session], before: datetime) -> int:
    """Delete relayed messages dispatched before ``before`` and their handled marks.

    Only rows every handler finished are removed; undelivered and failing rows stay for the
    operator. The idempotency marks go with their message: an event older than the
    retention window is never relayed again, so nothing can be handled twice.
    """
    with session_factory() as session, session.begin():
        session.connection(execution_options={"yingji_write": True})
        old = select(OutboxMessage.event_id).where(
            OutboxMessage.dispatched_at.is_not(None), OutboxMessage.dispatched_at < before
        )
        session.execute(delete(HandledEvent).where(HandledEvent.event_id.in_(old)))
        result = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.dispatched_at.is_not(None), OutboxMessage.dispatched_at < before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
