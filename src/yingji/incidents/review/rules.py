"""Review rules (pure): response times and task completion from the record of an incident.

The measures the 004 work plan asks a 复盘 to report: how long from intake to the first
report sent upward, to plan activation, and to the first rescue team on scene; how many
plan tasks were done, and how many on time; how many reporting deadlines were met on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """A plan task at review time."""

    due_at: datetime
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeadlineOutcome:
    """A reporting deadline at review time."""

    due_at: datetime
    met_at: datetime | None


@dataclass(frozen=True, slots=True)
class Measures:
    """The review's figures (minutes; None when the step never happened)."""

    minutes_to_first_report: float | None
    minutes_to_activation: float | None
    minutes_to_first_team_on_scene: float | None
    tasks_total: int
    tasks_done: int
    tasks_on_time: int
    deadlines_total: int
    deadlines_met_on_time: int


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def measure(
    received_at: datetime,
    first_report_sent: datetime | None,
    first_activation: datetime | None,
    first_team_on_scene: datetime | None,
    tasks: list[TaskOutcome],
    deadlines: list[DeadlineOutcome],
) -> Measures:
    """Return the review measures of one incident."""
    return Measures(
        minutes_to_first_report=_minutes(received_at, first_report_sent),
        minutes_to_activation=_minutes(received_at, first_activation),
        minutes_to_first_team_on_scene=_minutes(received_at, first_team_on_scene),
        tasks_total=len(tasks),
        tasks_done=sum(1 for t in tasks if t.done_at is not None),
        tasks_on_time=sum(1 for t in tasks if t.done_at is not None and t.done_at <= t.due_at),
        deadlines_total=len(deadlines),
        deadlines_met_on_time=sum(
            1 for d in deadlines if d.met_at is not None and d.met_at <= d.due_at
        ),
    )
