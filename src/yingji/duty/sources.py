"""Open-item sources for hand-overs: higher domains plug in what their desk must carry.

Alarms and incidents sit above ``duty`` and may not be imported here, so each contributes an
``OpenItemSource`` to the ``OPEN_ITEM_SOURCES`` extension point in its manifest; the
hand-over asks every contributed source (handed in from the context) for the items open in
the desk's division.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yingji.core.extensions import ExtensionPoint
from yingji.duty.schemas import OpenItem


@dataclass(frozen=True, slots=True)
class OpenItemSource:
    """A named source: ``fetch(session, division_code)`` → items open in that division."""

    name: str
    fetch: Callable[[Session, str], list[OpenItem]]


OPEN_ITEM_SOURCES: ExtensionPoint[OpenItemSource] = ExtensionPoint(
    "duty.open_items", "what the duty hand-over carries (open alarms, open incidents …)"
)


def open_items(
    session: Session, division_code: str, sources: Sequence[OpenItemSource]
) -> list[OpenItem]:
    """Return the open items of every source, source by source (sorted by name)."""
    found: list[OpenItem] = []
    for source in sorted(sources, key=lambda s: s.name):
        found.extend(source.fetch(session, division_code))
    return found
