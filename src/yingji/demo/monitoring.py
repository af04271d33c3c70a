"""Demo monitoring data: gas detectors and tank gauges at the gas and chemical enterprises,
rain gauges and an anemometer in the first townships, with three hours of readings.

Idempotent: a device is registered once (by code) and gets its history only when it is new.
One rain gauge's history crosses the 3-hour 暴雨橙色 threshold, so the demo shows a live
alarm condition; everything goes through ``monitoring.service`` like real telemetry.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from yingji.demo.state import SeedState
from yingji.geo.models import Division
from yingji.monitoring import service
from yingji.monitoring.models import Device
from yingji.monitoring.schemas import DeviceCreate

_GAS_WORDS = ("燃气", "气体", "化工", "LNG", "液化")
_STEP = timedelta(minutes=5)
_HISTORY = 36  # three hours of 5-minute readings


def _specs(state: SeedState) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    gas_enterprises = [
        (name, eid) for name, eid in state.enterprises.items() if any(w in name for w in _GAS_WORDS)
    ]
    for n, (name, enterprise_id) in enumerate(gas_enterprises[:4], start=1):
        specs.append(
            {
                "code": f"DEMO-GAS-{n:03d}",
                "name": f"{name} 罐区可燃气体探测器",
                "kind": "combustible_gas",
                "enterprise_id": enterprise_id,
                "site_name": "储罐区",
                "interval_seconds": 300,
            }
        )
        specs.append(
            {
                "code": f"DEMO-TANK-{n:03d}",
                "name": f"{name} 1号储罐",
                "kind": "tank",
                "enterprise_id": enterprise_id,
                "site_name": "1号储罐",
                "interval_seconds": 300,
            }
        )
    towns = list(
        state.uow.session.scalars(
            select(Division.code)
            .where(Division.code.startswith(state.district_code), Division.level == "township")
            .order_by(Division.code)
            .limit(3)
        )
    )
    for n, town in enumerate(towns, start=1):
        specs.append(
            {
                "code": f"DEMO-RAIN-{n:03d}",
                "name": f"雨量站 {n} 号",
                "kind": "rain_gauge",
                "division_code": town,
                "interval_seconds": 300,
            }
        )
    if towns:
        specs.append(
            {
                "code": "DEMO-WIND-001",
                "name": "区气象站风速计",
                "kind": "wind",
                "division_code": towns[0],
                "interval_seconds": 300,
            }
        )
    return specs


def _history(code: str, kind: str, index: int) -> list[dict[str, Any]]:
    """Return (minutes back, metric, value) readings for a device kind (deterministic)."""
    out: list[dict[str, Any]] = []
    for step in range(_HISTORY):
        wave = math.sin((step + index) / 5)
        if kind == "combustible_gas":
            out.append({"metric": "gas", "value": round(max(0.0, 3 + 2 * wave), 2)})
        elif kind == "tank":
            out += [
                {"metric": "level", "value": round(6.5 + 0.3 * wave, 3)},
                {"metric": "temperature", "value": round(18 + wave, 2)},
                {"metric": "pressure", "value": round(0.35 + 0.02 * wave, 4)},
            ]
        elif kind == "rain_gauge":
            # Gauge 1 sees a downpour in the last hour (≥ 50 mm in 3 h: 暴雨橙色).
            heavy = code.endswith("001") and step >= _HISTORY - 12
            out.append(
                {"metric": "rainfall", "value": 4.0 if heavy else round(0.5 + 0.4 * wave, 1)}
            )
        elif kind == "wind":
            out.append({"metric": "wind_speed", "value": round(4 + 2 * wave, 1)})
    return out


def seed(state: SeedState) -> None:
    """Register the demo devices and give the new ones three hours of readings."""
    devices = state.tally("monitoring devices 感知设备")
    readings = state.tally("monitoring readings 监测数据")
    session = state.uow.session
    now = state.uow.clock.now().replace(second=0, microsecond=0)
    for index, spec in enumerate(_specs(state)):
        if session.scalar(select(Device.id).where(Device.code == spec["code"])) is not None:
            devices.existing += 1
            continue
        service.register_device(state.uow, DeviceCreate.model_validate(spec))
        devices.created += 1
        rows = _history(spec["code"], spec["kind"], index)
        per_step = max(1, len(rows) // _HISTORY)
        items = []
        for position, row in enumerate(rows):
            at = now - _STEP * (_HISTORY - position // per_step)
            items.append({**row, "ts": at.isoformat()})
        result = service.ingest(state.uow, [service.Message(spec["code"], json.dumps(items))])
        readings.created += result.stored
