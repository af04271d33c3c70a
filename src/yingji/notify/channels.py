"""Channel adapters as the notify domain uses them (the protocol and fakes live in adapters).

Which adapter serves which channel is decided once, in ``bootstrap``, and handed over in
``AppContext.adapters.channels``; this module only re-exports the types the dispatcher needs.
"""

from __future__ import annotations

from yingji.adapters.channels import (
    ChannelAdapter,
    DuplicateSend,
    FakeChannel,
    SendError,
    SendRequest,
    SendResult,
    simulated_channels,
)

__all__ = [
    "ChannelAdapter",
    "DuplicateSend",
    "FakeChannel",
    "SendError",
    "SendRequest",
    "SendResult",
    "simulated_channels",
]
