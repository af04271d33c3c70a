"""The shape of a domain's ``manifest.py``: one ``Domain`` value listing everything it adds.

``bootstrap.DOMAINS`` holds the manifests in menu order and builds the app and the context
from them; nothing else imports a manifest, and a manifest is the only module that imports
its domain's routers, handlers, jobs and contributions. So what a domain adds to the
platform is written in one place and checked by the composition test.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from fastapi import APIRouter

from yingji.core.events import Event, Handler
from yingji.core.extensions import Contribution
from yingji.core.jobs import Job


@dataclass(frozen=True, slots=True)
class Subscription:
    """A handler run after commit for every event of one type; ``name`` keys idempotency."""

    event: type[Event]
    handler: Handler
    name: str


@dataclass(frozen=True, slots=True)
class TemplateFolder:
    """A package's ``templates/`` folder, served under ``prefix/`` (``alarms/board.html``)."""

    prefix: str
    package: str


@dataclass(frozen=True, slots=True)
class Domain:
    """Everything one domain package adds: tables, routes, templates, events, jobs, points.

    ``package`` is the dotted package the manifest covers (sub-packages included); the
    composition test checks that every package with an ``api.py`` or ``pages.py`` is covered.
    """

    package: str
    title: str
    models: tuple[ModuleType, ...] = ()
    api_routers: tuple[APIRouter, ...] = ()
    page_routers: tuple[APIRouter, ...] = ()
    templates: tuple[TemplateFolder, ...] = ()
    # The event types this domain publishes (decodable from the outbox).
    events: tuple[type[Event], ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    jobs: tuple[Job, ...] = ()
    contributions: tuple[Contribution[Any], ...] = ()

    def covers(self, package: str) -> bool:
        """Tell whether ``package`` is this domain's package or one of its sub-packages."""
        return package == self.package or package.startswith(self.package + ".")


def event_types(module: ModuleType) -> tuple[type[Event], ...]:
    """Return the event classes a domain's ``events`` module defines, in source order."""
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Event)
        and value is not Event
        and value.__module__ == module.__name__
    ]
    return tuple(found)
