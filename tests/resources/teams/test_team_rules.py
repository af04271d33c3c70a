"""Rescue team rules: the status transition table, pair by pair, and equipment ownership."""

from __future__ import annotations

import itertools

import pytest

from yingji.resources.teams.rules import (
    TEAM_STATUS_LABELS,
    TeamStatus,
    can_change_status,
    owner_problem,
    status_change_problem,
)

S, D, U = TeamStatus.STANDBY, TeamStatus.DEPLOYED, TeamStatus.UNAVAILABLE

# Every ordered pair of states: standby↔deployed, anything→unavailable, unavailable→standby,
# and staying put is not a change.
ALLOWED = {
    (S, S): True,
    (S, D): True,
    (S, U): True,
    (D, S): True,
    (D, D): True,
    (D, U): True,
    (U, S): True,
    (U, D): False,
    (U, U): True,
}


def test_the_table_covers_every_pair():
    assert set(ALLOWED) == set(itertools.product(TeamStatus, repeat=2))


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_transition(current, target):
    assert can_change_status(current, target) is ALLOWED[(current, target)]
    problem = status_change_problem(current.value, target.value)
    assert (problem is None) is ALLOWED[(current, target)]


def test_refusal_says_what_is_allowed():
    problem = status_change_problem("unavailable", "deployed")
    assert problem is not None
    for label in ("不可用", "出动", "待命"):
        assert label in problem


def test_every_status_has_a_label():
    assert set(TEAM_STATUS_LABELS) == {s.value for s in TeamStatus}


@pytest.mark.parametrize(
    ("team", "department", "ok"),
    [
        (1, None, True),
        (None, "区应急管理局", True),
        (1, "区应急管理局", True),
        (None, None, False),
        (None, "  ", False),
    ],
)
def test_equipment_needs_an_owner(team, department, ok):
    assert (owner_problem(team, department) is None) is ok
