"""Hazard jobs: the overdue escalation (once per deadline; progress kept on the hazard row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.risks.hazards.service import escalate_overdue


def escalate_overdue_hazards(ctx: Any, now: datetime) -> int:
    """Escalate hazards past their deadline that were not escalated for that deadline."""
    timezone = ctx.settings.timezone
    with ctx.uow(system_actor("hazards.escalation")) as uow:
        done = escalate_overdue(uow, now, timezone=timezone)
        uow.commit()
    return done


JOBS = [Job("hazards.escalate_overdue", 3600, escalate_overdue_hazards)]
