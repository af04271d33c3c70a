"""Issue 4 flow on the real Mosquitto: readings published over MQTT are ingested, the rules
raise one alarm (not one per reading), silence escalates it, a person acknowledges, and the
readings falling back below the hysteresis band clear it; a rainfall series crossing the
3-hour orange threshold raises a rainstorm alarm.

The ingest consumer runs in-process with the inline relay, as `yingji ingest --relay` does,
so each committed batch hands its condition events to the alarms handler at once.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import select

from support.district import TOWN_A
from support.mqtt import needs_broker, wait_for
from yingji.alarms.models import Alarm
from yingji.alarms.tasks import escalate_alarms
from yingji.core.actor import system_actor
from yingji.core.outbox import OutboxMessage
from yingji.entrypoints.ingest import IngestConsumer, IngestOptions
from yingji.monitoring import service
from yingji.monitoring.rules import GAS_RULE
from yingji.monitoring.schemas import DeviceCreate

pytestmark = needs_broker


@pytest.fixture
def consumer(ctx: Any) -> Iterator[tuple[IngestConsumer, str]]:
    """Run an ingest consumer on a topic prefix of its own; yield it and the prefix."""
    tag = uuid.uuid4().hex[:12]
    prefix = f"yingji-flow-{tag}/telemetry"
    options = IngestOptions(
        client_id=f"yingji-flow-ingest-{tag}",
        group=f"f{tag}",
        topic_prefix=prefix,
        session_expiry=30,
        batch_wait=0.02,
    )
    running = IngestConsumer(ctx, options)
    running.start()
    try:
        yield running, prefix
    finally:
        running.stop()


def _device(ctx: Any, code: str, kind: str) -> int:
    with ctx.uow(system_actor("test")) as uow:
        device = service.register_device(
            uow, DeviceCreate(code=code, name=f"设备 {code}", kind=kind, division_code=TOWN_A)
        )
        uow.commit()
    return int(device.id)


def _send(client: mqtt.Client, topic: str, readings: list[dict[str, Any]]) -> None:
    client.publish(topic, json.dumps({"readings": readings}), qos=1).wait_for_publish(5)


def _alarms(ctx: Any, code: str) -> list[Alarm]:
    with ctx.session_factory() as session:
        return list(session.scalars(select(Alarm).where(Alarm.device_code == code)))


def test_gas_alarm_lifecycle_over_mqtt(ctx, consumer, publisher, as_user):
    running, prefix = consumer
    device_id = _device(ctx, "GAS-FLOW", "combustible_gas")
    rule = GAS_RULE.model_copy(update={"for_seconds": 30, "hysteresis": 5.0})
    bureau = as_user("bureau")
    assert (
        bureau.put(
            f"/api/v1/monitoring/rules/devices/{device_id}",
            json={"rules": [rule.model_dump(mode="json")]},
        ).status_code
        == 200
    )
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    topic = f"{prefix}/GAS-FLOW"
    # High-high (≥ 50 %LEL) for 70 s in ten readings: one alarm, not ten.
    high = [
        {
            "metric": "gas",
            "value": 55 + i,
            "unit": "%LEL",
            "ts": (t0 + timedelta(seconds=10 * i)).isoformat(),
        }
        for i in range(8)
    ]
    _send(publisher, topic, high)
    wait_for(lambda: len(_alarms(ctx, "GAS-FLOW")) == 1, "the alarm")
    time.sleep(0.5)  # any straggling batch would show up as a second alarm
    (alarm,) = _alarms(ctx, "GAS-FLOW")
    assert alarm.level == "red"
    assert alarm.state == "active"
    # Nobody answers: the escalation job tells the next person on the duty chain.
    later = datetime.now(UTC) + timedelta(minutes=20)
    assert escalate_alarms(ctx, later) >= 1
    with ctx.session_factory() as session:
        notices = session.scalars(
            select(OutboxMessage).where(OutboxMessage.name == "notice.requested")
        ).all()
    assert any("alarm" in str(n.payload.get("source_kind")) for n in notices)
    # The duty officer acknowledges; escalation stops.
    duty = as_user("duty")
    assert duty.post(f"/api/v1/alarms/{alarm.id}/acknowledge", json={}).status_code == 200
    assert escalate_alarms(ctx, later + timedelta(hours=1)) == 0
    # Readings fall below the lowest set-point minus the hysteresis (25 − 5 %LEL): the
    # rule clears the condition and the alarm clears by itself.
    low = [
        {
            "metric": "gas",
            "value": 12 - i,
            "unit": "%LEL",
            "ts": (t0 + timedelta(seconds=100 + 10 * i)).isoformat(),
        }
        for i in range(3)
    ]
    _send(publisher, topic, low)
    wait_for(lambda: _alarms(ctx, "GAS-FLOW")[0].state == "cleared", "the automatic clear")
    (alarm,) = _alarms(ctx, "GAS-FLOW")
    assert alarm.clear_reason == "auto"
    assert running.stats.failures == 0


def test_rainfall_over_3h_orange_raises_a_rainstorm_alarm(ctx, consumer, publisher):
    running, prefix = consumer
    _device(ctx, "RAIN-FLOW", "rain_gauge")
    t0 = datetime.now(UTC) - timedelta(hours=3)
    # 12 readings of 5 mm every 15 minutes: 60 mm within 3 hours (暴雨橙色: 3 h ≥ 50 mm).
    rain = [
        {
            "metric": "rainfall",
            "value": 5.0,
            "unit": "mm",
            "ts": (t0 + timedelta(minutes=15 * i)).isoformat(),
        }
        for i in range(12)
    ]
    _send(publisher, f"{prefix}/RAIN-FLOW", rain)
    wait_for(lambda: len(_alarms(ctx, "RAIN-FLOW")) == 1, "the rainstorm alarm")
    (alarm,) = _alarms(ctx, "RAIN-FLOW")
    assert alarm.level == "orange"
    assert alarm.level_label == "暴雨橙色"
    assert running.stats.failures == 0
