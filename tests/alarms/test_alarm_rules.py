"""Alarm rules without a database: the transition table, escalation steps, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yingji.alarms.rules import (
    TRANSITIONS,
    AlarmAction,
    AlarmState,
    EscalationConfig,
    ack_figures,
    chain_target,
    due_step,
    hazard_kind_for,
    is_higher,
    next_state,
)
from yingji.core.errors import Conflict

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("state", list(AlarmState))
@pytest.mark.parametrize("action", list(AlarmAction))
def test_every_pair_is_allowed_by_the_table_or_refused(
    state: AlarmState, action: AlarmAction
) -> None:
    expected = TRANSITIONS.get((state, action))
    if expected is None:
        with pytest.raises(Conflict):
            next_state(state.value, action)
    else:
        assert next_state(state.value, action) is expected


def test_cleared_is_final_except_promotion() -> None:
    allowed = {a for (s, a) in TRANSITIONS if s is AlarmState.CLEARED}
    assert allowed == {AlarmAction.PROMOTE}


def test_due_steps_one_at_a_time() -> None:
    config = EscalationConfig(minutes={"red": 5}, max_steps=3)
    assert due_step(T0, 0, "red", T0 + timedelta(minutes=4, seconds=59), config) is None
    assert due_step(T0, 0, "red", T0 + timedelta(minutes=5), config) == 1
    # A late run catches up one step only.
    assert due_step(T0, 0, "red", T0 + timedelta(hours=1), config) == 1
    assert due_step(T0, 1, "red", T0 + timedelta(minutes=9), config) is None
    assert due_step(T0, 1, "red", T0 + timedelta(minutes=10), config) == 2
    assert due_step(T0, 2, "red", T0 + timedelta(hours=1), config) is None  # max_steps
    # An unknown level uses the longest interval configured.
    assert EscalationConfig().interval("purple") == timedelta(minutes=60)


def test_chain_target_repeats_the_last_person() -> None:
    assert [chain_target(s, 3) for s in range(5)] == [0, 1, 2, 2, 2]
    assert chain_target(0, 0) is None


def test_figures_and_levels() -> None:
    assert ack_figures([]).median is None
    one = ack_figures([4.0])
    assert (one.median, one.p90) == (4.0, 4.0)
    five = ack_figures([10, 1, 3, 2, 4])
    assert (five.count, five.median, five.p90) == (5, 3, 7.6)
    assert is_higher("red", "orange")
    assert not is_higher("blue", "yellow")
    assert hazard_kind_for("gas_lel") == "hazmat"
    assert hazard_kind_for("water_level") == "flood"
    assert hazard_kind_for("pressure") == "other"


def test_escalation_config_from_settings() -> None:
    from types import SimpleNamespace

    from yingji.alarms.tasks import escalation_config

    assert escalation_config(SimpleNamespace()) == EscalationConfig()
    custom = escalation_config(
        SimpleNamespace(alarm_escalation_minutes='{"red": 2}', alarm_escalation_max_steps=4)
    )
    assert custom.interval("red") == timedelta(minutes=2)
    assert custom.interval("orange") == timedelta(minutes=10)
    assert custom.max_steps == 4
