"""Real-broker tests (Mosquitto at 127.0.0.1:1883): ingest over MQTT, kill and restart.

Every test uses its own topic prefix, share group and client ids (uuid), and short session
expiry, so runs in parallel (or CI next to a developer) never see each other's messages.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import func, select

from monitoring.helpers import outbox, put
from support.district import TOWN_A
from support.mqtt import needs_broker, wait_for
from yingji.core.actor import system_actor
from yingji.core.web.context import AppContext
from yingji.entrypoints.ingest import IngestConsumer, IngestOptions
from yingji.monitoring import service
from yingji.monitoring.models import Reading
from yingji.monitoring.rules import GAS_RULE
from yingji.monitoring.schemas import DeviceCreate

pytestmark = needs_broker


@pytest.fixture
def names() -> dict[str, str]:
    """Return a unique topic prefix, share group and client id for this test."""
    tag = uuid.uuid4().hex[:12]
    return {
        "prefix": f"yingji-test-{tag}/telemetry",
        "group": f"g{tag}",
        "client_id": f"yingji-test-ingest-{tag}",
    }


def _register(ctx: AppContext, code: str) -> int:
    with ctx.uow(system_actor("test")) as uow:
        device = service.register_device(
            uow,
            DeviceCreate(
                code=code, name=f"探测器 {code}", kind="combustible_gas", division_code=TOWN_A
            ),
        )
        uow.commit()
    return device.id


def _count(ctx: AppContext) -> int:
    with ctx.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Reading)) or 0)


def _publish(client: mqtt.Client, topic: str, body: dict[str, Any]) -> mqtt.MQTTMessageInfo:
    return client.publish(topic, json.dumps(body), qos=1)


def test_publish_to_stored_readings_and_one_condition_event(
    ctx: AppContext, names: dict[str, str], publisher: mqtt.Client, as_user: Any
) -> None:
    ctx.inline_relay = False  # the worker relays; here we look at the outbox itself
    device_id = _register(ctx, "GAS-M1")
    rule = GAS_RULE.model_copy(update={"for_seconds": 30, "hysteresis": 5.0})
    r = put(
        as_user("bureau"),
        f"/api/v1/monitoring/rules/devices/{device_id}",
        json={"rules": [rule.model_dump(mode="json")]},
    )
    assert r.status_code == 200
    options = IngestOptions(
        client_id=names["client_id"],
        group=names["group"],
        topic_prefix=names["prefix"],
        session_expiry=30,
        batch_wait=0.02,
    )
    consumer = IngestConsumer(ctx, options)
    consumer.start()
    try:
        t0 = datetime.now(UTC) - timedelta(minutes=5)
        values = [10, 55, 56, 57, 58, 59, 60, 61, 10, 9]
        topic = f"{names['prefix']}/GAS-M1"
        infos = [
            _publish(
                publisher,
                topic,
                {
                    "metric": "gas",
                    "value": v,
                    "unit": "%LEL",
                    "ts": (t0 + timedelta(seconds=10 * i)).isoformat(),
                },
            )
            for i, v in enumerate(values)
        ]
        # Bad input on the same topic is counted and does not stop the stream.
        infos.append(publisher.publish(topic, b"{oops", qos=1))
        for info in infos:
            info.wait_for_publish(5)
        wait_for(lambda: _count(ctx) == len(values), "readings stored", 10)
        wait_for(lambda: consumer.stats.rejected == 1, "the malformed message counted", 5)
    finally:
        consumer.stop()
    raised = outbox(ctx, "monitoring.condition_raised")
    assert [(e["level"], e["level_label"]) for e in raised] == [("red", "二级报警")]
    cleared = outbox(ctx, "monitoring.condition_cleared")
    assert len(cleared) == 1
    assert consumer.stats.failures == 0


def _spawn(db_url: str, names: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YINGJI_DATABASE_URL": db_url, "YINGJI_DEMO": "true"}
    cmd = [
        str(Path(sys.executable).parent / "yingji"),
        "ingest",
        "--client-id",
        names["client_id"],
        "--group",
        names["group"],
        "--topic-prefix",
        names["prefix"],
        "--session-expiry",
        "60",
        "--batch-messages",
        "50",
        "--window",
        "200",
    ]
    return subprocess.Popen(cmd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_sigkill_mid_stream_loses_no_acknowledged_reading_and_stores_none_twice(
    ctx: AppContext, db_url: str, names: dict[str, str], publisher: mqtt.Client, tmp_path: Path
) -> None:
    ctx.inline_relay = False
    _register(ctx, "GAS-K1")
    log = tmp_path / "ingest.log"
    proc = _spawn(db_url, names, log)
    topic = f"{names['prefix']}/GAS-K1"
    t0 = datetime.now(UTC) - timedelta(days=1)
    per_message = 5
    total_messages = 600
    acked: list[int] = []
    lock = threading.Lock()
    try:
        # The first message tells us the consumer is subscribed.
        def body(n: int) -> dict[str, Any]:
            base = t0 + timedelta(seconds=per_message * n)
            return {
                "readings": [
                    {
                        "metric": "gas",
                        "value": float(k),
                        "ts": (base + timedelta(seconds=k)).isoformat(),
                    }
                    for k in range(per_message)
                ]
            }

        # Until the process has subscribed, the broker drops what nobody subscribes to:
        # repeat the first message (the unique key stores it once) until it is stored.
        deadline = time.monotonic() + 30
        acked.append(0)
        while _count(ctx) == 0:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "ingest did not start"
            _publish(publisher, topic, body(0)).wait_for_publish(5)
            time.sleep(0.3)

        def stream() -> None:
            for n in range(1, total_messages):
                info = _publish(publisher, topic, body(n))
                info.wait_for_publish(5)
                if info.is_published():
                    with lock:
                        acked.append(n)
                time.sleep(0.002)

        thread = threading.Thread(target=stream)
        thread.start()
        wait_for(lambda: _count(ctx) >= 300, "some readings stored before the kill", 20)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        killed_at = _count(ctx)
        thread.join(30)
        assert killed_at < total_messages * per_message, "killed too late to prove anything"
        proc = _spawn(db_url, names, log)
        expected = len(acked) * per_message
        wait_for(lambda: _count(ctx) >= expected, f"{expected} readings after restart", 30)
        time.sleep(0.3)  # anything redelivered late must not add rows
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert len(acked) == total_messages
    with ctx.session_factory() as session:
        stored = int(session.scalar(select(func.count()).select_from(Reading)) or 0)
        distinct = int(
            session.scalar(
                select(func.count()).select_from(
                    select(Reading.device_id, Reading.metric, Reading.observed_at)
                    .distinct()
                    .subquery()
                )
            )
            or 0
        )
    assert stored == distinct == total_messages * per_message
