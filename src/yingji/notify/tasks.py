"""Notify jobs: the dispatcher (sends queued deliveries in batches) and 叫应 escalation.

Progress lives in the database (delivery states, acknowledgement steps), so a restarted or
doubled worker sends nothing twice. Tests call the functions with a fixed-clock context.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.notify import service
from yingji.notify.rules import DEFAULT_ACK, AckPolicy

BATCH_SIZE = 500
# Batches per run: a run ends in bounded time; the next run continues where it stopped.
MAX_BATCHES = 40


def ack_policy(ctx: Any) -> AckPolicy:
    """Return the escalation policy from settings (national defaults when unset)."""
    settings = ctx.settings
    return AckPolicy(
        voice_after_minutes=int(
            getattr(settings, "notify_ack_voice_after_minutes", DEFAULT_ACK.voice_after_minutes)
        ),
        superior_after_minutes=int(
            getattr(
                settings, "notify_ack_superior_after_minutes", DEFAULT_ACK.superior_after_minutes
            )
        ),
    )


def dispatch_deliveries(ctx: Any, now: datetime) -> int:
    """Send due queued deliveries, one committed transaction per batch; return how many."""
    channels = ctx.adapters.channels
    done = 0
    for _ in range(MAX_BATCHES):
        with ctx.uow(system_actor("notify-dispatcher")) as uow:
            handled = service.dispatch_due(uow, channels, limit=BATCH_SIZE)
            uow.commit()
        done += handled
        if handled < BATCH_SIZE:
            break
    return done


def escalate_acknowledgements(ctx: Any, now: datetime) -> int:
    """Escalate 叫应 left silent past the policy; return the steps fired."""
    with ctx.uow(system_actor("notify-escalation")) as uow:
        fired = service.escalate_silent(uow, policy=ack_policy(ctx))
        uow.commit()
    return fired


JOBS = [
    Job("notify.dispatch", 5.0, dispatch_deliveries),
    Job("notify.escalate_acknowledgements", 60.0, escalate_acknowledgements),
]
