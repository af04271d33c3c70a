"""Channel adapters: how a delivery leaves the platform (SMS, voice, WeChat, 大喇叭, 显示屏).

Each channel is a ``ChannelAdapter``. The ``Fake*`` classes here are SIMULATIONS: they send
nothing to any phone, speaker or screen; they record what would have been sent so drills,
the demo and tests can see it. Real gateways (an operator's SMS platform, a voice-call
platform, the WeChat template-message API, the county 应急广播 controller) are chosen by
``bootstrap`` into ``Adapters.channels``; until they are configured the fakes are used.

Every send carries the delivery's idempotency key. A gateway that already accepted a key
must not send it again: after a crash between "the gateway accepted" and "our commit", the
dispatcher retries with the same key and the gateway answers ``DuplicateSend`` instead of
texting the person twice. The fakes enforce exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

# The channel names (notify.rules.Channel has the same values; the order of that enum is part
# of delivery ids, these are only names).
SMS, VOICE, WECHAT, LOUDSPEAKER, DISPLAY, IN_APP = (
    "sms",
    "voice",
    "wechat",
    "loudspeaker",
    "display",
    "in_app",
)


@dataclass(frozen=True, slots=True)
class SendRequest:
    """One delivery as a channel sees it."""

    idempotency_key: str
    address: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the channel answered: its reference and whether delivery is already confirmed."""

    provider_ref: str
    delivered: bool = False


class SendError(Exception):
    """A send failed; ``transient`` failures are retried with backoff."""

    def __init__(self, reason: str, *, transient: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class DuplicateSend(Exception):
    """The channel already accepted this idempotency key (nothing was sent again)."""

    def __init__(self, provider_ref: str) -> None:
        super().__init__(provider_ref)
        self.provider_ref = provider_ref


class ChannelAdapter(Protocol):
    """Something that hands one message to one address on one channel."""

    channel: str

    def send(self, request: SendRequest) -> SendResult:
        """Send (or refuse with DuplicateSend / SendError); never send one key twice."""
        ...


@dataclass
class FakeChannel:
    """A simulated channel: records sends, refuses a repeated key, can be told to fail."""

    channel: str = ""
    # Confirm delivery at once (a receipt would otherwise come later through record_receipt).
    auto_deliver: bool = True
    sent: list[SendRequest] = field(default_factory=list)
    _keys: dict[str, str] = field(default_factory=dict)
    _fail_next: list[SendError] = field(default_factory=list)

    def fail_next(
        self, times: int = 1, *, transient: bool = True, reason: str = "网关繁忙"
    ) -> None:
        """Make the next ``times`` sends fail (for retry drills and tests)."""
        self._fail_next.extend(SendError(reason, transient=transient) for _ in range(times))

    def send(self, request: SendRequest) -> SendResult:
        """Record the send; refuse a key seen before."""
        if request.idempotency_key in self._keys:
            raise DuplicateSend(self._keys[request.idempotency_key])
        if self._fail_next:
            raise self._fail_next.pop(0)
        ref = f"{self.channel}-{len(self.sent) + 1}"
        self._keys[request.idempotency_key] = ref
        self.sent.append(request)
        return SendResult(provider_ref=ref, delivered=self.auto_deliver)

    def sent_to(self, address: str) -> list[SendRequest]:
        """Return what was sent to ``address``."""
        return [r for r in self.sent if r.address == address]


class FakeSmsGateway(FakeChannel):
    """Simulated SMS gateway (短信): records texts, sends nothing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(channel=SMS, **kwargs)


class FakeVoiceGateway(FakeChannel):
    """Simulated voice-call platform (语音外呼): records calls, dials nothing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(channel=VOICE, **kwargs)


class FakeWechatGateway(FakeChannel):
    """Simulated WeChat template-message sender: records messages, sends nothing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(channel=WECHAT, **kwargs)


class FakeLoudspeakerController(FakeChannel):
    """Simulated 应急广播 (大喇叭) controller: records broadcasts, plays nothing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(channel=LOUDSPEAKER, **kwargs)


class FakeDisplayController(FakeChannel):
    """Simulated electronic-display controller: records texts, shows nothing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(channel=DISPLAY, **kwargs)


class InAppChannel:
    """The in-app inbox: the delivery row is the message, so sending is confirming it."""

    channel = IN_APP

    def send(self, request: SendRequest) -> SendResult:
        """Accept the message for the inbox (real, not a simulation)."""
        return SendResult(provider_ref=f"in_app:{request.idempotency_key}", delivered=True)


def simulated_channels() -> dict[str, ChannelAdapter]:
    """Return one adapter per channel: simulations, plus the real in-app inbox."""
    return {
        SMS: FakeSmsGateway(),
        VOICE: FakeVoiceGateway(),
        WECHAT: FakeWechatGateway(),
        LOUDSPEAKER: FakeLoudspeakerController(),
        DISPLAY: FakeDisplayController(),
        IN_APP: InAppChannel(),
    }
