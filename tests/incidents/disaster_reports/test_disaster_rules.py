"""Disaster-report rules: every validation rule fails with a clear message (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from yingji.incidents.disaster_reports.rules import (
    ReportKind,
    check_against_previous,
    check_figures,
    next_due,
    next_kind_problem,
    sum_figures,
)

D = Decimal
BASE = {"affected_population": D(1000), "injured": D(10), "relocated": D(200)}


@pytest.mark.parametrize(
    ("extra", "field", "reason"),
    [
        ({"deaths": D(1001)}, "deaths", "因灾死亡人口不能超过受灾人口"),
        ({"missing": D(1001)}, "missing", "因灾失踪人口不能超过受灾人口"),
        ({"injured": D(1001)}, "injured", "因灾受伤人口不能超过受灾人口"),
        ({"seriously_injured": D(11)}, "seriously_injured", "重伤人口不能超过受伤人口"),
        ({"relocated": D(1001)}, "relocated", "紧急转移安置人口不能超过受灾人口"),
        ({"relocated_now": D(201)}, "relocated_now", "实时安置人口不能超过累计安置人口"),
        ({"needing_relief": D(1001)}, "needing_relief", "需紧急生活救助人口不能超过受灾人口"),
        (
            {"crop_affected_ha": D(10), "crop_damaged_ha": D(11)},
            "crop_damaged_ha",
            "成灾面积不能超过受灾面积",
        ),
        (
            {"crop_affected_ha": D(10), "crop_damaged_ha": D(5), "crop_failed_ha": D(6)},
            "crop_failed_ha",
            "绝收面积不能超过成灾面积",
        ),
        (
            {"relocated_centralised": D(150), "relocated_dispersed": D(60)},
            "relocated_centralised",
            "集中安置与分散安置之和不能超过紧急转移安置人口",
        ),
        (
            {
                "direct_loss_wan_yuan": D(100),
                "loss_housing_wan_yuan": D(60),
                "loss_other_wan_yuan": D("40.01"),
            },
            "direct_loss_wan_yuan",
            "各分项经济损失之和不能超过直接经济损失",
        ),
        ({"deaths": D(-1)}, "deaths", "因灾死亡人口不能为负数"),
        ({"deaths": D("1.5")}, "deaths", "因灾死亡人口应为整数（人）"),
        ({"rainfall": D(1)}, "rainfall", "不是灾情统计指标"),
    ],
)
def test_each_rule_names_field_and_reason(extra, field, reason):
    problems = check_figures(BASE | extra)
    assert [(p.field, p.reason) for p in problems] == [(field, reason)]


def test_consistent_figures_pass():
    figures = BASE | {
        "deaths": D(2),
        "seriously_injured": D(3),
        "relocated_now": D(120),
        "relocated_centralised": D(150),
        "relocated_dispersed": D(50),
        "crop_affected_ha": D("12.5"),
        "crop_damaged_ha": D("12.5"),
        "crop_failed_ha": D(3),
        "direct_loss_wan_yuan": D(100),
        "loss_housing_wan_yuan": D(100),
    }
    assert check_figures(figures) == []


def test_cumulative_values_never_decrease_without_a_reason():
    previous = {"affected_population": D(1000), "relocated_now": D(300)}
    now = {"affected_population": D(900), "relocated_now": D(100)}
    (problem,) = check_against_previous(now, previous, None)
    assert problem.field == "affected_population"
    assert "累计值" in problem.reason
    assert "更正原因" in problem.reason
    # The real-time figure may fall; a correction with a reason may lower a cumulative one.
    assert check_against_previous(now, previous, "核实重复统计") == []


def test_sequence_one_initial_then_updates_then_one_verified():
    assert next_kind_problem(ReportKind.UPDATE, []) == "请先报送初报"
    assert next_kind_problem(ReportKind.INITIAL, []) is None
    assert (
        next_kind_problem(ReportKind.INITIAL, [ReportKind.INITIAL])
        == "本乡镇已报送初报，请报送续报"
    )
    assert next_kind_problem(ReportKind.VERIFIED, [ReportKind.INITIAL]) is None
    assert (
        next_kind_problem(ReportKind.UPDATE, [ReportKind.INITIAL, ReportKind.VERIFIED])
        == "本乡镇已报送核报，不能再报送"
    )


def test_deadlines_initial_two_hours_then_daily_or_ten_days_for_drought():
    start = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    assert next_due(start, "flood", [], stabilised=False).due_at == start + timedelta(hours=2)
    sent = [(ReportKind.INITIAL, start + timedelta(hours=1))]
    assert next_due(start, "flood", sent, stabilised=False).due_at == start + timedelta(hours=25)
    assert next_due(start, "drought", sent, stabilised=False).due_at == start + timedelta(
        days=10, hours=1
    )
    assert next_due(start, "flood", sent, stabilised=True).kind is ReportKind.VERIFIED
    done = [*sent, (ReportKind.VERIFIED, start + timedelta(days=3))]
    assert next_due(start, "flood", done, stabilised=True) is None


def test_sum_figures_adds_field_by_field():
    assert sum_figures([{"deaths": D(1)}, {"deaths": D(2), "missing": D(1)}]) == {
        "deaths": D(3),
        "missing": D(1),
    }
