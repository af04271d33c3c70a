"""Pure hazard rules: the transition table, refusals, 五到位, roles, overdue, rate."""

from __future__ import annotations

from datetime import date

import pytest

from yingji.risks.hazards.rules import (
    ACTION_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    HazardAction,
    HazardConfig,
    HazardLevel,
    HazardState,
    config_from_settings,
    default_deadline,
    is_overdue,
    may_act,
    missing_plan_elements,
    next_state,
    rectification_rate,
    refusal,
)

ALLOWED = {
    ("reported", "confirm"): "confirmed",
    ("reported", "reject"): "rejected",
    ("confirmed", "start"): "rectifying",
    ("rectifying", "submit"): "submitted",
    ("submitted", "accept"): "closed",
    ("submitted", "return"): "rectifying",
    ("rejected", "reopen"): "reported",
    ("closed", "reopen"): "rectifying",
}


@pytest.mark.parametrize("state", list(HazardState))
@pytest.mark.parametrize("action", list(HazardAction))
def test_transition_table_is_exactly_the_loop(state, action):
    expected = ALLOWED.get((state.value, action.value))
    got = next_state(state, action)
    assert (got.value if got else None) == expected
    if expected is None:
        reason = refusal(state, action)
        assert STATE_LABELS[state] in reason
        assert ACTION_LABELS[action] in reason


def test_table_has_no_other_entries():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == ALLOWED


def test_missing_plan_elements_names_each():
    assert [k for k, _ in missing_plan_elements(None)] == [
        "measures",
        "responsible_person",
        "funds",
        "time_limit",
        "contingency_plan",
    ]
    plan = {"measures": "x", "responsible_person": " ", "funds": "1", "time_limit": "2026-01-01"}
    assert missing_plan_elements(plan) == [
        ("responsible_person", "责任"),
        ("contingency_plan", "预案"),
    ]


@pytest.mark.parametrize(
    ("role", "action", "kw", "allowed"),
    [
        ("township_officer", HazardAction.CONFIRM, {}, True),
        ("inspector", HazardAction.ACCEPT, {}, True),
        ("grid_member", HazardAction.CONFIRM, {}, False),
        ("enterprise_officer", HazardAction.ACCEPT, {"own_enterprise": True}, False),
        ("enterprise_officer", HazardAction.START, {"own_enterprise": True}, True),
        ("enterprise_officer", HazardAction.SUBMIT, {}, False),
        ("township_officer", HazardAction.START, {"has_enterprise": True}, False),
        ("township_officer", HazardAction.START, {"has_enterprise": False}, True),
        ("grid_member", HazardAction.SUBMIT, {"is_owner": True}, True),
        ("duty_officer", HazardAction.REOPEN, {"is_system": True}, True),
    ],
)
def test_roles(role, action, kw, allowed):
    assert may_act(role, action, **kw) is allowed


def test_overdue_only_while_the_owner_owes_the_work():
    today = date(2026, 6, 10)
    assert is_overdue(HazardState.RECTIFYING, date(2026, 6, 9), today)
    assert is_overdue(HazardState.CONFIRMED, date(2026, 6, 9), today)
    assert not is_overdue(HazardState.RECTIFYING, date(2026, 6, 10), today)
    assert not is_overdue(HazardState.SUBMITTED, date(2026, 6, 1), today)
    assert not is_overdue(HazardState.CLOSED, date(2026, 6, 1), today)
    assert not is_overdue(HazardState.RECTIFYING, None, today)


def test_default_deadline_and_rate():
    assert default_deadline(HazardLevel.GENERAL, date(2026, 6, 1)) == date(2026, 6, 8)
    assert default_deadline(HazardLevel.MAJOR, date(2026, 6, 1)) == date(2026, 7, 1)
    assert rectification_rate(0, 0) is None
    assert rectification_rate(3, 2) == 66.7


def test_config_from_settings():
    class Settings:
        hazard_general_days = 3
        hazard_major_days = None

    config = config_from_settings(Settings())
    assert (config.general_days, config.major_days) == (3, 30)
    assert config_from_settings(object()) == HazardConfig()
