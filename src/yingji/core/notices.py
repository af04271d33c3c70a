"""The announcement that somebody must be told something (escalations, reminders).

Domains below ``notify`` cannot import it, so they announce ``NoticeRequested`` through the
outbox; ``notify`` subscribes and queues one delivery per recipient and channel. The
``dedupe_key`` makes a repeated announcement (a retried job, a replayed event) send nothing
twice.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from yingji.core.events import Event


class NoticeRequested(Event):
    """Somebody (users by id, or phone numbers) must be told ``subject``/``body``."""

    name: ClassVar[str] = "notice.requested"

    user_ids: list[int] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    subject: str
    body: str
    # Channels in preference order: in_app, sms, voice, wechat.
    channels: list[str] = Field(default_factory=lambda: ["in_app", "sms"])
    # What caused it, e.g. ("hazard", "42") — shown beside the message and used in reports.
    source_kind: str
    source_id: str
    dedupe_key: str
