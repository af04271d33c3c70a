"""The application context handed to every request: sessions, events, clock, settings.

Built once per process by ``bootstrap.build_context``: typed settings, the adapters chosen
for this deployment, and the extension-point contributions of the mounted domains.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from yingji.adapters.bundle import Adapters
from yingji.adapters.storage import Storage
from yingji.core.actor import Actor
from yingji.core.clock import Clock
from yingji.core.events import EventRegistry
from yingji.core.extensions import Extensions
from yingji.core.jobs import JobRegistry
from yingji.core.outbox import relay_pending
from yingji.core.uow import UnitOfWork
from yingji.settings import Settings


@dataclass
class AppContext:
    """What the composition root wires once and every edge uses."""

    engine: Engine
    session_factory: sessionmaker[Session]
    events: EventRegistry
    clock: Clock
    settings: Settings
    adapters: Adapters
    inline_relay: bool = True
    # Periodic jobs (escalations, reminders); the worker runs them, tests call them.
    jobs: JobRegistry = field(default_factory=JobRegistry)
    # What the mounted domains contributed to the named extension points.
    extensions: Extensions = field(default_factory=Extensions)

    @property
    def storage(self) -> Storage:
        """Return the store for uploaded files (photos, attachments)."""
        return self.adapters.storage

    def uow(self, actor: Actor) -> UnitOfWork:
        """Return a unit of work for ``actor``; after commit, relay events in-process."""
        after = self.relay if self.inline_relay else None
        return UnitOfWork(
            self.session_factory,
            actor,
            clock=self.clock,
            registry=self.events,
            after_commit=after,
            settings=self.settings,
        )

    def relay(self) -> None:
        """Hand pending outbox events to their handlers (embedded mode, after commit)."""
        self.relay_count()

    def relay_count(self) -> int:
        """Relay pending outbox events; return how many were finished."""
        return relay_pending(
            self.session_factory, self.events, clock=self.clock, settings=self.settings
        )


def get_context(request: Request) -> AppContext:
    """Return the application context (FastAPI dependency)."""
    ctx: AppContext = request.app.state.ctx
    return ctx


def read_session(request: Request) -> Iterator[Session]:
    """Yield a read-only session for queries (FastAPI dependency)."""
    ctx = get_context(request)
    with ctx.session_factory() as session:
        yield session
