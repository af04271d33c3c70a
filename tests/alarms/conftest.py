"""Fixtures for alarm tests: duty people with tokens."""

from __future__ import annotations

from typing import Any

import pytest

from duty.helpers import make_people


@pytest.fixture
def people(ctx: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Return (ids, tokens) of six duty people (officer/backup/leader 1 and 2)."""
    return make_people(ctx)
