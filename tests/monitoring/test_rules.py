"""Pure rule tests: levels with duration, repetition, hysteresis, rate, accumulation, parsing."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.monitoring.payloads import parse_message, parse_timestamp
from yingji.monitoring.rules import (
    DEFAULT_RULES,
    GAS_RULE,
    RAINSTORM_RULE,
    AlarmRule,
    LevelSpec,
    RuleState,
    RuleType,
    Transition,
    effective_rules,
    is_silent,
    parse_rules,
    step,
    unit_matches,
)

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def run(
    rule: AlarmRule,
    values: list[float],
    every: float = 10.0,
    sums: list[dict[int, float]] | None = None,
) -> tuple[RuleState, list[Transition]]:
    state = RuleState()
    out = []
    for i, v in enumerate(values):
        state, t = step(
            rule, state, v, T0 + timedelta(seconds=every * i), sums[i] if sums else None
        )
        if t is not None:
            out.append(t)
    return state, out


def test_gas_setpoints_follow_gb_t_50493() -> None:
    # GB/T 50493-2019: 一级 ≤ 25 %LEL → orange, 二级 ≤ 50 %LEL → red.
    levels = {lv.level: lv.threshold for lv in GAS_RULE.levels}
    assert levels == {"orange": 25.0, "red": 50.0}
    _state, ts = run(GAS_RULE, [10, 26, 30, 55, 60])
    assert [(t.kind, t.level) for t in ts] == [("raised", "orange"), ("raised", "red")]


def test_duration_must_hold_before_raising() -> None:
    rule = GAS_RULE.model_copy(update={"for_seconds": 60})
    # 10 s apart: above 50 from t=10 s; red needs 60 s → raised at t=70 s, once.
    state, ts = run(rule, [10] + [55] * 10)
    assert [(t.kind, t.level) for t in ts] == [("raised", "red")]
    assert state.active_level == "red"
    # A dip below the threshold restarts the duration.
    _s, ts2 = run(rule, [55, 55, 55, 10, 55, 55, 55, 55, 55, 55])
    assert ts2 == []


def test_repeat_in_a_row() -> None:
    rule = GAS_RULE.model_copy(update={"repeat": 3})
    assert run(rule, [30, 30, 10, 30, 30])[1] == []
    assert [t.level for t in run(rule, [30, 30, 30])[1]] == ["orange"]


def test_hysteresis_clears_only_below_threshold_minus_band() -> None:
    rule = GAS_RULE.model_copy(update={"hysteresis": 5.0})
    _s, ts = run(rule, [30, 24, 21, 19.9])
    assert [(t.kind, t.level) for t in ts] == [("raised", "orange"), ("cleared", None)]
    # red → orange when below 50-5 but still above 25-5
    _s, ts = run(rule, [60, 46, 44, 30])
    assert [(t.kind, t.level) for t in ts] == [("raised", "red"), ("raised", "orange")]


def test_no_event_per_reading_while_condition_persists() -> None:
    _s, ts = run(GAS_RULE, [60] * 100)
    assert len(ts) == 1


def test_below_direction() -> None:
    rule = AlarmRule(
        key="low",
        metric="level",
        direction="below",
        levels=(LevelSpec(level="yellow", label="低液位", threshold=1.0),),
        hysteresis=0.2,
    )
    _s, ts = run(rule, [2, 0.9, 1.1, 1.3])
    assert [(t.kind, t.level) for t in ts] == [("raised", "yellow"), ("cleared", None)]


def test_rate_of_change() -> None:
    rule = AlarmRule(
        key="rise",
        metric="water_level",
        type=RuleType.RATE,
        rate_per_seconds=3600,
        levels=(LevelSpec(level="orange", label="水位快速上涨", threshold=0.5),),
    )
    # every 10 min: +0.05 m (0.3 m/h), then +0.1 m (0.6 m/h)
    _s, ts = run(rule, [1.0, 1.05, 1.10, 1.20, 1.30], every=600)
    assert [(t.level, round(t.watched, 2)) for t in ts] == [("orange", 0.6)]


def test_rainstorm_orange_on_3h_accumulation() -> None:
    # 中国气象局令第16号: 3 h ≥ 50 mm → orange; 12 h ≥ 50 → blue, 6 h → yellow.
    h = 3600
    sums = [
        {3 * h: 20, 6 * h: 20, 12 * h: 20},
        {3 * h: 52, 6 * h: 52, 12 * h: 52},
        {3 * h: 101, 6 * h: 120, 12 * h: 120},
    ]
    _s, ts = run(RAINSTORM_RULE, [20, 32, 49], every=1800, sums=sums)
    assert [t.level for t in ts] == ["orange", "red"]
    assert ts[0].label == "暴雨橙色"


def test_readings_not_newer_are_ignored() -> None:
    state, _ = run(GAS_RULE, [60])
    same, t = step(GAS_RULE, state, 0.0, T0)
    assert t is None
    assert same.active_level == "red"


def test_effective_rules_device_override_by_key() -> None:
    override = GAS_RULE.model_copy(update={"for_seconds": 30})
    rules = effective_rules("combustible_gas", None, [override])
    assert rules == [override]
    assert effective_rules("combustible_gas", [], None) == []
    assert effective_rules("tank", None, None) == list(DEFAULT_RULES["tank"])


def test_parse_rules_rejects_bad_config() -> None:
    with pytest.raises(ValueError, match="levels"):
        parse_rules([{"key": "x", "metric": "gas", "levels": []}])
    with pytest.raises(ValueError, match="window_seconds"):
        parse_rules(
            [
                {
                    "key": "x",
                    "metric": "r",
                    "type": "accumulation",
                    "levels": [{"level": "red", "label": "x", "threshold": 1}],
                }
            ]
        )
    assert parse_rules([GAS_RULE.model_dump(mode="json")]) == [GAS_RULE]


def test_silence_and_units() -> None:
    assert is_silent(T0, T0, 60, T0 + timedelta(seconds=121))
    assert not is_silent(T0, T0, 60, T0 + timedelta(seconds=119))
    assert unit_matches("%LEL", "%lel")
    assert unit_matches("°C", "℃")
    assert unit_matches("m", None)
    assert not unit_matches("%LEL", "ppm")


def test_parse_message_shapes_and_reasons() -> None:
    now = T0
    p = parse_message(
        b'{"metric":"gas","value":1.5,"ts":"2026-06-01T01:59:00Z"}', now, device_code="G1"
    )
    assert [(r.device_code, r.value) for r in p.readings] == [("G1", 1.5)]
    p = parse_message(b'{"ts":1780279200,"values":{"gas":3,"t":"x"}}', now, device_code="G1")
    assert len(p.readings) == 1
    assert [r.reason for r in p.rejections] == ["non_numeric"]
    p = parse_message(
        b'{"readings":[{"metric":"gas","value":NaN},{"metric":"gas","value":2}]}',
        now,
        device_code="G1",
    )
    assert len(p.readings) == 1
    assert p.rejections[0].reason == "not_finite"
    assert parse_message(b"{not json", now).rejections[0].reason == "malformed_json"
    assert parse_message(b'"x"', now).rejections[0].reason == "bad_format"
    p = parse_message([{"device": "G2", "metric": "gas", "value": 1}], now, device_code="G1")
    assert p.rejections[0].reason == "unknown_device"


@given(st.one_of(st.floats(allow_nan=True), st.text(), st.integers(), st.none(), st.booleans()))
def test_parse_never_raises(value: object) -> None:
    p = parse_message({"metric": "gas", "value": value, "ts": value}, T0, device_code="G")
    for r in p.readings:
        assert math.isfinite(r.value)


def test_timestamp_forms() -> None:
    assert parse_timestamp(1780279200000, T0) == parse_timestamp(1780279200, T0)
    assert parse_timestamp("2026-06-01T10:00:00+08:00", T0) == T0 + timedelta(hours=0)
    assert parse_timestamp("nonsense", T0) is None
    assert parse_timestamp(None, T0) == T0
