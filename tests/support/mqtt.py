"""Real-broker test support (Mosquitto at 127.0.0.1:1883): the skip rule, a QoS 1 publisher
fixture, and a polling wait. Registered as a plugin in tests/conftest.py.

Without a broker the tests skip on a laptop; with CI=true they run and fail loudly instead.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

HOST, PORT = "127.0.0.1", 1883


def broker_up() -> bool:
    """Tell whether something listens on the broker's port."""
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


needs_broker = pytest.mark.skipif(
    not broker_up() and os.environ.get("CI", "").lower() not in {"1", "true", "yes"},
    reason="no MQTT broker at 127.0.0.1:1883",
)


@pytest.fixture
def publisher() -> Iterator[mqtt.Client]:
    """Return a connected MQTT 5 publisher with its network loop running (QoS 1 callers)."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"yingji-test-pub-{uuid.uuid4().hex[:12]}",
        protocol=mqtt.MQTTv5,
    )
    client.connect(HOST, PORT)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Poll ``predicate`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
