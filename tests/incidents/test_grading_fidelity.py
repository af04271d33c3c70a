"""Grading as officials grade: missing persons count with the deaths (a setting), and losses
to the yuan (4 places of 万元) are stored and compared exactly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from yingji.core.clock import FixedClock
from yingji.incidents.rules import (
    PLATFORM_GRADING,
    Casualties,
    grade_accident,
    grading_from_settings,
)
from yingji.settings import Settings

from .test_incidents_api import BASE, body, create


def test_pingyi_gypsum_mine_grades_major() -> None:
    # 山东平邑 2015-12-25 石膏矿坍塌: 1 dead, 13 missing, officially 重大事故.
    pingyi = Casualties(deaths=1, missing=13)
    assert grade_accident(pingyi, PLATFORM_GRADING).grade.value == "major"
    assert grade_accident(pingyi, grading_from_settings(Settings())).grade.value == "major"


def test_the_setting_switches_missing_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YINGJI_GRADING_COUNT_MISSING", "false")
    config = grading_from_settings(Settings())
    assert grade_accident(Casualties(deaths=1, missing=13), config).grade.value == "ordinary"


def test_intake_counts_missing_by_default(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user, type="mine", deaths=1, missing=13, injuries=0, direct_loss_wan_yuan=0)
    assert inc["grade"] == "major"
    assert inc["grade_by_criterion"]["deaths"] == "major"
    assert (inc["deaths"], inc["missing"]) == (1, 13)  # both figures kept apart


def test_intake_and_update_follow_the_setting(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    ctx.settings.grading_count_missing = False
    inc = create(as_user, type="mine", deaths=1, missing=13, injuries=0, direct_loss_wan_yuan=0)
    assert inc["grade"] == "ordinary"
    ctx.settings.grading_count_missing = True
    r = as_user("duty").patch(
        f"{BASE}/{inc['id']}/casualties",
        json={"deaths": 2, "missing": 12, "reason": "搜救确认1人遇难"},
    )
    assert r.status_code in (200, 201), r.text
    assert as_user("duty").get(f"{BASE}/{inc['id']}").json()["grade"] == "major"


def test_loss_to_the_yuan_is_stored_exactly(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user, deaths=0, injuries=0, direct_loss_wan_yuan="373.9228")
    got = as_user("duty").get(f"{BASE}/{inc['id']}").json()
    assert Decimal(str(got["direct_loss_wan_yuan"])) == Decimal("373.9228")


def test_loss_bounds_compare_exactly(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    below = create(as_user, deaths=0, injuries=0, direct_loss_wan_yuan="999.9999")
    at = create(as_user, deaths=0, injuries=0, direct_loss_wan_yuan="1000.0000")
    assert (below["grade"], at["grade"]) == ("ordinary", "large")
    r = as_user("duty").post(BASE, json=body(direct_loss_wan_yuan="373.92281"))
    assert r.status_code == 422  # beyond the yuan: refused, not rounded
