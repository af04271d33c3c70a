"""Pure notify rules: the delivery state table, backoff, channels per recipient, 叫应 timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yingji.notify.rules import (
    AckPolicy,
    RecipientKind,
    RetryPolicy,
    can_move,
    channels_for,
    idempotency_key,
    unknown_channels,
)


@pytest.mark.parametrize(
    ("src", "dst", "ok"),
    [
        ("queued", "sent", True),
        ("queued", "failed", True),
        ("queued", "delivered", False),
        ("sent", "delivered", True),
        ("sent", "failed", True),
        ("delivered", "failed", False),
        ("failed", "queued", False),
        ("sent", "queued", False),
        ("nonsense", "sent", False),
    ],
)
def test_delivery_transitions(src: str, dst: str, ok: bool) -> None:
    assert can_move(src, dst) is ok


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=10, factor=3, cap_seconds=60)
    waits = [policy.backoff(n).total_seconds() for n in (1, 2, 3, 4)]
    assert waits == [10, 30, 60, 60]
    assert not policy.gives_up(3)
    assert policy.gives_up(4)


def test_idempotency_key_is_stable_per_delivery() -> None:
    assert idempotency_key(7) == idempotency_key(7) != idempotency_key(8)


def test_channels_per_recipient_kind() -> None:
    every = frozenset({"sms", "voice", "wechat", "loudspeaker", "display", "in_app"})
    assert channels_for(RecipientKind.RESIDENT, every, has_user=False) == ["sms", "voice", "wechat"]
    assert channels_for(RecipientKind.PERSON, every, has_user=False) == ["sms", "voice", "wechat"]
    assert "in_app" in channels_for(RecipientKind.PERSON, every, has_user=True)
    assert channels_for(RecipientKind.DEVICE, every, has_user=False) == ["display", "loudspeaker"]
    assert unknown_channels(["sms", "fax"]) == ["fax"]


def test_ack_policy_steps() -> None:
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    policy = AckPolicy(voice_after_minutes=10, superior_after_minutes=20)
    assert policy.next_step_due(0, t0, None) == t0 + timedelta(minutes=10)
    t1 = t0 + timedelta(minutes=12)
    assert policy.next_step_due(1, t0, t1) == t1 + timedelta(minutes=20)
    assert policy.next_step_due(2, t0, t1) is None
