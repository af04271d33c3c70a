"""Road-network travel times for dispatch (an OSRM-compatible routing service, or a fake).

``RoadNetwork.durations`` answers "how many minutes by road from ``origin`` to each target";
``None`` means "no answer for this target" (unreachable, service down, timeout) and the caller
falls back to its straight-line estimate for that target. A routing outage must never stop a
dispatch, so ``OsrmRoadNetwork`` swallows every failure and answers ``None`` for all targets.

Points are WGS84 ``(longitude, latitude)`` tuples, the order OSRM expects.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Protocol

import httpx

log = logging.getLogger(__name__)

LonLat = tuple[float, float]
# OSRM's default --max-table-size is 100 coordinates per request; one is the origin.
DEFAULT_BATCH = 99
DEFAULT_TIMEOUT_SECONDS = 2.0


class RoadNetwork(Protocol):
    """Travel times over a road network."""

    def durations(self, origin: LonLat, targets: list[LonLat]) -> list[float | None]:
        """Return minutes by road from ``origin`` to each target (``None`` when unknown)."""
        ...


class OsrmRoadNetwork:
    """An OSRM-compatible ``/table/v1/driving`` service (self-hosted OSRM, or a compatible one).

    One table request per batch of targets, ``sources=0`` (the origin) and the targets as
    destinations; durations come back in seconds. Any failure of a batch — network error,
    timeout (2 s by default), non-200, ``code`` other than ``Ok``, malformed body — yields
    ``None`` for that batch's targets.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        profile: str = "driving",
        batch: int = DEFAULT_BATCH,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.batch = max(1, batch)
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def durations(self, origin: LonLat, targets: list[LonLat]) -> list[float | None]:
        """Return minutes by road from ``origin`` to each target; ``None`` where unknown."""
        out: list[float | None] = []
        for start in range(0, len(targets), self.batch):
            chunk = targets[start : start + self.batch]
            out.extend(self._table(origin, chunk))
        return out

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._client.close()

    def _table(self, origin: LonLat, targets: Sequence[LonLat]) -> list[float | None]:
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in (origin, *targets))
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}"
        params = {
            "sources": "0",
            "destinations": ";".join(str(i) for i in range(1, len(targets) + 1)),
            "annotations": "duration",
        }
        try:
            response = self._client.get(url, params=params)
            response.raise_for_status()
            return _parse_table(response.json(), len(targets))
        except Exception as exc:  # any failure means "fall back", never "fail the dispatch"
            log.warning("road network unavailable (%s): %s", self.base_url, exc)
            return [None] * len(targets)


def _parse_table(body: Any, count: int) -> list[float | None]:
    """Read one OSRM table answer (one source row) into minutes; raise on a malformed body."""
    if not isinstance(body, dict) or body.get("code") != "Ok":
        raise ValueError(f"routing answered {body.get('code') if isinstance(body, dict) else body}")
    rows = body.get("durations")
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], list):
        raise ValueError("routing answer has no durations")
    row = rows[0]
    if len(row) != count:
        raise ValueError(f"routing answered {len(row)} durations for {count} targets")
    out: list[float | None] = []
    for seconds in row:
        # OSRM answers null for a target it cannot reach.
        ok = isinstance(seconds, int | float) and math.isfinite(seconds) and seconds >= 0
        out.append(float(seconds) / 60.0 if ok else None)
    return out


class FakeRoadNetwork:
    """The fake for tests: a fixed speed over a Manhattan (east-west + north-south) metric.

    Roads rarely run straight at the scene, so the Manhattan distance orders places
    differently from the great circle — which is what tests need to see the road ETA win.
    ``unreachable`` targets answer ``None``; ``fail=True`` answers ``None`` for all, like the
    HTTP adapter when the service is down. ``calls`` records each request.
    """

    KM_PER_DEGREE_LAT = 110.574
    KM_PER_DEGREE_LON_EQUATOR = 111.320

    def __init__(
        self,
        speed_kmh: float = 30.0,
        *,
        unreachable: Sequence[LonLat] = (),
        fail: bool = False,
    ) -> None:
        self.speed_kmh = speed_kmh
        self.unreachable = {(round(lon, 6), round(lat, 6)) for lon, lat in unreachable}
        self.fail = fail
        self.calls: list[tuple[LonLat, list[LonLat]]] = []

    def km(self, origin: LonLat, target: LonLat) -> float:
        """Return the Manhattan distance in km between two points."""
        mid_lat = math.radians((origin[1] + target[1]) / 2)
        dx = abs(target[0] - origin[0]) * self.KM_PER_DEGREE_LON_EQUATOR * math.cos(mid_lat)
        dy = abs(target[1] - origin[1]) * self.KM_PER_DEGREE_LAT
        return dx + dy

    def durations(self, origin: LonLat, targets: list[LonLat]) -> list[float | None]:
        """Return minutes at ``speed_kmh`` over the Manhattan distance (``None`` if unreachable)."""
        self.calls.append((origin, list(targets)))
        if self.fail:
            return [None] * len(targets)
        return [
            None
            if (round(t[0], 6), round(t[1], 6)) in self.unreachable
            else self.km(origin, t) / self.speed_kmh * 60.0
            for t in targets
        ]
