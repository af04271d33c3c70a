"""One shape for every lifecycle: a transition table of (state, action, next state, who may, guard).

Pure (no I/O). A domain declares its machine in its ``rules.py``; services ask the machine for
the next state and pages ask it which actions a record offers. An illegal pair raises
:class:`IllegalTransition` (a :class:`~yingji.core.errors.Conflict`, 409) unless the machine
configures its own error factory, so each domain keeps the status and wording it had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from yingji.core.errors import Conflict, DomainError
from yingji.core.extensions import ExtensionPoint


class IllegalTransition(Conflict):
    """The action is not allowed from the current state (or not for this role/subject)."""

    def __init__(self, detail: str, machine: str, state: str, action: str) -> None:
        super().__init__(detail, code="illegal_transition")
        self.machine = machine
        self.state = state
        self.action = action


@dataclass(frozen=True, slots=True)
class Guard:
    """A named pure predicate over the subject; the description is what docs show."""

    name: str
    description: str
    check: Callable[[object], bool]

    def __call__(self, subject: object) -> bool:
        """Return whether the subject passes the guard."""
        return self.check(subject)


@dataclass(frozen=True, slots=True)
class Transition:
    """One row: from ``state``, ``action`` leads to ``next_state``.

    ``roles`` None means anyone the endpoint already admits; ``guard`` None means no extra
    condition.
    """

    state: str
    action: str
    next_state: str
    roles: frozenset[str] | None = None
    guard: Guard | None = None


ErrorFactory = Callable[["StateMachine", str, str], DomainError]


def _default_error(machine: StateMachine, state: str, action: str) -> DomainError:
    """Build the generic refusal: names the state and the action in Chinese when known."""
    state_zh = machine.state_labels.get(state, state)
    action_zh = machine.action_labels.get(action, action)
    return IllegalTransition(
        f"{machine.title_zh}当前为“{state_zh}”，不能{action_zh}", machine.name, state, action
    )


@dataclass(frozen=True)
class StateMachine:
    """A validated transition table with lookups for services, pages and docs."""

    name: str
    title_zh: str
    states: tuple[str, ...]
    transitions: tuple[Transition, ...]
    state_labels: dict[str, str] = field(default_factory=dict)
    action_labels: dict[str, str] = field(default_factory=dict)
    error: ErrorFactory = _default_error
    _index: dict[tuple[str, str], Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Normalise str enums to their values so lookups work with either.
        states = tuple(str(s) for s in self.states)
        object.__setattr__(self, "states", states)
        known = set(states)
        index: dict[tuple[str, str], Transition] = {}
        for t in self.transitions:
            for s in (t.state, t.next_state):
                if str(s) not in known:
                    raise ValueError(f"{self.name}: unknown state {s!r}")
            key = (str(t.state), str(t.action))
            if key in index:
                raise ValueError(f"{self.name}: duplicate transition {key!r}")
            index[key] = t
        object.__setattr__(self, "_index", index)

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action the table names, in first-seen order."""
        return tuple(dict.fromkeys(str(t.action) for t in self.transitions))

    def find(self, state: str, action: str) -> Transition | None:
        """Return the row for (state, action), or None when the table has none."""
        return self._index.get((str(state), str(action)))

    def refuse(self, state: str, action: str) -> DomainError:
        """Return (not raise) the error this machine gives for an illegal pair."""
        return self.error(self, str(state), str(action))

    def next_state(
        self, state: str, action: str, *, role: str | None = None, subject: object = None
    ) -> str:
        """Return the state after ``action``; raise the machine's error if it is illegal."""
        t = self.find(state, action)
        if t is None or (t.roles is not None and role is not None and role not in t.roles):
            raise self.refuse(state, action)
        if t.guard is not None and not t.guard(subject):
            raise self.refuse(state, action)
        return str(t.next_state)

    def allowed(self, state: str) -> frozenset[str]:
        """Return the states reachable from ``state`` in one step."""
        return frozenset(str(t.next_state) for t in self.transitions if str(t.state) == str(state))

    def actions_from(self, state: str, *, role: str | None = None) -> list[str]:
        """Return the actions offered from ``state`` (for pages), table order."""
        return [
            str(t.action)
            for t in self.transitions
            if str(t.state) == str(state) and (t.roles is None or role is None or role in t.roles)
        ]

    def table(self) -> list[tuple[str, str, str, str, str]]:
        """Return rows (state, action, next state, who may, guard) with labels for docs."""
        rows = []
        for t in self.transitions:
            rows.append(
                (
                    self._label(self.state_labels, t.state),
                    self._label(self.action_labels, t.action),
                    self._label(self.state_labels, t.next_state),
                    "、".join(sorted(t.roles)) if t.roles is not None else "任何可访问者",
                    t.guard.description if t.guard is not None else "",
                )
            )
        return rows

    @staticmethod
    def _label(labels: dict[str, str], key: str) -> str:
        """Render ``中文 (key)`` when a label exists, else the key."""
        zh = labels.get(str(key))
        return f"{zh} (`{key}`)" if zh else f"`{key}`"


def machine_rows(machines: Iterable[StateMachine]) -> list[StateMachine]:
    """Return the machines sorted by name (stable order for docs and tests)."""
    return sorted(machines, key=lambda m: m.name)


# Every domain contributes its machines here (in its manifest); tests and docs read them all.
STATE_MACHINES: ExtensionPoint[StateMachine] = ExtensionPoint(
    "state_machines", "Lifecycle transition tables, read by the docs generator and tests"
)


def render_markdown(machines: Iterable[StateMachine]) -> str:
    """Return docs/state-machines.md: one section per machine, its table in Markdown."""
    out = [
        "# State machines",
        "",
        "Generated by `yingji docs state-machines` from the machines the domains contribute to",
        "`STATE_MACHINES` (`core/statemachine.py`). Do not edit by hand; a test",
        "fails when this file and the code differ. Any (state, action) pair not listed is",
        "refused.",
        "",
    ]
    for m in machine_rows(machines):
        out += [
            f"## {m.title_zh} (`{m.name}`)",
            "",
            "| state | action | next state | who may | guard |",
            "| --- | --- | --- | --- | --- |",
        ]
        out += ["| " + " | ".join(row) + " |" for row in m.table()]
        out.append("")
    return "\n".join(out)
