"""Notify rules (pure): channels, delivery states, retry backoff, 叫应 escalation policy.

No I/O here. The escalation timings are not fixed by a national text: 《中华人民共和国突发事件
应对法》(2024) 第六十四条/第六十五条 require warnings to reach the people concerned and 基层
to respond, and provincial "叫应" practice (e.g. 气象预警"叫应"机制) asks named responsible
persons to confirm receipt promptly — so the minutes are configuration (``AckPolicy``) with
cautious defaults, to be set by the bureau.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition


class Channel(StrEnum):
    """Delivery channels (发布渠道; append only: the order is part of delivery ids)."""

    SMS = "sms"
    VOICE = "voice"
    WECHAT = "wechat"
    LOUDSPEAKER = "loudspeaker"
    DISPLAY = "display"
    IN_APP = "in_app"


CHANNEL_LABELS: dict[str, str] = {
    Channel.SMS: "短信",
    Channel.VOICE: "语音电话",
    Channel.WECHAT: "微信",
    Channel.LOUDSPEAKER: "应急广播（大喇叭）",
    Channel.DISPLAY: "电子显示屏",
    Channel.IN_APP: "站内消息",
}

# Channels that reach a phone number (persons, residents, users with a phone).
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.VOICE, Channel.WECHAT})
# BroadcastDevice kinds are their own channel: a loudspeaker plays, a display shows.
DEVICE_KINDS = frozenset({Channel.LOUDSPEAKER, Channel.DISPLAY})
DEVICE_KIND_LABELS: dict[str, str] = {
    Channel.LOUDSPEAKER: "大喇叭（应急广播）",
    Channel.DISPLAY: "电子显示屏",
}


class RecipientKind(StrEnum):
    """Who a delivery goes to (append only: the order is part of delivery ids)."""

    PERSON = "person"
    RESIDENT = "resident"
    DEVICE = "device"
    USER = "user"
    PHONE = "phone"  # a bare number named in a notice


RECIPIENT_KIND_LABELS: dict[str, str] = {
    RecipientKind.PERSON: "责任人",
    RecipientKind.RESIDENT: "居民",
    RecipientKind.DEVICE: "设备",
    RecipientKind.USER: "系统用户",
    RecipientKind.PHONE: "电话号码",
}

# Roles of named responsible persons.
PERSON_ROLE_LABELS: dict[str, str] = {
    "village_cadre": "村社干部",
    "township_cadre": "镇街干部",
    "grid_member": "网格员",
    "enterprise_safety_officer": "企业安全员",
    "accountable_person": "包保责任人",
    "department_contact": "部门联络员",
    "other": "其他",
}


class DeliveryState(StrEnum):
    """Delivery states (送达状态)."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


DELIVERY_STATE_LABELS: dict[str, str] = {
    DeliveryState.QUEUED: "待发送",
    DeliveryState.SENT: "已发送",
    DeliveryState.DELIVERED: "已送达",
    DeliveryState.FAILED: "失败",
}

# What moves a delivery on: the channel accepts it (send), a receipt says delivered, or it
# fails (the last attempt given up, an unreachable address, a failure receipt).
DELIVERY_ACTION_LABELS: dict[str, str] = {"send": "发送", "deliver": "送达", "fail": "失败"}


def _refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The delivery's own 409: names the raw states (same wording as before the machine)."""
    target = next((str(t.next_state) for t in machine.transitions if t.action == action), action)
    return Conflict(f"送达状态为“{state}”，不能变为“{target}”")


D = DeliveryState
# Allowed transitions. A transient send error keeps a delivery queued (attempts + 1, later
# next_attempt_at) rather than passing through a state of its own; queued → failed is the
# last attempt given up or an unreachable address.
MACHINE = StateMachine(
    name="notify_delivery",
    title_zh="送达",
    states=tuple(DeliveryState),
    transitions=(
        Transition(D.QUEUED, "send", D.SENT),
        Transition(D.QUEUED, "fail", D.FAILED),
        Transition(D.SENT, "deliver", D.DELIVERED),
        Transition(D.SENT, "fail", D.FAILED),
    ),
    state_labels=DELIVERY_STATE_LABELS,
    action_labels=DELIVERY_ACTION_LABELS,
    error=_refusal,
)


def can_move(from_state: str, to_state: str) -> bool:
    """Tell whether a delivery may go from ``from_state`` to ``to_state``."""
    return str(to_state) in MACHINE.allowed(from_state)


# Delivery ids: message id << 38 | channel << 35 | recipient kind << 32 | recipient id.
# Room for 2**25 (33 million) messages and recipient ids below 2**32.
_CHANNEL_CODES = {c.value: i for i, c in enumerate(Channel)}
_KIND_CODES = {k.value: i for i, k in enumerate(RecipientKind)}
RECIPIENT_BITS = 32
MESSAGE_SHIFT = 38
MAX_MESSAGE_ID = 2**25 - 1


def delivery_base(message_id: int, channel: str, kind: str) -> int:
    """Return the id of (message, channel, kind, recipient 0): add the recipient id to it."""
    if not 0 < message_id <= MAX_MESSAGE_ID:
        raise ValueError(f"message id {message_id} outside the delivery id space")
    return (
        (message_id << MESSAGE_SHIFT)
        | (_CHANNEL_CODES[channel] << (RECIPIENT_BITS + 3))
        | (_KIND_CODES[kind] << RECIPIENT_BITS)
    )


def delivery_id(message_id: int, channel: str, kind: str, recipient_id: int) -> int:
    """Return the delivery id of one message to one recipient over one channel."""
    if not 0 <= recipient_id < 2**RECIPIENT_BITS:
        raise ValueError(f"recipient id {recipient_id} outside the delivery id space")
    return delivery_base(message_id, channel, kind) + recipient_id


def message_id_range(message_id: int) -> tuple[int, int]:
    """Return the first and last delivery id a message can have."""
    return message_id << MESSAGE_SHIFT, ((message_id + 1) << MESSAGE_SHIFT) - 1


def idempotency_key(delivery_id: int) -> str:
    """Return the key a channel adapter gets for every attempt of one delivery."""
    return f"yingji-delivery-{delivery_id}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how soon a failed send is retried (exponential backoff, capped)."""

    max_attempts: int = 5
    base_seconds: float = 30.0
    factor: float = 2.0
    cap_seconds: float = 1800.0

    def backoff(self, attempts: int) -> timedelta:
        """Return the wait after the ``attempts``-th failed attempt (1-based)."""
        seconds = self.base_seconds * self.factor ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.cap_seconds))

    def gives_up(self, attempts: int) -> bool:
        """Tell whether ``attempts`` failed attempts exhaust the policy."""
        return attempts >= self.max_attempts


DEFAULT_RETRY = RetryPolicy()


class EscalationStep(StrEnum):
    """What happens when a named responsible person stays silent (叫应 escalation)."""

    VOICE = "voice"  # step 1: call them (语音叫应)
    SUPERIOR = "superior"  # step 2: tell their superior


ESCALATION_STEPS: tuple[EscalationStep, ...] = (EscalationStep.VOICE, EscalationStep.SUPERIOR)


@dataclass(frozen=True, slots=True)
class AckPolicy:
    """Minutes of silence before each escalation step (configuration, see module docs)."""

    voice_after_minutes: int = 15
    # Counted from the voice call.
    superior_after_minutes: int = 15

    def next_step_due(
        self, step_done: int, requested_at: datetime, escalated_at: datetime | None
    ) -> datetime | None:
        """Return when the step after ``step_done`` is due (None when none is left)."""
        if step_done >= len(ESCALATION_STEPS):
            return None
        if step_done == 0:
            return requested_at + timedelta(minutes=self.voice_after_minutes)
        return (escalated_at or requested_at) + timedelta(minutes=self.superior_after_minutes)


DEFAULT_ACK = AckPolicy()


def channels_for(kind: RecipientKind, channels: frozenset[str], *, has_user: bool) -> list[str]:
    """Return the requested channels a recipient of ``kind`` can receive, in a stable order."""
    if kind is RecipientKind.DEVICE:
        return sorted(channels & DEVICE_KINDS)
    usable = set(channels & PHONE_CHANNELS)
    if kind is RecipientKind.RESIDENT:
        return sorted(usable)
    if has_user and Channel.IN_APP in channels:
        usable.add(Channel.IN_APP)
    return sorted(usable)


def unknown_channels(channels: list[str] | tuple[str, ...]) -> list[str]:
    """Return the names in ``channels`` that are not channels."""
    known = {c.value for c in Channel}
    return [c for c in channels if c not in known]
