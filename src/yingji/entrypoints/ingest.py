"""The MQTT ingest process (``yingji ingest``): telemetry from the broker into the database.

Delivery guarantees, and how they are kept:

* QoS 1 on a persistent session (MQTT 5, ``clean_start=False``, a session expiry and a fixed
  client id per copy), so messages published while the process is down wait at the broker.
* Manual acknowledgement: a message is PUBACKed only after the batch holding it is
  committed. A process killed at any point loses nothing; the broker redelivers what was not
  acknowledged, and the unique (device, metric, time) key stores nothing twice.
* A bounded in-flight window: MQTT 5 *Receive Maximum* tells the broker how many
  unacknowledged messages this copy may hold, which bounds memory and gives back-pressure.
* N copies share the load on the shared subscription ``$share/<group>/<prefix>/+``.
* Bad input never stops the loop (the service counts it); a database outage stops acking
  and retries with back-off, so messages wait at the broker instead of being dropped.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy.exc import OperationalError

from yingji.core.actor import system_actor
from yingji.core.web.context import AppContext
from yingji.monitoring import service
from yingji.monitoring.rules import config_from

log = logging.getLogger("yingji.ingest")


@dataclass
class IngestOptions:
    """How one ingest copy connects and batches."""

    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = ""
    group: str = "yingji"
    topic_prefix: str = "yingji/telemetry"
    # Unacknowledged messages the broker may hand this copy (MQTT 5 Receive Maximum).
    window: int = 2000
    batch_messages: int = 500
    batch_wait: float = 0.05
    # A pause this long between messages closes the batch early.
    batch_gap: float = 0.004
    session_expiry: int = 24 * 3600
    keepalive: int = 30
    username: str | None = None
    password: str | None = None

    def subscription(self) -> str:
        """Return the shared-subscription filter."""
        return f"$share/{self.group}/{self.topic_prefix}/+"


@dataclass
class IngestStats:
    """Counters of this process (the persisted ones live in the database)."""

    messages: int = 0
    batches: int = 0
    stored: int = 0
    rejected: int = 0
    raised: int = 0
    cleared: int = 0
    failures: int = 0
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class _Incoming:
    mid: int
    qos: int
    topic: str
    payload: bytes
    generation: int


def default_client_id(copy: int) -> str:
    """Return the fixed client id of copy ``copy`` on this host."""
    return f"yingji-ingest-{socket.gethostname()}-{copy}"


class IngestConsumer:
    """One ingest copy: a paho client feeding a batching writer thread."""

    def __init__(self, ctx: AppContext, options: IngestOptions) -> None:
        self.ctx = ctx
        self.options = options
        self.stats = IngestStats()
        self.catalog = service.DeviceCatalog()
        self.config = config_from(ctx.settings)
        self._queue: queue.Queue[_Incoming] = queue.Queue()
        self._generation = 0
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._writer: threading.Thread | None = None
        self._prefix_len = len(options.topic_prefix) + 1
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=options.client_id or default_client_id(0),
            protocol=mqtt.MQTTv5,
        )
        if options.username:
            self.client.username_pw_set(options.username, options.password)
        self.client.manual_ack_set(True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    # --- paho callbacks (network thread) ---

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.error("MQTT connect refused: %s", reason)
            return
        self._generation += 1
        client.subscribe(self.options.subscription(), qos=1)
        log.info(
            "connected as %s, subscribed %s", self.options.client_id, self.options.subscription()
        )

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, _mid: int, reasons: Any, _props: Any
    ) -> None:
        if any(getattr(r, "is_failure", False) for r in reasons):
            log.error("subscription refused: %s", reasons)
            return
        # Ready only once the broker confirmed the subscription: before that it drops
        # messages nobody subscribes to (a fresh session).
        self._connected.set()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        # Message ids belong to a connection: what is in the queue is acknowledged no more
        # (the broker redelivers it and the unique key drops the copy).
        self._generation += 1
        self._connected.clear()
        log.warning("MQTT disconnected: %s", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self._queue.put(
            _Incoming(msg.mid, msg.qos, msg.topic, bytes(msg.payload), self._generation)
        )

    # --- lifecycle ---

    def start(self, timeout: float = 10.0) -> None:
        """Connect and start the network loop and the writer thread."""
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.options.session_expiry
        props.ReceiveMaximum = max(1, min(self.options.window, 65535))
        self.client.connect(
            self.options.host,
            self.options.port,
            keepalive=self.options.keepalive,
            clean_start=False,
            properties=props,
        )
        self.client.loop_start()
        self._writer = threading.Thread(target=self._write_loop, name="ingest-writer", daemon=True)
        self._writer.start()
        if not self._connected.wait(timeout):
            raise RuntimeError(
                f"could not connect to MQTT at {self.options.host}:{self.options.port}"
            )

    def stop(self) -> None:
        """Finish the current batch, then disconnect (unacked messages stay at the broker)."""
        self._stop.set()
        if self._writer is not None:
            self._writer.join(timeout=30)
        self.client.disconnect()
        self.client.loop_stop()

    def wait(self) -> None:
        """Block until ``stop`` is called (signal handlers call it)."""
        while not self._stop.is_set():
            time.sleep(0.5)

    # --- writer thread ---

    def _take_batch(self) -> list[_Incoming]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        # Collect until the batch is full, the wait is over, or the stream pauses: the broker
        # sends at most its in-flight limit before it sees our acks, so waiting for more than
        # that only adds latency.
        deadline = time.monotonic() + self.options.batch_wait
        while len(batch) < self.options.batch_messages:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=min(remaining, self.options.batch_gap)))
            except queue.Empty:
                break
        return batch

    def _write_loop(self) -> None:
        while not self._stop.is_set():
            batch = self._take_batch()
            if batch:
                self.process(batch)
        # Drain what is already taken off the wire so a clean stop acks it.
        rest: list[_Incoming] = []
        while not self._queue.empty():
            rest.append(self._queue.get_nowait())
        if rest:
            self.process(rest)

    def _messages(self, batch: list[_Incoming]) -> list[service.Message]:
        return [service.Message(m.topic[self._prefix_len :], m.payload) for m in batch]

    def _store(self, batch: list[_Incoming]) -> None:
        with self.ctx.uow(system_actor("ingest")) as uow:
            result = service.ingest(
                uow, self._messages(batch), catalog=self.catalog, config=self.config
            )
            uow.commit()
        self.stats.stored += result.stored
        self.stats.rejected += sum(result.rejected.values())
        self.stats.raised += result.raised
        self.stats.cleared += result.cleared

    def process(self, batch: list[_Incoming]) -> None:
        """Store one batch in one transaction, then acknowledge its messages."""
        delay = 0.2
        while True:
            try:
                self._store(batch)
                break
            except OperationalError as exc:
                # The database is away or locked: acknowledge nothing, wait, try again; the
                # broker keeps the messages meanwhile.
                self.stats.failures += 1
                log.warning("database unavailable (%s); retrying in %.1fs", exc, delay)
                if self._stop.is_set():
                    return
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
            except Exception:  # one poisoned message must not stop ingest
                self.stats.failures += 1
                if len(batch) > 1:
                    half = len(batch) // 2
                    self.process(batch[:half])
                    self.process(batch[half:])
                    return
                log.exception(
                    "unprocessable message on %s; counted and acknowledged", batch[0].topic
                )
                self._count_failure(batch[0])
                break
        self.stats.batches += 1
        self.stats.messages += len(batch)
        generation = self._generation
        for m in batch:
            if m.qos > 0 and m.generation == generation:
                self.client.ack(m.mid, m.qos)

    def _count_failure(self, message: _Incoming) -> None:
        from yingji.monitoring.payloads import Rejection

        with self.ctx.uow(system_actor("ingest")) as uow:
            service.record_rejections(uow, [Rejection("processing_error", message.topic[:200])])
            uow.commit()


def run(ctx: AppContext, options: IngestOptions, *, report_every: float = 10.0) -> None:
    """Run one ingest copy until SIGTERM / SIGINT."""
    consumer = IngestConsumer(ctx, options)

    def _stop(_sig: int, _frame: Any) -> None:
        consumer._stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    consumer.start()
    last = time.monotonic()
    while not consumer._stop.is_set():
        time.sleep(0.5)
        if time.monotonic() - last >= report_every:
            last = time.monotonic()
            s = consumer.stats
            log.info(
                "messages=%d stored=%d rejected=%d raised=%d cleared=%d failures=%d",
                s.messages,
                s.stored,
                s.rejected,
                s.raised,
                s.cleared,
                s.failures,
            )
    consumer.stop()


def main() -> None:  # pragma: no cover - ``yingji ingest`` is the supported entry point
    """Run with options from the environment (``python -m yingji.entrypoints.ingest``)."""
    from yingji.bootstrap import build_context

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from yingji.core.privacy import install_log_masking

    install_log_masking()
    ctx = build_context()
    copy = int(os.environ.get("YINGJI_INGEST_COPY", "0"))
    run(ctx, IngestOptions(client_id=default_client_id(copy)))


if __name__ == "__main__":  # pragma: no cover
    main()
