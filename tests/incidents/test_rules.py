"""Pure incident rules: 493 grading at every boundary, mixed criteria, windows, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from yingji.incidents.rules import (
    NATIONAL_RULES,
    Anchor,
    Casualties,
    DeadlineState,
    GradingConfig,
    ReportingRule,
    deadline_state,
    due_at,
    effective_rules,
    grade_accident,
    remind_at,
    rule_applies,
    type_problem,
    within_supplement_window,
)


@pytest.mark.parametrize(
    ("deaths", "grade"),
    [
        (0, "ordinary"),
        (2, "ordinary"),
        (3, "large"),
        (9, "large"),
        (10, "major"),
        (29, "major"),
        (30, "extraordinary"),
        (31, "extraordinary"),
    ],
)
def test_deaths_boundaries(deaths: int, grade: str) -> None:
    assert grade_accident(Casualties(deaths=deaths)).grade.value == grade


@pytest.mark.parametrize(
    ("serious", "grade"),
    [
        (9, "ordinary"),
        (10, "large"),
        (49, "large"),
        (50, "major"),
        (99, "major"),
        (100, "extraordinary"),
    ],
)
def test_serious_injury_boundaries(serious: int, grade: str) -> None:
    assert grade_accident(Casualties(serious_injuries=serious)).grade.value == grade


@pytest.mark.parametrize(
    ("loss", "grade"),
    [
        ("999.99", "ordinary"),
        ("1000", "large"),
        ("4999.99", "large"),
        ("5000", "major"),
        ("9999.99", "major"),
        ("10000", "extraordinary"),
    ],
)
def test_loss_boundaries(loss: str, grade: str) -> None:
    assert grade_accident(Casualties(direct_loss_wan_yuan=Decimal(loss))).grade.value == grade


@pytest.mark.parametrize(
    ("casualties", "grade", "by"),
    [
        # 2 deaths (一般) but 10 serious injuries (较大): the higher wins.
        (Casualties(deaths=2, serious_injuries=10), "large", ("ordinary", "large", "ordinary")),
        # 9 deaths (较大) and loss 5000 万元 (重大).
        (
            Casualties(deaths=9, direct_loss_wan_yuan=Decimal(5000)),
            "major",
            ("large", "ordinary", "major"),
        ),
        # 0 deaths, 100 serious injuries → 特别重大 whatever the rest says.
        (
            Casualties(serious_injuries=100, direct_loss_wan_yuan=Decimal("999.99")),
            "extraordinary",
            ("ordinary", "extraordinary", "ordinary"),
        ),
        # 30 deaths, small loss.
        (
            Casualties(deaths=30, serious_injuries=9),
            "extraordinary",
            ("extraordinary", "ordinary", "ordinary"),
        ),
        # Acute industrial poisoning counts as 重伤: 6 + 4 = 10 → 较大.
        (
            Casualties(serious_injuries=6, acute_poisoning=4),
            "large",
            ("ordinary", "large", "ordinary"),
        ),
        # Missing persons do not count as deaths by default: 2 dead + 5 missing stays 一般.
        (Casualties(deaths=2, missing=5), "ordinary", ("ordinary", "ordinary", "ordinary")),
        # Other (light) injuries never count.
        (Casualties(injuries=500), "ordinary", ("ordinary", "ordinary", "ordinary")),
    ],
)
def test_mixed_criteria_highest_wins(
    casualties: Casualties, grade: str, by: tuple[str, ...]
) -> None:
    result = grade_accident(casualties)
    assert result.grade.value == grade
    assert (
        result.by_criterion["deaths"].value,
        result.by_criterion["serious_injuries"].value,
        result.by_criterion["direct_loss_wan_yuan"].value,
    ) == by


def test_missing_as_deaths_is_configurable() -> None:
    config = GradingConfig(missing_count_as_deaths=True)
    assert grade_accident(Casualties(deaths=2, missing=1), config).grade.value == "large"


def test_type_must_match_category() -> None:
    assert type_problem("accident", "fire") is None
    assert type_problem("natural_disaster", "fire") is not None
    assert type_problem("accident", "nonsense") is not None


def test_supplement_windows() -> None:
    t0 = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    assert within_supplement_window("hazmat", t0, t0 + timedelta(days=10))
    assert within_supplement_window("hazmat", t0, t0 + timedelta(days=30))
    assert not within_supplement_window("hazmat", t0, t0 + timedelta(days=30, seconds=1))
    assert within_supplement_window("road_traffic", t0, t0 + timedelta(days=7))
    assert not within_supplement_window("road_traffic", t0, t0 + timedelta(days=8))
    assert not within_supplement_window("fire", t0, t0 + timedelta(days=8))


def test_rules_by_grade_and_overrides() -> None:
    rules = {r.key: r for r in NATIONAL_RULES}
    assert rule_applies(rules["district_report"], "accident", "ordinary")
    assert rule_applies(rules["district_report"], "natural_disaster", None)
    assert not rule_applies(rules["city_report"], "accident", "ordinary")
    assert rule_applies(rules["city_report"], "accident", "large")
    assert not rule_applies(rules["province_report"], "accident", "large")
    assert rule_applies(rules["province_report"], "accident", "extraordinary")
    phone = ReportingRule("phone_report", "电话报告", "市应急管理局", 15, min_grade="major")
    off = ReportingRule("city_report", "x", "y", 1, active=False)
    merged = {r.key for r in effective_rules([phone, off])}
    assert "phone_report" in merged
    assert "city_report" not in merged


def test_due_remind_and_state() -> None:
    occurred = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    received = occurred + timedelta(minutes=20)
    unit = ReportingRule("u", "u", "x", 60, anchor=Anchor.OCCURRED)
    district = ReportingRule("d", "d", "x", 120, remind_before_minutes=30)
    assert due_at(unit, occurred, received) == occurred + timedelta(hours=1)
    due = due_at(district, occurred, received)
    assert due == received + timedelta(hours=2)
    assert remind_at(district, due) == due - timedelta(minutes=30)
    # A 15-minute rule reminds at half time, not before it starts.
    short = ReportingRule("p", "p", "x", 15, remind_before_minutes=30)
    assert remind_at(short, received + timedelta(minutes=15)) == received + timedelta(minutes=8)
    rem = remind_at(district, due)
    assert deadline_state(due, rem, None, rem - timedelta(seconds=1)) is DeadlineState.PENDING
    assert deadline_state(due, rem, None, rem) is DeadlineState.DUE_SOON
    assert deadline_state(due, rem, None, due + timedelta(seconds=1)) is DeadlineState.OVERDUE
    assert deadline_state(due, rem, due, due + timedelta(hours=1)) is DeadlineState.MET
    assert deadline_state(due, rem, due + timedelta(seconds=1), due) is DeadlineState.MET_LATE
