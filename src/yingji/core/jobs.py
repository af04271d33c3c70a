"""Periodic jobs: escalations, reminders, no-data checks, delivery retries.

A job is a plain function ``fn(ctx, now) -> int`` (the number of things it did). Jobs keep
their progress in the database (e.g. "escalated for this deadline"), never in memory, so a
restarted worker resumes and running a job twice does nothing twice. Tests call a job
directly with a fake clock; the ``yingji worker`` loop runs every registered job when due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the context holds the job registry: only the type is needed here
    from yingji.core.web.context import AppContext

JobFn = Callable[["AppContext", datetime], int]


@dataclass(frozen=True, slots=True)
class Job:
    """A named periodic job and how often the worker runs it."""

    name: str
    every_seconds: float
    fn: JobFn


class JobRegistry:
    """The jobs of this process, filled by ``bootstrap`` from each domain's ``tasks.JOBS``."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._last_run: dict[str, float] = {}

    def add(self, job: Job) -> None:
        """Register ``job`` (a second job with the same name replaces the first)."""
        self._jobs[job.name] = job

    def get(self, name: str) -> Job:
        """Return the job called ``name`` (KeyError when unknown)."""
        return self._jobs[name]

    def names(self) -> list[str]:
        """Return the registered job names, sorted."""
        return sorted(self._jobs)

    def run_due(self, ctx: AppContext, now: datetime, monotonic: float) -> dict[str, int]:
        """Run every job whose interval has passed since its last run; return counts."""
        done: dict[str, int] = {}
        for name, job in sorted(self._jobs.items()):
            last = self._last_run.get(name)
            if last is not None and monotonic - last < job.every_seconds:
                continue
            self._last_run[name] = monotonic
            done[name] = job.fn(ctx, now)
        return done

    def run_all(self, ctx: AppContext, now: datetime) -> dict[str, int]:
        """Run every job once regardless of interval (tests, ``worker --once``)."""
        return {name: job.fn(ctx, now) for name, job in sorted(self._jobs.items())}
