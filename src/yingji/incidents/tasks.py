"""Incident jobs: remind before and escalate after each reporting deadline (once each), and
chase 补报 / 升级上报 tasks left open past their due time.

Progress lives in the deadline rows (``reminded_at``, ``escalated_at``), so running the job
twice, or on two workers one after the other, sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.incidents.service import chase_overdue_tasks, check_deadlines


def run_deadlines(ctx: Any, now: datetime) -> int:
    """Send the reminders and escalations due at ``now``; return how many were sent."""
    with ctx.uow(system_actor("incidents.deadlines")) as uow:
        count = check_deadlines(uow, now)
        # 补报 and 升级上报 tasks past their due time are chased the same way, once each.
        count += chase_overdue_tasks(uow, now)
        uow.commit()
    return count


JOBS = [Job("incidents.deadlines", 60, run_deadlines)]
