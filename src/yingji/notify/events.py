"""Notify events: facts other domains may react to (higher layers subscribe)."""

from __future__ import annotations

from typing import ClassVar

from yingji.core.events import Event


class BroadcastQueued(Event):
    """A broadcast for a source was queued (``queued`` new deliveries)."""

    name: ClassVar[str] = "notify.broadcast_queued"

    message_id: int
    source_kind: str
    source_id: str
    queued: int


class AcknowledgementReceived(Event):
    """A named responsible person acknowledged a message (叫应)."""

    name: ClassVar[str] = "notify.acknowledged"

    acknowledgement_id: int
    message_id: int
    person_id: int
    source_kind: str
    source_id: str
    division_code: str | None


class AcknowledgementEscalated(Event):
    """A silent person's acknowledgement was escalated (step 1: voice, 2: superior)."""

    name: ClassVar[str] = "notify.ack_escalated"

    acknowledgement_id: int
    message_id: int
    person_id: int
    step: int
    source_kind: str
    source_id: str
    division_code: str | None
