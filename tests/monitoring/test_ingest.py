"""Ingest through the service and the HTTP API: bad input is counted, good input stored."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from monitoring.helpers import iso, outbox, send
from yingji.core.audit import AuditEntry
from yingji.core.clock import FixedClock
from yingji.core.web.context import AppContext
from yingji.monitoring.models import Reading, Rejection


def _stored(ctx: AppContext) -> int:
    with ctx.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Reading)) or 0)


def _counters(ctx: AppContext) -> dict[str, int]:
    with ctx.session_factory() as session:
        return {r.reason: int(r.count) for r in session.scalars(select(Rejection))}


def test_every_bad_input_class_is_counted_and_ingest_continues(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int]
) -> None:
    ctx.clock = clock
    now = clock.now()
    good = {"metric": "gas", "value": 1.0, "ts": iso(now)}
    cases: list[tuple[str, str | None, Any]] = [
        ("malformed_json", "GAS-A1", b'{"metric": "gas", "value": 1'),
        ("bad_format", "GAS-A1", {"readings": [{"value": 3}]}),
        ("unknown_device", "NOPE-9", {"metric": "gas", "value": 1}),
        ("unknown_metric", "GAS-A1", {"metric": "co2", "value": 1}),
        ("wrong_unit", "GAS-A1", {"metric": "gas", "value": 1, "unit": "ppm"}),
        ("non_numeric", "GAS-A1", {"metric": "gas", "value": "high"}),
        ("not_finite", "GAS-A1", b'{"metric": "gas", "value": NaN}'),
        ("not_finite", "GAS-A1", b'{"metric": "gas", "value": Infinity}'),
        ("bad_timestamp", "GAS-A1", {"metric": "gas", "value": 1, "ts": "yesterday"}),
        (
            "future_timestamp",
            "GAS-A1",
            {"metric": "gas", "value": 1, "ts": iso(now + timedelta(hours=2))},
        ),
        ("too_old", "GAS-A1", {"metric": "gas", "value": 1, "ts": iso(now - timedelta(days=90))}),
    ]
    for index, (reason, code, payload) in enumerate(cases):
        before = _counters(ctx).get(reason, 0)
        result = send(ctx, code, payload)
        assert result.stored == 0, reason
        assert result.rejected == {reason: 1}, reason
        assert _counters(ctx)[reason] == before + 1
        # The next valid message is stored: one bad message never stops ingest.
        ok = send(ctx, "GAS-A1", {**good, "ts": iso(now - timedelta(seconds=index + 1))})
        assert ok.stored == 1
        assert ok.rejected == {}
    assert _stored(ctx) == len(cases)


def test_valid_readings_of_a_mixed_message_are_kept(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int]
) -> None:
    ctx.clock = clock
    t = clock.now() - timedelta(minutes=5)
    payload = {
        "ts": iso(t),
        "readings": [
            {"metric": "gas", "value": 3.5, "unit": "%LEL"},
            {"metric": "gas", "value": "x", "ts": iso(t + timedelta(seconds=1))},
            {"metric": "gas", "value": 4.0, "ts": iso(t + timedelta(seconds=2))},
            {"metric": "gas", "value": 4.5, "ts": iso(t + timedelta(seconds=2))},  # same key
        ],
    }
    result = send(ctx, "GAS-A1", payload)
    assert result.stored == 2
    assert result.rejected == {"non_numeric": 1, "duplicate": 1}
    # Redelivered (MQTT QoS 1 after a crash): nothing stored twice, counted as duplicates.
    again = send(ctx, "GAS-A1", payload)
    assert again.stored == 0
    assert again.rejected == {"non_numeric": 1, "duplicate": 3}
    assert _stored(ctx) == 2


def test_batch_is_audited_in_its_transaction(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int]
) -> None:
    ctx.clock = clock
    send(ctx, "GAS-A1", {"metric": "gas", "value": 1})
    with ctx.session_factory() as session:
        row = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "monitoring.reading.ingest")
        )
    assert row is not None
    assert row.after is not None
    assert row.after["stored"] == 1


def test_http_batch_ingest_scoped_to_the_sender(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int], as_user: Any
) -> None:
    ctx.clock = clock
    now = clock.now()
    body = {
        "readings": [
            {"device": "GAS-A1", "metric": "gas", "value": 2.0, "ts": iso(now)},
            {"device": "GAS-B1", "metric": "gas", "value": 2.0, "ts": iso(now)},
            {"device": "RAIN-A1", "metric": "rainfall", "value": 0.5, "unit": "mm", "ts": iso(now)},
            {"metric": "gas", "value": 1},
        ]
    }
    r = as_user("town_a").post("/api/v1/telemetry", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 2
    # Town B's device is outside town A's jurisdiction: refused as unknown.
    assert r.json()["rejected"] == {"unknown_device": 1, "bad_format": 1}
    assert as_user("grid_a").post("/api/v1/telemetry", json=body).status_code == 403
    r = as_user("bureau").post("/api/v1/telemetry", json=body)
    assert r.json()["stored"] == 1  # GAS-B1 only; the rest are duplicates now


def test_metrics_and_rejection_counters(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int], as_user: Any
) -> None:
    ctx.clock = clock
    send(ctx, "GAS-A1", b"garbage")
    send(ctx, "GAS-A1", {"metric": "gas", "value": 1})
    m = as_user("bureau").get("/api/v1/monitoring/metrics").json()
    assert m["readings_stored"] == 1
    assert m["rejected"]["malformed_json"] == 1
    assert m["rejected_total"] == 1
    assert m["devices"] == 3
    assert m["devices_online"] == 1
    text = as_user("bureau").get("/api/v1/monitoring/metrics/prometheus").text
    assert 'yingji_ingest_rejected_total{reason="malformed_json"} 1' in text
    rows = as_user("town_a").get("/api/v1/monitoring/rejections").json()
    assert {r["reason"]: r["count"] for r in rows}["malformed_json"] == 1
    assert as_user("town_b").get("/api/v1/monitoring/metrics").json()["devices"] == 1


def test_no_condition_event_per_reading(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int]
) -> None:
    ctx.clock = clock
    t0 = clock.now() - timedelta(minutes=10)
    for i in range(20):
        send(
            ctx,
            "GAS-A1",
            {"metric": "gas", "value": 30.0 + (i % 3), "ts": iso(t0 + timedelta(seconds=10 * i))},
        )
    raised = outbox(ctx, "monitoring.condition_raised")
    assert len(raised) == 1
    event = raised[0]
    assert event["level"] == "orange"
    assert event["level_label"] == "一级报警"
    assert event["device_code"] == "GAS-A1"
    assert event["division_code"] == "500153001"
    assert math.isclose(event["threshold"], 25.0)
    assert "一级报警" in event["message"]
