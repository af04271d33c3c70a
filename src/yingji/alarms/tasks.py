"""Alarm jobs: escalate alarms nobody acknowledged, one duty-chain step at a time.

Progress lives in the alarm row (``escalation_step``) and one ``alarms_alarm_escalation``
row per step, so a re-run at the same moment does nothing twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from yingji.alarms.rules import DEFAULT_ESCALATION, EscalationConfig
from yingji.alarms.service import escalate_due
from yingji.core.actor import system_actor
from yingji.core.jobs import Job


def escalation_config(settings: Any) -> EscalationConfig:
    """Return the escalation config from settings (JSON minutes per level, max steps)."""
    raw = getattr(settings, "alarm_escalation_minutes", None)
    steps = getattr(settings, "alarm_escalation_max_steps", None)
    if not raw and not steps:
        return DEFAULT_ESCALATION
    minutes = (json.loads(raw) if isinstance(raw, str) else dict(raw)) if raw else {}
    merged = {**DEFAULT_ESCALATION.minutes, **{str(k): int(v) for k, v in minutes.items()}}
    return EscalationConfig(
        minutes=merged, max_steps=int(steps) if steps else DEFAULT_ESCALATION.max_steps
    )


def escalate_alarms(ctx: Any, now: datetime) -> int:
    """Escalate every alarm whose next step is due at ``now``; return how many."""
    with ctx.uow(system_actor("alarm-escalation")) as uow:
        done = escalate_due(uow, now, escalation_config(ctx.settings))
        uow.commit()
    return done


JOBS = [Job("alarms.escalate", 30, escalate_alarms)]
