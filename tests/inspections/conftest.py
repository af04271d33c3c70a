"""Fixtures for inspection tests: a fixed clock, four more officers, the baseline plan."""

from __future__ import annotations

from typing import Any

import pytest

from inspections.helpers import add_inspectors
from yingji.core.clock import FixedClock


@pytest.fixture
def fixed(ctx: Any, clock: FixedClock) -> FixedClock:
    """Put the context on the fixed clock (2026-06-01 10:00 local) and return it."""
    ctx.clock = clock
    return clock


@pytest.fixture
def officers(ctx: Any, ids: dict[str, int]) -> dict[str, int]:
    """Return the ids of five inspectors: the baseline ``inspector`` and insp1..insp4."""
    found = add_inspectors(ctx, ["insp1", "insp2", "insp3", "insp4"])
    return {"inspector": ids["user:inspector"], **found}
