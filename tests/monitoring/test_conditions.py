"""Rule evaluation through ingest: durations across batches, hysteresis, rainfall, no-data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from monitoring.helpers import iso, outbox, put, send
from yingji.core.clock import FixedClock
from yingji.core.web.context import AppContext
from yingji.monitoring.models import Reading, ReadingAggregate
from yingji.monitoring.models import RuleState as RuleStateRow
from yingji.monitoring.rules import GAS_RULE
from yingji.monitoring.tasks import check_silent_devices, downsample_readings

RAISED = "monitoring.condition_raised"
CLEARED = "monitoring.condition_cleared"


def _override(as_user: Any, device_id: int, **changes: Any) -> None:
    rule = GAS_RULE.model_copy(update=changes).model_dump(mode="json")
    r = put(
        as_user("bureau"), f"/api/v1/monitoring/rules/devices/{device_id}", json={"rules": [rule]}
    )
    assert r.status_code == 200, r.text


def test_gas_high_high_for_duration_raises_once_and_clears_by_hysteresis(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int], as_user: Any
) -> None:
    ctx.clock = clock
    _override(as_user, devices["GAS-A1"], for_seconds=60, hysteresis=5.0)
    t0 = clock.now() - timedelta(minutes=30)
    # One message per reading, 15 s apart: each batch is its own transaction, so the
    # pending duration must come from the database (as after a restart).
    values = [10, 55, 56, 57, 58, 59, 60, 58, 47, 46, 30, 21, 19]
    for i, v in enumerate(values):
        send(
            ctx, "GAS-A1", {"metric": "gas", "value": v, "ts": iso(t0 + timedelta(seconds=15 * i))}
        )
    raised = outbox(ctx, RAISED)
    # 55 from 15 s: red after 60 s (at 75 s); orange is reached at the same time but red
    # wins. 47 and 46 stay red (≥ 50-5); 30 at 150 s → orange; 21 stays; 19 < 25-5 clears.
    assert [(e["level"], e["observed_at"]) for e in raised] == [
        ("red", iso(t0 + timedelta(seconds=75)).replace("+00:00", "Z")),
        ("orange", iso(t0 + timedelta(seconds=150)).replace("+00:00", "Z")),
    ]
    cleared = outbox(ctx, CLEARED)
    assert len(cleared) == 1
    assert cleared[0]["rule_key"] == "gas.setpoints"
    with ctx.session_factory() as session:
        state = session.scalar(select(RuleStateRow).where(RuleStateRow.rule_key == "gas.setpoints"))
    assert state is not None
    assert state.active_level is None


def test_rainfall_crossing_3h_orange_threshold_raises(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int]
) -> None:
    ctx.clock = clock
    start = clock.now() - timedelta(hours=3)
    # 5-minute increments: 1 mm each for the first 2 h (24 mm), then 3 mm each.
    readings = []
    for i in range(36):
        value = 1.0 if i < 24 else 3.0
        readings.append(
            {
                "metric": "rainfall",
                "value": value,
                "unit": "mm",
                "ts": iso(start + timedelta(minutes=5 * (i + 1))),
            }
        )
    # Sent in three batches, as a gauge backlog would arrive.
    for chunk in (readings[:12], readings[12:24], readings[24:]):
        send(ctx, "RAIN-A1", {"readings": chunk})
    raised = outbox(ctx, RAISED)
    assert [e["level"] for e in raised] == ["orange"]
    event = raised[0]
    assert event["level_label"] == "暴雨橙色"
    assert event["rule_key"] == "rain.rainstorm_signal"
    # 24 + 3 × 9 = 51 mm over 3 h at the 33rd reading.
    assert event["value"] == 51.0
    assert "3 小时" in event["message"]


def test_no_data_fires_on_time_and_clears_on_data(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int]
) -> None:
    ctx.clock = clock
    send(ctx, "GAS-A1", {"metric": "gas", "value": 1})
    for code in ("RAIN-A1", "GAS-B1"):
        send(ctx, code, {"metric": "gas" if "GAS" in code else "rainfall", "value": 0})
    # 60 s interval × 2: silent at 121 s, not at 119 s.
    clock.advance(timedelta(seconds=119))
    assert check_silent_devices(ctx, clock.now()) == 0
    clock.advance(timedelta(seconds=2))
    assert check_silent_devices(ctx, clock.now()) == 2  # both gas detectors (60 s)
    assert check_silent_devices(ctx, clock.now()) == 0  # fired once, not again
    raised = [e for e in outbox(ctx, RAISED) if e["rule_key"] == "no_data"]
    assert {e["device_code"] for e in raised} == {"GAS-A1", "GAS-B1"}
    assert all(e["metric"] == "_silence" and e["level"] == "yellow" for e in raised)
    clock.advance(timedelta(seconds=5))
    send(ctx, "GAS-A1", {"metric": "gas", "value": 1})
    cleared = outbox(ctx, CLEARED)
    assert [(e["device_code"], e["rule_key"], e["metric"]) for e in cleared] == [
        ("GAS-A1", "no_data", "_silence")
    ]
    # Rain gauge (300 s) goes silent later, on its own interval.
    clock.advance(timedelta(seconds=600))
    assert check_silent_devices(ctx, clock.now()) == 2  # rain gauge, and GAS-A1 again


def test_downsampling_folds_old_readings_and_is_idempotent(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int]
) -> None:
    ctx.clock = clock
    t0 = clock.now().replace(minute=0) - timedelta(days=20)
    send(
        ctx,
        "GAS-A1",
        {
            "readings": [
                {"metric": "gas", "value": float(i), "ts": iso(t0 + timedelta(minutes=10 * i))}
                for i in range(12)
            ]
        },
    )
    send(ctx, "GAS-A1", {"metric": "gas", "value": 7.0})
    clock.advance(timedelta(days=11))  # the first 12 readings are now past 30 days
    assert downsample_readings(ctx, clock.now()) == 12
    assert downsample_readings(ctx, clock.now()) == 0
    with ctx.session_factory() as session:
        aggs = list(
            session.scalars(select(ReadingAggregate).order_by(ReadingAggregate.bucket_start))
        )
        left = session.scalar(select(func.count()).select_from(Reading))
    assert left == 1
    assert [(a.count, a.minimum, a.maximum, a.total) for a in aggs] == [
        (6, 0.0, 5.0, 15.0),
        (6, 6.0, 11.0, 51.0),
    ]
