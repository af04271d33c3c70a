"""A valid create payload per registry, placed at a given point.

The generic registry tests (scoping, Excel round trip) run over every registry in
``bootstrap.registries()``; each registry adds its sample here. ``point`` is (lon, lat).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Sample = Callable[[tuple[float, float], str], dict[str, Any]]


def shelter(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a shelter payload."""
    return {"name": f"避难场所{tag}", "shelter_class": "emergency", "effective_area_m2": "5000",
            "capacity_persons": 2000, "facilities": ["应急供水"], "longitude": point[0],
            "latitude": point[1]}


# registry name → payload factory. Non-sited registries receive the point too and should
# use it only to choose a division (see ``division_for``).
SAMPLES: dict[str, Sample] = {"shelters": shelter}


def division_for(point: tuple[float, float]) -> str:
    """Return the test district township holding ``point`` (for non-sited registries)."""
    return "500153001" if point[0] < 105.6 else "500153002"
