"""Monitoring reads: devices (scoped by the actor), readings, rule config and state, metrics.

Actor-facing queries are scoped by jurisdiction (division prefix) or, for an enterprise
officer, by enterprise; a device outside the scope is NotFound. ``load_devices`` is the
unscoped system read the ingest process uses to resolve device codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.monitoring.models import Device, Reading, Rejection, RuleConfig, RuleState
from yingji.monitoring.payloads import REASONS
from yingji.monitoring.rules import (
    DEFAULT_CONFIG,
    DEVICE_KINDS,
    AlarmRule,
    MonitoringConfig,
    effective_rules,
    parse_rules,
)
from yingji.monitoring.schemas import (
    DeviceRead,
    MetricDef,
    MetricsRead,
    ReadingRead,
    RejectionRead,
    RuleConfigRead,
    RuleStateRead,
)


def is_online(device: Device, now: datetime, config: MonitoringConfig = DEFAULT_CONFIG) -> bool:
    """Tell whether the device reported within interval × the no-data factor."""
    if device.last_seen_at is None:
        return False
    return now - device.last_seen_at <= timedelta(
        seconds=device.interval_seconds * config.no_data_factor
    )


def device_read(device: Device, now: datetime) -> DeviceRead:
    """Return the API view of a device."""
    kind = DEVICE_KINDS.get(device.kind)
    return DeviceRead.of(
        device,
        kind_label=kind.label if kind else device.kind,
        metrics=[MetricDef.model_validate(m) for m in device.metrics],
        online=is_online(device, now),
        retired=device.retired_at is not None,
    )


def _scoped(actor: Actor) -> Any:
    return scope_clause(actor, Device.division_code, Device.enterprise_id)


def get_device_row(session: Session, actor: Actor, device_id: int) -> Device:
    """Return the device if the actor may see it (NotFound otherwise)."""
    device = session.scalar(select(Device).where(Device.id == device_id, _scoped(actor)))
    if device is None:
        raise NotFound("设备不存在")
    return device


def get_device(session: Session, actor: Actor, device_id: int, now: datetime) -> DeviceRead:
    """Return a visible device (NotFound outside the actor's scope)."""
    return device_read(get_device_row(session, actor, device_id), now)


def list_devices(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    kind: str | None = None,
    online: bool | None = None,
    include_retired: bool = False,
) -> list[DeviceRead]:
    """List the devices the actor may see, by code."""
    stmt = select(Device).where(_scoped(actor)).order_by(Device.code)
    if kind:
        stmt = stmt.where(Device.kind == kind)
    if not include_retired:
        stmt = stmt.where(Device.retired_at.is_(None))
    out = [device_read(d, now) for d in session.scalars(stmt)]
    if online is not None:
        out = [d for d in out if d.online == online]
    return out


def list_readings(
    session: Session,
    device_id: int,
    *,
    metric: str | None = None,
    since: datetime | None = None,
    after_id: int | None = None,
    limit: int = 500,
) -> list[tuple[int, ReadingRead]]:
    """Return (id, reading) of a device, oldest first (the caller checked visibility)."""
    stmt = select(Reading).where(Reading.device_id == device_id)
    if metric:
        stmt = stmt.where(Reading.metric == metric)
    if since is not None:
        stmt = stmt.where(Reading.observed_at >= since)
    if after_id is not None:
        stmt = stmt.where(Reading.id > after_id)
    # Newest ``limit`` rows, returned oldest first for charts.
    rows = list(session.scalars(stmt.order_by(Reading.observed_at.desc()).limit(limit)))
    rows.reverse()
    return [
        (r.id, ReadingRead(metric=r.metric, observed_at=r.observed_at, value=r.value)) for r in rows
    ]


def accumulations(
    session: Session, device_id: int, metric: str, now: datetime, hours: Sequence[int]
) -> dict[int, float]:
    """Return the sums of a metric over the last ``hours`` (rain gauges: 1/3/6/12/24 h)."""
    out: dict[int, float] = {}
    for h in hours:
        total = session.scalar(
            select(func.coalesce(func.sum(Reading.value), 0.0)).where(
                Reading.device_id == device_id,
                Reading.metric == metric,
                Reading.observed_at > now - timedelta(hours=h),
                Reading.observed_at <= now,
            )
        )
        out[h] = round(float(total or 0.0), 3)
    return out


def rule_states(session: Session, device_id: int) -> list[RuleStateRead]:
    """Return the evaluation state of each rule of a device."""
    rows = session.scalars(
        select(RuleState).where(RuleState.device_id == device_id).order_by(RuleState.rule_key)
    )
    return [RuleStateRead.of(r) for r in rows]


def rejections(session: Session) -> list[RejectionRead]:
    """Return every rejection counter (zero for reasons never seen)."""
    rows = {r.reason: r for r in session.scalars(select(Rejection))}
    out = []
    for reason, label in REASONS.items():
        row = rows.get(reason)
        out.append(
            RejectionRead(
                reason=reason,
                label=label,
                count=int(row.count) if row else 0,
                last_at=row.last_at if row else None,
                last_detail=row.last_detail if row else None,
            )
        )
    return out


def metrics(session: Session, actor: Actor, now: datetime) -> MetricsRead:
    """Return ingest health figures (readings and rejections are platform-wide counts)."""
    counts = {r.reason: r.count for r in rejections(session)}
    devices = list_devices(session, actor, now)
    visible = [d.id for d in devices]
    active = 0
    if visible:
        active = int(
            session.scalar(
                select(func.count())
                .select_from(RuleState)
                .where(RuleState.device_id.in_(visible), RuleState.active_level.is_not(None))
            )
            or 0
        )
    return MetricsRead(
        readings_stored=int(session.scalar(select(func.count()).select_from(Reading)) or 0),
        rejected=counts,
        rejected_total=sum(counts.values()),
        devices=len(devices),
        devices_online=sum(1 for d in devices if d.online),
        active_conditions=active,
    )


# --- rule configuration -------------------------------------------------------------------------


def configured_rules(session: Session, scope: str, target: str) -> list[AlarmRule] | None:
    """Return the rules stored for a kind or device (None: nothing configured)."""
    row = session.scalar(
        select(RuleConfig).where(RuleConfig.scope == scope, RuleConfig.target == target)
    )
    return parse_rules(row.rules) if row is not None else None


def device_rules(session: Session, device: Device) -> list[AlarmRule]:
    """Return the rules in effect for a device (kind config or defaults + overrides)."""
    return effective_rules(
        device.kind,
        configured_rules(session, "kind", device.kind),
        configured_rules(session, "device", str(device.id)),
    )


def rule_config(session: Session, scope: str, target: str, kind: str) -> RuleConfigRead:
    """Return the configured and the effective rules of a kind or a device."""
    configured = configured_rules(session, scope, target)
    if scope == "kind":
        effective = effective_rules(kind, configured, None)
    else:
        effective = effective_rules(kind, configured_rules(session, "kind", kind), configured)
    return RuleConfigRead(
        scope=scope,
        target=target,
        configured=[r.model_dump(mode="json") for r in configured]
        if configured is not None
        else None,
        effective=[r.model_dump(mode="json") for r in effective],
    )


# --- the ingest process's view of devices -------------------------------------------------------


@dataclass
class DeviceInfo:
    """What ingest needs about a device: identity, metrics with units, links, rules."""

    id: int
    code: str
    name: str
    kind: str
    units: dict[str, str]
    labels: dict[str, str]
    division_code: str
    enterprise_id: int | None
    risk_point_id: int | None
    major_hazard_id: int | None
    longitude: float | None
    latitude: float | None
    interval_seconds: int
    rules: list[AlarmRule] = field(default_factory=list)


def load_devices(
    session: Session, codes: Iterable[str], actor: Actor | None = None
) -> dict[str, DeviceInfo]:
    """Return active devices by code with their effective rules (scoped when ``actor``)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    out: dict[str, DeviceInfo] = {}
    kind_cache: dict[str, list[AlarmRule] | None] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(Device).where(
            Device.code.in_(wanted[start : start + 500]), Device.retired_at.is_(None)
        )
        if actor is not None:
            stmt = stmt.where(_scoped(actor))
        devices = list(session.scalars(stmt))
        overrides = {
            row.target: parse_rules(row.rules)
            for row in session.scalars(
                select(RuleConfig).where(
                    RuleConfig.scope == "device",
                    RuleConfig.target.in_([str(d.id) for d in devices]),
                )
            )
        }
        for d in devices:
            if d.kind not in kind_cache:
                kind_cache[d.kind] = configured_rules(session, "kind", d.kind)
            out[d.code] = DeviceInfo(
                id=d.id,
                code=d.code,
                name=d.name,
                kind=d.kind,
                units={m["code"]: m["unit"] for m in d.metrics},
                labels={m["code"]: m.get("label") or m["code"] for m in d.metrics},
                division_code=d.division_code,
                enterprise_id=d.enterprise_id,
                risk_point_id=d.risk_point_id,
                major_hazard_id=d.major_hazard_id,
                longitude=d.longitude,
                latitude=d.latitude,
                interval_seconds=d.interval_seconds,
                rules=effective_rules(d.kind, kind_cache[d.kind], overrides.get(str(d.id))),
            )
    return out
