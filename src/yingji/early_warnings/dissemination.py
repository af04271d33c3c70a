"""The one place early warnings talk to ``notify``: queue broadcasts, count, read coverage.

Publishing a warning queues deliveries for its area and channels through
``notify.service.queue_broadcast`` in the same transaction; the composer's preview counts
recipients with ``notify.queries.count_recipients``; the dashboard reads
``notify.queries.coverage``. Keeping the calls here lets tests replace them in one spot.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from yingji.core.actor import Actor
from yingji.core.uow import UnitOfWork
from yingji.notify import queries as notify_queries
from yingji.notify import service as notify_service
from yingji.notify.schemas import CoverageRead, RecipientCount, TargetArea

SOURCE_KIND = "early_warning"


def source_id(warning_id: int, seq: int) -> str:
    """Return the notify source id of a warning's message (publication = its first)."""
    return str(warning_id) if seq == 1 else f"{warning_id}.{seq}"


def queue_broadcast(
    uow: UnitOfWork,
    *,
    warning_id: int,
    seq: int,
    area: TargetArea,
    channels: Sequence[str],
    subject: str,
    body: str,
    require_ack: bool,
) -> int:
    """Queue the deliveries of one warning message; return how many were queued."""
    return notify_service.queue_broadcast(
        uow,
        source_kind=SOURCE_KIND,
        source_id=source_id(warning_id, seq),
        area=area,
        channels=list(channels),
        subject=subject,
        body=body,
        require_ack=require_ack,
    )


def count_recipients(session: Session, area: TargetArea, actor: Actor) -> RecipientCount:
    """Return how many recipients ``area`` reaches in the actor's jurisdiction."""
    return notify_queries.count_recipients(session, area, actor)


def coverage(
    session: Session, warning_id: int, seq: int = 1, *, actor: Actor | None = None
) -> CoverageRead:
    """Return delivery and acknowledgement coverage of a warning message (by village)."""
    return notify_queries.coverage(
        session, source_kind=SOURCE_KIND, source_id=source_id(warning_id, seq), actor=actor
    )
