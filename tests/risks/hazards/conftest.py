"""Fixtures for hazard tests."""

from __future__ import annotations

from typing import Any

import pytest

from risks.hazards.helpers import seed_hazard


@pytest.fixture
def make_hazard(ctx: Any) -> Any:
    """Return ``make(state="reported", **report fields) -> id``."""
    return lambda state="reported", **extra: seed_hazard(ctx, state, **extra)
