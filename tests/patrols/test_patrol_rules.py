"""Pure patrol rules: the public report state table, rewards, tracking codes, distances."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest

from yingji.patrols.rules import (
    REPORT_TRANSITIONS,
    TRACKING_CODE_LENGTH,
    ReportAction,
    ReportState,
    RewardState,
    distance_m,
    new_tracking_code,
    next_report_state,
    normalise_tracking_code,
    reward_problem,
    township_of,
    track_length_m,
    transition_refusal,
)

ALLOWED = {
    ("received", "verify"): "verified",
    ("received", "dismiss"): "unfounded",
    ("verified", "reply"): "replied",
    ("unfounded", "reply"): "replied",
}


@pytest.mark.parametrize(("state", "action"), list(product(ReportState, ReportAction)))
def test_every_state_action_pair(state: ReportState, action: ReportAction) -> None:
    expected = ALLOWED.get((state.value, action.value))
    got = next_report_state(state, action)
    assert (got.value if got else None) == expected
    if got is None:
        assert "不能" in transition_refusal(state, action)


def test_table_has_no_exit_from_replied() -> None:
    assert not [k for k in REPORT_TRANSITIONS if k[0] is ReportState.REPLIED]


CAP = Decimal("300000")


@pytest.mark.parametrize(
    ("verified", "state", "amount", "problem"),
    [
        (False, RewardState.NONE, Decimal("100"), "核实属实"),
        (True, RewardState.PAID, Decimal("100"), "已发放"),
        (True, RewardState.NONE, Decimal("0"), "大于 0"),
        (True, RewardState.NONE, Decimal("300000.01"), "不能超过"),
        (True, RewardState.NONE, Decimal("300000"), None),
        (True, RewardState.GRANTED, Decimal("0.01"), None),
    ],
)
def test_reward_problems(
    verified: bool, state: RewardState, amount: Decimal, problem: str | None
) -> None:
    found = reward_problem(verified, state, amount, CAP)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_tracking_codes() -> None:
    codes = {new_tracking_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == TRACKING_CODE_LENGTH
        assert not set(code) & set("01OIL")
    assert normalise_tracking_code(" ab-cd ef23 ") == "ABCDEF23"


def test_distances() -> None:
    # One degree of latitude is about 111.2 km anywhere.
    assert distance_m(105.55, 29.0, 105.55, 30.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(105.55, 29.42, 105.55, 29.42) == 0
    square = [(105.55, 29.42), (105.55, 29.43), (105.56, 29.43)]
    assert track_length_m(square) == pytest.approx(
        distance_m(*square[0], *square[1]) + distance_m(*square[1], *square[2])
    )
    assert track_length_m(square[:1]) == 0
    assert township_of("500153001001") == "500153001"
