"""Periodic job: clear ended page sessions and API tokens (剩余信息保护)."""

from __future__ import annotations

from datetime import datetime

from yingji.accounts import service
from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.core.web.context import AppContext


def prune_credentials(ctx: AppContext, now: datetime) -> int:
    """Delete revoked and expired sessions and tokens; return how many rows went."""
    del now  # the unit of work's clock decides what has expired
    settings = ctx.settings
    with ctx.uow(system_actor("credential-pruner")) as uow:
        gone = service.prune_credentials(
            uow, idle_minutes=settings.session_idle_minutes, max_hours=settings.session_max_hours
        )
        uow.commit()
    return gone


JOBS = [Job("accounts.prune_credentials", 3600, prune_credentials)]
