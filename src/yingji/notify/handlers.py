"""Notify reacts to ``core.notices.NoticeRequested``: queue in-app/SMS deliveries to users.

The notice's ``dedupe_key`` makes the handler idempotent: the same notice twice (a replayed
outbox event, a retried job that announced it again) queues one set of deliveries.
"""

from __future__ import annotations

from yingji.core.composition import Subscription
from yingji.core.events import Event
from yingji.core.notices import NoticeRequested
from yingji.core.uow import UnitOfWork
from yingji.notify import service


def on_notice_requested(uow: UnitOfWork, event: Event) -> None:
    """Queue the deliveries a notice asks for."""
    assert isinstance(event, NoticeRequested)
    service.deliver_notice(uow, event)


SUBSCRIPTIONS = (Subscription(NoticeRequested, on_notice_requested, "notify.notice_requested"),)
