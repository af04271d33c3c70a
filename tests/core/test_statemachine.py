"""The generic state machine: validation, errors, roles, guards, and every mounted machine."""

from __future__ import annotations

from enum import StrEnum

import pytest

from yingji.bootstrap import extensions
from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import (
    STATE_MACHINES,
    Guard,
    IllegalTransition,
    StateMachine,
    Transition,
)


class Door(StrEnum):
    OPEN = "open"
    SHUT = "shut"


def _door(**kw: object) -> StateMachine:
    return StateMachine(
        name="door",
        title_zh="门",
        states=tuple(Door),
        transitions=(
            Transition(Door.OPEN, "close", Door.SHUT),
            Transition(Door.SHUT, "open", Door.OPEN, roles=frozenset({"keeper"})),
            Transition(
                Door.SHUT,
                "kick",
                Door.OPEN,
                guard=Guard("strong", "踢门者力气足够", lambda s: bool(s)),
            ),
        ),
        state_labels={"open": "开", "shut": "关"},
        **kw,  # type: ignore[arg-type]
    )


def test_legal_and_illegal_pairs_with_enums_and_strings() -> None:
    m = _door()
    assert m.next_state(Door.OPEN, "close") == "shut"
    assert m.next_state("open", "close") == "shut"
    with pytest.raises(IllegalTransition) as err:
        m.next_state("open", "open")
    assert err.value.status == 409
    assert err.value.detail == "门当前为“开”，不能open"
    assert isinstance(err.value, Conflict)


def test_roles_and_guards() -> None:
    m = _door()
    assert m.next_state("shut", "open", role="keeper") == "open"
    assert m.next_state("shut", "open") == "open"  # None = whoever the endpoint admitted
    with pytest.raises(IllegalTransition):
        m.next_state("shut", "open", role="visitor")
    assert m.next_state("shut", "kick", subject=True) == "open"
    with pytest.raises(IllegalTransition):
        m.next_state("shut", "kick", subject=False)
    assert m.actions_from("shut", role="visitor") == ["kick"]
    assert m.allowed("shut") == frozenset({"open"})


def test_construction_refuses_unknown_states_and_duplicates() -> None:
    with pytest.raises(ValueError, match="unknown state"):
        StateMachine("x", "x", ("a",), (Transition("a", "go", "b"),))
    with pytest.raises(ValueError, match="duplicate"):
        StateMachine("x", "x", ("a", "b"), (Transition("a", "go", "b"), Transition("a", "go", "a")))


def test_error_factory_keeps_a_domain_wording() -> None:
    m = _door(error=lambda _m, s, a: DomainError(f"{s}/{a}", status=400))
    with pytest.raises(DomainError) as err:
        m.next_state("open", "open")
    assert (err.value.status, err.value.detail) == (400, "open/open")


def test_table_rows_for_docs() -> None:
    rows = _door().table()
    assert rows[0] == ("开 (`open`)", "`close`", "关 (`shut`)", "任何可访问者", "")
    assert rows[2][4] == "踢门者力气足够"


MACHINES = extensions().get(STATE_MACHINES)


def test_machines_are_registered_with_unique_names() -> None:
    names = [m.name for m in MACHINES]
    assert names
    assert len(names) == len(set(names))


def test_every_lifecycle_is_contributed() -> None:
    # Issue 9 item 6: alarms and hazards, then the ten hand-written tables converted after them.
    assert len(MACHINES) >= 12, sorted(m.name for m in MACHINES)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_pair_is_accepted_or_refused(machine: StateMachine) -> None:
    for state in machine.states:
        for action in machine.actions:
            row = machine.find(state, action)
            if row is None:
                with pytest.raises(DomainError) as err:
                    machine.next_state(state, action)
                assert err.value.status == machine.refuse(state, action).status
            elif row.roles is None and row.guard is None:
                assert machine.next_state(state, action) == str(row.next_state)


def test_generated_docs_match_the_machines() -> None:
    from pathlib import Path

    from yingji.core.statemachine import render_markdown

    committed = Path(__file__).parents[2] / "docs" / "state-machines.md"
    assert committed.read_text(encoding="utf-8") == render_markdown(MACHINES), (
        "docs/state-machines.md is stale: run `yingji docs state-machines`"
    )
