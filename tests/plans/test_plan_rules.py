"""Plan rules: criteria and level matching, task transitions, drill and evaluation dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yingji.plans.rules import (
    TASK_TRANSITIONS,
    Criteria,
    Situation,
    match_levels,
    plan_flags,
    task_transition,
)

LEVELS = {
    4: Criteria(event_types=("hazmat",), min_injuries=1),
    3: Criteria(event_types=("hazmat",), min_deaths=3, min_grade="large"),
    2: Criteria(min_loss_wan_yuan=Decimal(5000)),
}


def test_highest_level_met_wins_with_reasons():
    found = match_levels("special", LEVELS, Situation(event_type="hazmat", deaths=3, injuries=2))
    assert found is not None
    assert int(found.level) == 3
    assert found.reasons == ["死亡 3 人，达到 3 人的启动条件"]


def test_event_type_narrows_and_thresholds_are_alternatives():
    assert match_levels("special", LEVELS, Situation(event_type="fire", injuries=5)) is None
    found = match_levels("special", LEVELS, Situation(event_type="hazmat", grade="large"))
    assert found is not None
    assert int(found.level) == 3
    loss = match_levels("special", LEVELS, Situation(loss_wan_yuan=Decimal(5000)))
    assert loss is not None
    assert int(loss.level) == 2


def test_area_limits_a_level():
    levels = {4: Criteria(min_injuries=1, division_codes=("500153001",))}
    assert match_levels("overall", levels, Situation(injuries=1, division_code="500153002")) is None
    assert match_levels("overall", levels, Situation(injuries=1, division_code="500153001001"))


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        (s, a, s in TASK_TRANSITIONS[a][0])
        for s in ("assigned", "read", "acknowledged", "in_progress", "done")
        for a in TASK_TRANSITIONS
    ],
)
def test_task_transition_table(state, action, allowed):
    if allowed:
        assert task_transition(state, action) == TASK_TRANSITIONS[action][1]
    else:
        with pytest.raises(ValueError, match="不能"):
            task_transition(state, action)


def test_drill_and_evaluation_due_dates():
    flags = plan_flags("onsite", date(2025, 1, 1), None, None, date(2025, 8, 1))
    assert flags.drill_due == date(2025, 7, 1)  # 现场处置方案: every half year
    assert flags.drill_overdue
    assert flags.evaluation_due == date(2028, 1, 1)
    assert not flags.evaluation_overdue
    later = plan_flags(
        "special", date(2020, 1, 1), date(2024, 1, 1), date(2025, 1, 1), date(2026, 6, 1)
    )
    assert later.evaluation_due == date(2027, 1, 1)
    assert not later.evaluation_overdue
    assert later.drill_due == date(2027, 1, 1)


def test_add_months_clamps_to_month_end():
    from yingji.plans.rules import add_months

    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
