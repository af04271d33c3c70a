"""Incident jobs: remind before and escalate after each reporting deadline (once each).

Progress lives in the deadline rows (``reminded_at``, ``escalated_at``), so running the job
twice, or on two workers one after the other, sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.incidents.service import check_deadlines


def run_deadlines(ctx: Any, now: datetime) -> int:
    """Send the reminders and escalations due at ``now``; return how many were sent."""
    with ctx.uow(system_actor("incidents.deadlines")) as uow:
        count = check_deadlines(uow, now)
        uow.commit()
    return count


JOBS = [Job("incidents.deadlines", 60, run_deadlines)]
