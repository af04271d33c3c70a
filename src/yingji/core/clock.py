"""Clock: the one source of "now", replaceable by a fixed clock in tests and drills, and the
one local-time helper (UTC stored, the configured zone shown)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Return the current wall-clock time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to (tests, scheduler drills)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """Return the clock's current time."""
        return self._at

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._at += delta


# --- local time: the one helper every domain uses -------------------------------------------
# Instants are stored and compared in UTC; people read and type them in the deployment's zone
# (``Settings.timezone``). These functions are the only conversions between the two.


@lru_cache(maxsize=16)
def zone(timezone: str) -> ZoneInfo:
    """Return the ``ZoneInfo`` called ``timezone`` (cached)."""
    return ZoneInfo(timezone)


def to_local(moment: datetime, timezone: str) -> datetime:
    """Return ``moment`` in ``timezone``; a naive value is taken as UTC (how it is stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(timezone))


def attach_local(moment: datetime, timezone: str) -> datetime:
    """Return ``moment`` with ``timezone`` attached when it is naive (a time a person typed)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone(timezone))


def local_now(clock: Clock, timezone: str) -> datetime:
    """Return the clock's now in ``timezone``."""
    return to_local(clock.now(), timezone)


def format_local(moment: datetime | None, timezone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format ``moment`` in ``timezone`` for people ("" for None)."""
    return to_local(moment, timezone).strftime(fmt) if moment is not None else ""


def local_today(timezone: str, now: datetime | None = None) -> date:
    """Return the date in ``timezone`` at ``now`` (the wall clock when None)."""
    return to_local(now if now is not None else datetime.now(UTC), timezone).date()


def parse_local(raw: str, timezone: str) -> datetime | None:
    """Parse a typed date-time (``datetime-local`` carries no zone: it is ``timezone``'s wall
    clock); None when ``raw`` is not an ISO date-time."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return attach_local(moment, timezone)
