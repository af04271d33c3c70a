"""Open-item sources for hand-overs: higher domains plug in what their desk must carry.

Alarms and incidents sit above ``duty`` and may not be imported here, so each registers a
function (``register_open_item_source``) from its ``handlers.register``; the hand-over asks
every registered source for the items open in the desk's division.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from yingji.duty.schemas import OpenItem

# fn(session, division_code) -> open items within that division (system view, unscoped).
OpenItemSource = Callable[[Session, str], list[OpenItem]]

_SOURCES: dict[str, OpenItemSource] = {}


def register_open_item_source(name: str, source: OpenItemSource) -> None:
    """Add (or replace) the source called ``name``; idempotent."""
    _SOURCES[name] = source


def open_items(session: Session, division_code: str) -> list[OpenItem]:
    """Return the open items of every registered source, source by source."""
    found: list[OpenItem] = []
    for name in sorted(_SOURCES):
        found.extend(_SOURCES[name](session, division_code))
    return found
