"""Telemetry payload parsing (pure, no I/O): bytes from MQTT or HTTP → candidate readings.

Bad input never raises: each problem becomes a ``Rejection`` with a reason code, and the
valid readings of the same message are kept. The payload shapes are documented with
examples in docs/telemetry.md.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Reason codes (stable: they are counter names in the metrics endpoint) and their labels.
REASONS: dict[str, str] = {
    "malformed_json": "消息不是合法的 JSON",
    "bad_format": "消息结构不符（缺少监测项或数值等）",
    "unknown_device": "设备未登记或已停用",
    "unknown_metric": "设备没有该监测项",
    "wrong_unit": "单位与设备登记的不符",
    "non_numeric": "数值不是数字",
    "not_finite": "数值为 NaN 或无穷大",
    "bad_timestamp": "时间无法解析",
    "future_timestamp": "时间晚于当前时间",
    "too_old": "时间早于原始数据保留期",
    "duplicate": "重复数据（同一设备、监测项、时间已存在）",
    "processing_error": "处理出错的消息（已记录日志）",
}


@dataclass(frozen=True, slots=True)
class RawReading:
    """A reading as sent, before it is checked against the device registry."""

    device_code: str
    metric: str
    value: float
    unit: str | None
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused reading (or message) and why."""

    reason: str
    detail: str


@dataclass
class Parsed:
    """What one message yielded."""

    readings: list[RawReading] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def parse_timestamp(raw: Any, received_at: datetime) -> datetime | None:
    """Return the reading time: ISO 8601 (no offset: UTC) or epoch seconds / milliseconds."""
    if raw is None:
        return received_at
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            return None
        seconds = raw / 1000 if raw > 1e11 else raw
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(raw, str):
        try:
            at = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return None


def _number(raw: Any) -> tuple[float | None, str | None]:
    if isinstance(raw, bool) or raw is None:
        return None, "non_numeric"
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            return None, "non_numeric"
    else:
        return None, "non_numeric"
    if not math.isfinite(value):
        return None, "not_finite"
    return value, None


def _items(body: Any) -> list[tuple[Any, dict[str, Any]]] | None:
    """Flatten the accepted shapes into (item, inherited fields) pairs; None if unknown."""
    if isinstance(body, list):
        return [(item, {}) for item in body]
    if not isinstance(body, dict):
        return None
    inherited = {k: body[k] for k in ("device", "ts") if k in body}
    if "readings" in body:
        readings = body["readings"]
        if not isinstance(readings, list):
            return None
        return [(item, inherited) for item in readings]
    if "values" in body:
        values = body["values"]
        if not isinstance(values, dict):
            return None
        raw_units = body.get("units")
        units: dict[str, Any] = raw_units if isinstance(raw_units, dict) else {}
        return [
            ({"metric": metric, "value": value, "unit": units.get(metric)}, inherited)
            for metric, value in values.items()
        ]
    return [(body, {})]


def parse_message(
    payload: bytes | str | Any,
    received_at: datetime,
    *,
    device_code: str | None = None,
) -> Parsed:
    """Parse one message; ``device_code`` (from the MQTT topic) applies to every reading."""
    out = Parsed()
    body: Any = payload
    if isinstance(payload, bytes | str):
        try:
            body = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            out.rejections.append(Rejection("malformed_json", str(exc)[:200]))
            return out
    items = _items(body)
    if items is None:
        out.rejections.append(Rejection("bad_format", "顶层应为对象或数组"))
        return out
    for item, inherited in items:
        reading, rejection = _reading(item, inherited, device_code, received_at)
        if reading is not None:
            out.readings.append(reading)
        elif rejection is not None:
            out.rejections.append(rejection)
    return out


def _reading(
    item: Any, inherited: dict[str, Any], topic_device: str | None, received_at: datetime
) -> tuple[RawReading | None, Rejection | None]:
    if not isinstance(item, dict):
        return None, Rejection("bad_format", "读数应为对象")
    metric = item.get("metric")
    if not isinstance(metric, str) or not metric or "value" not in item:
        return None, Rejection("bad_format", "读数缺少 metric 或 value")
    device = item.get("device", inherited.get("device"))
    if topic_device is not None:
        if device is not None and device != topic_device:
            return None, Rejection("unknown_device", f"{device} 与主题中的设备 {topic_device} 不符")
        device = topic_device
    if not isinstance(device, str) or not device:
        return None, Rejection("bad_format", "读数缺少 device")
    value, problem = _number(item.get("value"))
    if value is None:
        return None, Rejection(
            problem or "non_numeric", f"{device}/{metric}: {item.get('value')!r}"[:200]
        )
    at = parse_timestamp(item.get("ts", inherited.get("ts")), received_at)
    if at is None:
        return None, Rejection("bad_timestamp", f"{device}/{metric}: {item.get('ts')!r}"[:200])
    unit = item.get("unit")
    if unit is not None and not isinstance(unit, str):
        return None, Rejection("wrong_unit", f"{device}/{metric}: {unit!r}"[:200])
    return RawReading(device, metric, value, unit, at), None
