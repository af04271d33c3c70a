"""Benchmark: MQTT QoS 1 through the real broker into stored readings and evaluated rules.

Starts ``yingji ingest`` copies (separate processes, as deployed) on a fresh database,
publishes telemetry of many gas detectors at a target rate with QoS 1, and prints:

* sustained readings/s stored (target ≥ 10,000/s) and zero loss (stored == published);
* publish → alarm stored latency p50/p99 (target p99 ≤ 250 ms): probe detectors cross the
  GB/T 50493 high-high set-point every ``--probe-every`` seconds; the ingest copies run with
  ``--relay``, so each committed batch hands its condition events to the alarms handler at
  once, and the latency is from publish to the alarm row's ``raised_at`` (also printed: to
  the condition event's outbox row, written in the same transaction as the readings);
* the ingest capacity (a saturation phase: always more offered than taken, backlog kept
  under the broker's default queue limit), the raw paho subscriber limit in the same run (a
  subscriber that only counts, QoS 1, same payloads) and the ratio capacity / raw (goal
  ≥ 0.7). Both are message-bound: compare them with ``--per-message 1`` as well;
* the ingest processes' peak RSS.

Batching: each MQTT message carries ``--per-message`` readings of one detector (allowed by
the payload schema, docs/telemetry.md); the broker handles messages, not readings.

    python bench/bench_ingest.py [--duration 30] [--rate 12000] [--copies 1]
                                 [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

The default run is short (30 s); the acceptance run is ``--duration 300``. Needs Mosquitto
at 127.0.0.1:1883 (skips with a message otherwise). With --database-url (an admin URL) the
benchmark creates and uses a database called yingji_bench_ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import create_engine, func, select, text

from yingji.alarms.models import Alarm
from yingji.bootstrap import import_models
from yingji.core.actor import system_actor
from yingji.core.db import Base, make_engine, make_session_factory
from yingji.core.outbox import OutboxMessage
from yingji.core.uow import UnitOfWork
from yingji.migrations.runner import upgrade
from yingji.monitoring import service
from yingji.monitoring.models import Device, Reading
from yingji.monitoring.schemas import DeviceCreate

HOST, PORT = "127.0.0.1", 1883


def _fresh_database(url: str | None, tmp: str) -> str:
    if url is None:
        return f"sqlite:///{tmp}/ingest-bench.db"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS yingji_bench_ingest WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE yingji_bench_ingest"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/yingji_bench_ingest"


def _prepare(url: str, devices: int, probes: int) -> None:
    upgrade(url)
    import_models()
    engine = make_engine(url)
    Base.metadata.create_all(engine)  # tables not yet in the migration (development)
    factory = make_session_factory(engine)
    with UnitOfWork(factory, system_actor("bench")) as uow:
        for i in range(devices + probes):
            code = f"P{i:05d}" if i >= devices else f"D{i:05d}"
            service.register_device(
                uow,
                DeviceCreate(
                    code=code,
                    name=f"可燃气体探测器 {code}",
                    kind="combustible_gas",
                    division_code="500153001",
                    interval_seconds=60,
                ),
            )
        uow.commit()
    engine.dispose()


def _broker_up() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


def _client(name: str) -> mqtt.Client:
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"{name}-{uuid.uuid4().hex[:8]}",
        protocol=mqtt.MQTTv5,
    )
    # Mosquitto's default receive maximum is 20; a client sending more is disconnected.
    client.max_inflight_messages_set(20)
    client.max_queued_messages_set(0)
    return client


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Publisher:
    """Publishes at a target rate with QoS 1 and counts broker acknowledgements."""

    def __init__(self, prefix: str, per_message: int, devices: int) -> None:
        self.prefix = prefix
        self.per_message = per_message
        self.devices = devices
        self.client = _client("bench-pub")
        self.acked = 0
        self.sent = 0
        self._lock = threading.Lock()
        self.client.on_publish = self._on_publish
        self.seq = [0] * devices
        self.base_ms = int((datetime.now(UTC) - timedelta(hours=6)).timestamp() * 1000)

    def _on_publish(self, *_args: Any) -> None:
        with self._lock:
            self.acked += 1

    def start(self) -> None:
        self.client.connect(HOST, PORT)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def body(self, device: int) -> bytes:
        k = self.seq[device]
        self.seq[device] += 1
        start = self.base_ms + k * self.per_message
        readings = [
            {"metric": "gas", "value": round(random.uniform(0, 20), 2), "ts": start + j}
            for j in range(self.per_message)
        ]
        return json.dumps({"readings": readings}).encode()

    def publish(self, device: int, topic_prefix: str | None = None) -> mqtt.MQTTMessageInfo:
        self.sent += 1
        code = f"D{device:05d}"
        return self.client.publish(
            f"{topic_prefix or self.prefix}/{code}", self.body(device), qos=1
        )


def _stored(factory: Any, codes_like: str = "D%") -> int:
    with factory() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Reading)
                .join(Device, Device.id == Reading.device_id)
                .where(Device.code.like(codes_like))
            )
            or 0
        )


def _max_id(factory: Any) -> int:
    with factory() as session:
        return int(session.scalar(select(func.max(Reading.id))) or 0)


def _raw_limit(per_message: int, devices: int, seconds: float) -> float:
    """Readings/s a bare paho QoS 1 subscriber receives (it only counts)."""
    prefix = f"bench-raw-{uuid.uuid4().hex[:8]}/telemetry"
    received = 0
    first = last = 0.0
    done = threading.Event()
    sub = _client("bench-raw-sub")

    def on_message(_c: Any, _u: Any, _m: Any) -> None:
        nonlocal received, first, last
        now = time.perf_counter()
        if received == 0:
            first = now
        received += 1
        last = now

    def on_connect(client: mqtt.Client, *_a: Any) -> None:
        client.subscribe(f"{prefix}/+", qos=1)
        done.set()

    sub.on_message = on_message
    sub.on_connect = on_connect
    sub.connect(HOST, PORT)
    sub.loop_start()
    done.wait(5)
    time.sleep(0.2)
    pub = Publisher(prefix, per_message, devices)
    pub.start()
    payloads = [pub.body(i % devices) for i in range(200)]
    sent = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pub.client.publish(f"{prefix}/D{sent % devices:05d}", payloads[sent % 200], qos=1)
        sent += 1
    wait_until = time.perf_counter() + 10
    while received < sent and time.perf_counter() < wait_until:
        time.sleep(0.05)
    pub.stop()
    sub.disconnect()
    sub.loop_stop()
    if received < 2 or last <= first:
        return 0.0
    return received * per_message / (last - first)


def _saturate(
    pub: Publisher, factory: Any, seconds: float, devices: int, per_message: int
) -> float:
    """Readings/s the ingest stores when always offered more than it takes.

    The backlog is held under the broker's default queue limit (1000 messages per client),
    so the phase measures the consumer, not the broker dropping messages.
    """
    if seconds <= 0:
        return 0.0
    start_count = _stored(factory)
    start_id = _max_id(factory)
    stored_messages = 0
    sent = 0
    device = 0
    last_poll = 0.0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        now = time.perf_counter()
        if now - last_poll > 0.05:
            # max(id) is one index probe; a count would load the database it measures.
            stored_messages = (_max_id(factory) - start_id) // per_message
            last_poll = now
        if sent - stored_messages < 800:
            pub.publish(device % devices)
            device += 1
            sent += 1
        else:
            time.sleep(0.002)
    elapsed = time.perf_counter() - started
    return (_stored(factory) - start_count) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=float, default=30.0, help="publishing seconds (acceptance: 300)"
    )
    parser.add_argument("--rate", type=float, default=12000.0, help="target readings/s")
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--per-message", type=int, default=100, help="readings per MQTT message")
    parser.add_argument(
        "--copies", type=int, default=1, help="ingest processes on the shared subscription"
    )
    parser.add_argument("--probes", type=int, default=10, help="detectors used for latency")
    parser.add_argument("--probe-every", type=float, default=0.5)
    parser.add_argument("--raw-seconds", type=float, default=5.0)
    parser.add_argument("--saturate-seconds", type=float, default=10.0, help="capacity phase")
    parser.add_argument("--database-url", help="a PostgreSQL admin URL (default: SQLite)")
    args = parser.parse_args()
    if not _broker_up():
        print(f"SKIP: no MQTT broker at {HOST}:{PORT}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        url = _fresh_database(args.database_url, tmp)
        _prepare(url, args.devices, args.probes)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        tag = uuid.uuid4().hex[:8]
        prefix = f"bench-{tag}/telemetry"
        env = {**os.environ, "YINGJI_DATABASE_URL": url, "YINGJI_DEMO": "true"}
        exe = str(Path(sys.executable).parent / "yingji")
        logs = [open(f"{tmp}/ingest-{c}.log", "w") for c in range(args.copies)]  # noqa: SIM115
        procs = [
            subprocess.Popen(
                [
                    exe,
                    "ingest",
                    "--client-id",
                    f"bench-{tag}-{c}",
                    "--group",
                    f"bench{tag}",
                    "--topic-prefix",
                    prefix,
                    "--session-expiry",
                    "60",
                    "--window",
                    "5000",
                    "--batch-messages",
                    "200",
                    "--batch-wait",
                    "0.05",
                    "--relay",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=logs[c],
            )
            for c in range(args.copies)
        ]
        pub = Publisher(prefix, args.per_message, args.devices)
        pub.start()
        try:
            # Wait until the copies are subscribed: repeat one message until it is stored.
            warm = pub.body(0)
            deadline = time.monotonic() + 60
            while _stored(factory) == 0:
                if time.monotonic() > deadline:
                    print("FAIL: ingest did not start; see", tmp)
                    return 1
                pub.sent += 1
                pub.client.publish(f"{prefix}/D00000", warm, qos=1).wait_for_publish(5)
                time.sleep(0.3)
            baseline = _stored(factory)
            published = 0
            probe_sent: dict[str, float] = {}
            probe_state = [False] * args.probes
            interval = args.per_message / args.rate
            started = time.perf_counter()
            next_probe = started
            next_send = started
            device = 0
            probe_n = 0
            while time.perf_counter() - started < args.duration:
                now = time.perf_counter()
                if now >= next_probe:
                    p = probe_n % args.probes
                    probe_state[p] = not probe_state[p]
                    value = 60.0 if probe_state[p] else 0.0
                    at = datetime.now(UTC)
                    body = json.dumps({"metric": "gas", "value": value, "ts": at.isoformat()})
                    pub.sent += 1
                    pub.client.publish(f"{prefix}/P{args.devices + p:05d}", body, qos=1)
                    if probe_state[p]:
                        probe_sent[f"P{args.devices + p:05d}@{at.isoformat()}"] = time.time()
                    probe_n += 1
                    next_probe += args.probe_every
                if now >= next_send:
                    pub.publish(device % args.devices)
                    device += 1
                    published += args.per_message
                    next_send += interval
                else:
                    time.sleep(
                        min(next_send, next_probe) - now if min(next_send, next_probe) > now else 0
                    )
            publish_seconds = time.perf_counter() - started
            expected = baseline + published
            wait_deadline = time.perf_counter() + 120
            while _stored(factory) < expected and time.perf_counter() < wait_deadline:
                time.sleep(0.1)
            drained = time.perf_counter() - started
            stored = _stored(factory) - baseline
            capacity = _saturate(
                pub, factory, args.saturate_seconds, args.devices, args.per_message
            )
            rss = [_peak_rss_kb(p.pid) for p in procs]
        finally:
            pub.stop()
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        latencies = []
        with factory() as session:
            rows = session.execute(
                select(OutboxMessage.payload, OutboxMessage.created_at).where(
                    OutboxMessage.name == "monitoring.condition_raised"
                )
            ).all()
        for payload, created in rows:
            observed = datetime.fromisoformat(str(payload["observed_at"]).replace("Z", "+00:00"))
            key = f"{payload['device_code']}@{observed.isoformat()}"
            if key in probe_sent:
                latencies.append((created.timestamp() - probe_sent[key]) * 1000)
        alarm_latencies = []
        with factory() as session:
            alarm_rows = session.execute(
                select(Alarm.device_code, Alarm.last_observed_at, Alarm.raised_at)
            ).all()
        for code, observed, raised in alarm_rows:
            key = f"{code}@{observed.astimezone(UTC).isoformat()}"
            if key in probe_sent:
                alarm_latencies.append((raised.timestamp() - probe_sent[key]) * 1000)
        engine.dispose()
        raw = _raw_limit(args.per_message, args.devices, args.raw_seconds)
        sustained = stored / drained if drained else 0.0
        print(f"engine                    {url.split(':', 1)[0]}")
        print(f"ingest copies             {args.copies}")
        print(
            f"published readings        {published} in {publish_seconds:.1f} s "
            f"({published / publish_seconds:,.0f}/s offered, {args.per_message}/message)"
        )
        print(
            f"stored readings           {stored}  loss: {published - stored}"
            f"  (broker acknowledged {pub.acked} of {pub.sent} messages, all phases)"
        )
        print(f"sustained                 {sustained:,.0f} readings/s (target ≥ 10,000)")
        if latencies:
            q = statistics.quantiles(latencies, n=100)
            print(
                f"publish → condition p50   {statistics.median(latencies):.0f} ms, "
                f"p99 {q[98]:.0f} ms "
                f"(n={len(latencies)}; target p99 ≤ 250 ms)"
            )
        else:
            print("publish → condition       no probe events found")
        if alarm_latencies:
            q = statistics.quantiles(alarm_latencies, n=100)
            print(
                f"publish → alarm stored    p50 {statistics.median(alarm_latencies):.0f} ms, "
                f"p99 {q[98]:.0f} ms (n={len(alarm_latencies)}; target p99 ≤ 250 ms)"
            )
        else:
            print("publish → alarm stored    no probe alarms found")
        print(
            f"ingest capacity           {capacity:,.0f} readings/s "
            "(saturated, backlog ≤ 800 messages)"
        )
        print(f"raw paho subscriber       {raw:,.0f} readings/s (same payloads, counts only)")
        print(
            f"ratio ingest / raw        {capacity / raw:.2f} (capacity / raw; goal ≥ 0.7)"
            if raw
            else "ratio                     n/a"
        )
        print(f"peak RSS per copy         {', '.join(f'{r / 1024:.0f} MiB' for r in rss)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
