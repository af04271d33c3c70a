"""Monitoring jobs: the no-data check (fires on time) and raw-reading retention.

Both keep their progress in the database (the no-data state row, the deleted readings), so
a re-run does nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.monitoring import service
from yingji.monitoring.rules import config_from


def check_silent_devices(ctx: Any, now: datetime) -> int:
    """Raise the no-data condition for devices silent beyond their interval."""
    with ctx.uow(system_actor("monitoring.no_data")) as uow:
        done = service.check_silence(uow, config_from(ctx.settings))
        uow.commit()
    return done


def downsample_readings(ctx: Any, now: datetime) -> int:
    """Fold readings past the raw retention into aggregates (a few chunks per run)."""
    total = 0
    config = config_from(ctx.settings)
    for _ in range(5):
        with ctx.uow(system_actor("monitoring.retention")) as uow:
            done = service.downsample(uow, config)
            uow.commit()
        total += done
        if done < config.downsample_chunk:
            break
    return total


JOBS = [
    Job("monitoring.no_data", 30, check_silent_devices),
    Job("monitoring.downsample", 3600, downsample_readings),
]
