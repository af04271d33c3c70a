"""Monitoring writes: devices, rule configuration, telemetry ingest, no-data and retention.

``ingest`` is the heart: one call handles a batch of messages in the caller's unit of work —
readings go in with one multi-row insert that ignores (device, metric, time) already
stored, rejections are added to the persisted counters, rules are evaluated on the readings
actually inserted, and a condition event is announced only when a rule's level changes.
The caller (HTTP request or the MQTT ingest loop) commits once per batch and only then
acknowledges the messages.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import covers_division
from yingji.core.actor import Actor
from yingji.core.errors import FieldError, NotFound, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.enterprises.queries import enterprise_division
from yingji.geo.queries import locate
from yingji.geo.schemas import township_of
from yingji.monitoring.events import AlarmConditionCleared, AlarmConditionRaised
from yingji.monitoring.models import Device, Reading, ReadingAggregate, Rejection, RuleConfig
from yingji.monitoring.models import RuleState as RuleStateRow
from yingji.monitoring.payloads import RawReading, parse_message
from yingji.monitoring.payloads import Rejection as RejectedInput
from yingji.monitoring.queries import DeviceInfo, device_read, get_device_row, load_devices
from yingji.monitoring.rules import (
    DEFAULT_CONFIG,
    DEVICE_KINDS,
    NO_DATA_METRIC,
    NO_DATA_RULE,
    AlarmRule,
    MonitoringConfig,
    RuleState,
    RuleType,
    Transition,
    condition_message,
    is_silent,
    parse_rules,
    step,
    unit_matches,
)
from yingji.monitoring.schemas import DeviceCreate, DeviceRead, DeviceUpdate, IngestResult

DEVICE_WRITERS = frozenset(
    {Role.ADMIN, Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICER, Role.ENTERPRISE_OFFICER}
)
KIND_RULE_WRITERS = frozenset({Role.ADMIN, Role.BUREAU_STAFF})
TELEMETRY_SENDERS = frozenset(
    {
        Role.ADMIN,
        Role.BUREAU_STAFF,
        Role.TOWNSHIP_OFFICER,
        Role.DEPARTMENT_OFFICER,
        Role.ENTERPRISE_OFFICER,
    }
)


def _require(actor: Actor, roles: frozenset[Role], what: str) -> None:
    require_role(actor, roles, f"无权{what}", or_system=True)


# --- devices ------------------------------------------------------------------------------------


def _enterprise_division(session: Session, enterprise_id: int) -> str | None:
    return enterprise_division(session, enterprise_id)


def register_device(uow: UnitOfWork, data: DeviceCreate) -> DeviceRead:
    """Register a device in the actor's scope; metrics default to those of its kind."""
    actor = uow.actor
    _require(actor, DEVICE_WRITERS, "登记设备")
    session = uow.session
    enterprise_id = data.enterprise_id
    if actor.enterprise_id is not None:
        if enterprise_id not in (None, actor.enterprise_id):
            raise NotFound("企业不存在")
        enterprise_id = actor.enterprise_id
    division = data.division_code
    if enterprise_id is not None:
        ent_division = _enterprise_division(session, enterprise_id)
        if ent_division is None:
            raise ValidationFailed([FieldError("enterprise_id", "企业不存在")])
        if division is not None and not division.startswith(township_of(ent_division)):
            # An enterprise's device stands on its premises: in the enterprise's township.
            raise ValidationFailed([FieldError("division_code", "行政区划不在企业所在镇街")])
        division = division or ent_division
    if division is None:
        raise ValidationFailed([FieldError("division_code", "请填写所属行政区划或所属企业")])
    if actor.enterprise_id is None and not actor.is_system and not covers_division(actor, division):
        raise ValidationFailed([FieldError("division_code", "行政区划不在本人管辖范围内")])
    _check_position(session, division, data.longitude, data.latitude)
    if session.scalar(select(Device.id).where(Device.code == data.code)) is not None:
        raise ValidationFailed([FieldError("code", f"设备编码 {data.code} 已存在")])
    metrics = (
        [m.model_dump() for m in data.metrics]
        if data.metrics
        else [
            {"code": m.code, "unit": m.unit, "label": m.label}
            for m in DEVICE_KINDS[data.kind].metrics
        ]
    )
    device = Device(
        code=data.code,
        name=data.name,
        kind=data.kind,
        metrics=metrics,
        division_code=division,
        site_name=data.site_name,
        longitude=data.longitude,
        latitude=data.latitude,
        enterprise_id=enterprise_id,
        department=data.department,
        risk_point_id=data.risk_point_id,
        major_hazard_id=data.major_hazard_id,
        linked_kind=data.linked_kind,
        linked_id=data.linked_id,
        linked_name=data.linked_name,
        interval_seconds=data.interval_seconds,
        created_at=uow.clock.now(),
    )
    session.add(device)
    session.flush()
    read = device_read(device, uow.clock.now())
    uow.audit(
        "monitoring.device.create",
        Device.__tablename__,
        device.id,
        after=read.model_dump(mode="json"),
    )
    return read


def _check_position(
    session: Session, division: str, longitude: float | None, latitude: float | None
) -> None:
    """Refuse a position outside the township of the device's division (its alarms are
    raised, and its readings counted, where the division says)."""
    if longitude is None or latitude is None:
        return
    found = locate(session, longitude, latitude)
    if found is None or not found.code.startswith(township_of(division)):
        raise ValidationFailed([FieldError("longitude", "设备位置不在所属行政区划的镇街内")])


def update_device(uow: UnitOfWork, device_id: int, data: DeviceUpdate) -> DeviceRead:
    """Change a visible device's details."""
    _require(uow.actor, DEVICE_WRITERS, "修改设备")
    device = get_device_row(uow.session, uow.actor, device_id)
    before = device_read(device, uow.clock.now()).model_dump(mode="json")
    changes = data.model_dump(exclude_unset=True)
    if "metrics" in changes and changes["metrics"] is not None:
        changes["metrics"] = [dict(m) for m in changes["metrics"]]
    for name, value in changes.items():
        setattr(device, name, value)
    if {"longitude", "latitude"} & changes.keys():
        _check_position(uow.session, device.division_code, device.longitude, device.latitude)
    uow.session.flush()
    read = device_read(device, uow.clock.now())
    uow.audit(
        "monitoring.device.update",
        Device.__tablename__,
        device.id,
        before=before,
        after=read.model_dump(mode="json"),
    )
    return read


def retire_device(uow: UnitOfWork, device_id: int, *, reason: str = "") -> None:
    """Retire a device: its telemetry is refused from now on, history stays."""
    _require(uow.actor, DEVICE_WRITERS, "停用设备")
    device = get_device_row(uow.session, uow.actor, device_id)
    if device.retired_at is None:
        device.retired_at = uow.clock.now()
        uow.audit(
            "monitoring.device.retire", Device.__tablename__, device.id, reason=reason or None
        )


# --- rule configuration -------------------------------------------------------------------------


def set_rules(
    uow: UnitOfWork, scope: str, target: str, raw_rules: list[dict[str, Any]] | None
) -> None:
    """Store the rules of a device kind or one device (None removes the configuration)."""
    actor = uow.actor
    session = uow.session
    if scope == "kind":
        _require(actor, KIND_RULE_WRITERS, "修改设备类型的报警规则")
        if target not in DEVICE_KINDS:
            raise NotFound("设备类型不存在")
    elif scope == "device":
        _require(actor, DEVICE_WRITERS, "修改设备的报警规则")
        get_device_row(session, actor, int(target))
    else:
        raise NotFound("规则范围不存在")
    rules: list[AlarmRule] | None = None
    if raw_rules is not None:
        try:
            rules = parse_rules(raw_rules)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise ValidationFailed([FieldError("rules", str(exc)[:500])]) from exc
    row = session.scalar(
        select(RuleConfig).where(RuleConfig.scope == scope, RuleConfig.target == target)
    )
    before = row.rules if row is not None else None
    if rules is None:
        if row is not None:
            session.delete(row)
    else:
        dumped = [r.model_dump(mode="json") for r in rules]
        if row is None:
            row = RuleConfig(scope=scope, target=target, rules=dumped)
            session.add(row)
        row.rules = dumped
        row.updated_at = uow.clock.now()
        row.updated_by = actor.username
    session.flush()
    uow.audit(
        "monitoring.rule_config.update",
        RuleConfig.__tablename__,
        f"{scope}:{target}",
        before={"rules": before},
        after={"rules": [r.model_dump(mode="json") for r in rules] if rules is not None else None},
    )


# --- ingest -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    """One telemetry message: the device code from the MQTT topic (if any) and the body."""

    device_code: str | None
    payload: bytes | str | Any


class DeviceCatalog:
    """The ingest process's cache of devices and their rules (refreshed every ``ttl``)."""

    def __init__(self, ttl: float = 30.0, miss_ttl: float = 5.0) -> None:
        self.ttl = ttl
        self.miss_ttl = miss_ttl
        self._devices: dict[str, DeviceInfo] = {}
        self._misses: dict[str, float] = {}
        self._loaded_at = 0.0

    def lookup(self, session: Session, codes: Iterable[str]) -> dict[str, DeviceInfo]:
        """Return the known devices among ``codes`` (unknown codes are re-checked lazily)."""
        now = time.monotonic()
        if now - self._loaded_at > self.ttl:
            self._devices.clear()
            self._misses.clear()
            self._loaded_at = now
        wanted = set(codes)
        missing = [
            c
            for c in wanted
            if c not in self._devices and now - self._misses.get(c, -1e9) > self.miss_ttl
        ]
        if missing:
            found = load_devices(session, missing)
            self._devices.update(found)
            for code in missing:
                if code not in found:
                    self._misses[code] = now
        return {c: self._devices[c] for c in wanted if c in self._devices}

    def invalidate(self) -> None:
        """Forget everything (after a device or rule change in this process)."""
        self._loaded_at = 0.0


def _insert(session: Session, model: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model)


def ingest(
    uow: UnitOfWork,
    messages: Sequence[Message],
    *,
    catalog: DeviceCatalog | None = None,
    config: MonitoringConfig = DEFAULT_CONFIG,
    scoped: bool = False,
) -> IngestResult:
    """Store a batch of telemetry messages, count what is refused, evaluate the rules.

    ``scoped`` limits the devices to the actor's jurisdiction (HTTP ingest by a person);
    a device outside it is refused as unknown.
    """
    if scoped:
        _require(uow.actor, TELEMETRY_SENDERS, "上报监测数据")
    session = uow.session
    now = uow.clock.now()
    result = IngestResult()
    rejected: list[RejectedInput] = []
    raw: list[RawReading] = []
    for message in messages:
        parsed = parse_message(message.payload, now, device_code=message.device_code)
        raw.extend(parsed.readings)
        rejected.extend(parsed.rejections)
    codes = {r.device_code for r in raw}
    if scoped:
        devices = load_devices(session, codes, uow.actor)
    elif catalog is not None:
        devices = catalog.lookup(session, codes)
    else:
        devices = load_devices(session, codes)
    earliest = now - timedelta(days=config.raw_retention_days)
    latest = now + timedelta(seconds=config.future_tolerance_seconds)
    rows: dict[tuple[int, str, datetime], tuple[int, str, datetime, float]] = {}
    for r in raw:
        device = devices.get(r.device_code)
        if device is None:
            rejected.append(RejectedInput("unknown_device", r.device_code[:100]))
            continue
        unit = device.units.get(r.metric)
        if unit is None:
            rejected.append(RejectedInput("unknown_metric", f"{r.device_code}/{r.metric}"[:200]))
            continue
        if not unit_matches(unit, r.unit):
            rejected.append(
                RejectedInput("wrong_unit", f"{r.device_code}/{r.metric}: {r.unit} ≠ {unit}"[:200])
            )
            continue
        if r.observed_at > latest:
            rejected.append(
                RejectedInput("future_timestamp", f"{r.device_code}: {r.observed_at.isoformat()}")
            )
            continue
        if r.observed_at < earliest:
            rejected.append(
                RejectedInput("too_old", f"{r.device_code}: {r.observed_at.isoformat()}")
            )
            continue
        key = (device.id, r.metric, r.observed_at)
        if key in rows:
            rejected.append(
                RejectedInput(
                    "duplicate", f"{r.device_code}/{r.metric}@{r.observed_at.isoformat()}"
                )
            )
            continue
        rows[key] = (device.id, r.metric, r.observed_at, r.value)
    inserted: list[tuple[int, str, datetime, float]] = []
    if rows:
        inserted = _insert_readings(session, list(rows.values()), now)
        duplicates = len(rows) - len(inserted)
        if duplicates:
            stored = {(d, m, a) for d, m, a, _v in inserted}
            for key in rows:
                if key not in stored:
                    rejected.append(
                        RejectedInput("duplicate", f"device {key[0]}/{key[1]}@{key[2].isoformat()}")
                    )
        touched = sorted({key[0] for key in rows})
        session.execute(
            update(Device).where(Device.id.in_(touched)).values(last_seen_at=now),
            execution_options={"synchronize_session": False},
        )
    result.stored = len(inserted)
    if inserted:
        by_id = {d.id: d for d in devices.values()}
        raised, cleared = _evaluate(uow, by_id, inserted)
        result.raised, result.cleared = raised, cleared
    if rejected:
        _count_rejections(session, rejected, now)
    result.rejected = dict(Counter(r.reason for r in rejected))
    if result.stored or rejected:
        uow.audit(
            "monitoring.reading.ingest",
            Reading.__tablename__,
            "batch",
            after={"messages": len(messages), **result.model_dump()},
        )
    return result


_INSERT_CHUNK = 500
_READING_COLUMNS = "device_id, metric, observed_at, value, received_at"


def _sqlite_time(at: datetime) -> str:
    # What SQLAlchemy's DateTime stores on SQLite (UTC, no offset): keys must compare equal.
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _insert_readings(
    session: Session, rows: list[tuple[int, str, datetime, float]], received_at: datetime
) -> list[tuple[int, str, datetime, float]]:
    """Insert readings, ignoring keys already stored; return the rows actually inserted.

    The volume path: one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per 500
    readings at the driver level. The ORM's per-value type processing cost more than the
    database itself here (see bench/bench_ingest.py); the table and key are the model's.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return _insert_readings_pg(conn, rows, received_at)
    received = _sqlite_time(received_at)
    by_key: dict[tuple[int, str, str], tuple[int, str, datetime, float]] = {}
    inserted: list[tuple[int, str, datetime, float]] = []
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = rows[start : start + _INSERT_CHUNK]
        params: list[Any] = []
        for device_id, metric, at, value in chunk:
            stamp = _sqlite_time(at)
            by_key[(device_id, metric, stamp)] = (device_id, metric, at, value)
            params.extend((device_id, metric, stamp, value, received))
        # Only constants and placeholders are interpolated; the values are bound parameters.
        sql = (
            f"INSERT INTO {Reading.__tablename__} ({_READING_COLUMNS}) VALUES "  # noqa: S608
            f"{','.join(['(?,?,?,?,?)'] * len(chunk))} "
            "ON CONFLICT (device_id, metric, observed_at) DO NOTHING "
            "RETURNING device_id, metric, observed_at"
        )
        for device_id, metric, stamp in conn.exec_driver_sql(sql, tuple(params)):
            inserted.append(by_key[(device_id, metric, stamp)])
    return inserted


def _insert_readings_pg(
    conn: Any, rows: list[tuple[int, str, datetime, float]], received_at: datetime
) -> list[tuple[int, str, datetime, float]]:
    # One statement for the whole batch: four arrays unnested server-side (a statement
    # with thousands of placeholders costs more to build client-side than to run).
    by_key = {(d, m, a): (d, m, a, v) for d, m, a, v in rows}
    sql = (
        f"INSERT INTO {Reading.__tablename__} ({_READING_COLUMNS}) "  # noqa: S608
        "SELECT d, m, o, v, %s FROM unnest(%s::integer[], %s::varchar[], "
        "%s::timestamptz[], %s::float8[]) AS t(d, m, o, v) "
        "ON CONFLICT (device_id, metric, observed_at) DO NOTHING "
        "RETURNING device_id, metric, observed_at"
    )
    params = (
        received_at,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )
    return [by_key[(d, m, a)] for d, m, a in conn.exec_driver_sql(sql, params)]


def record_rejections(uow: UnitOfWork, rejected: list[RejectedInput]) -> None:
    """Add refused input to the persisted counters (e.g. a message that broke ingest)."""
    _count_rejections(uow.session, rejected, uow.clock.now())
    uow.audit(
        "monitoring.reading.reject",
        Rejection.__tablename__,
        "counters",
        after={"rejected": len(rejected)},
    )


def _count_rejections(session: Session, rejected: list[RejectedInput], now: datetime) -> None:
    counts = Counter(r.reason for r in rejected)
    last = {r.reason: r.detail for r in rejected}
    for reason, n in sorted(counts.items()):
        stmt = _insert(session, Rejection).values(
            reason=reason, count=n, last_at=now, last_detail=last[reason][:500]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["reason"],
            set_={
                "count": Rejection.count + stmt.excluded.count,
                "last_at": stmt.excluded.last_at,
                "last_detail": stmt.excluded.last_detail,
            },
        )
        session.execute(stmt)


def _load_states(session: Session, device_ids: list[int]) -> dict[tuple[int, str], RuleStateRow]:
    out: dict[tuple[int, str], RuleStateRow] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(device_ids), 500):
        stmt = (
            select(RuleStateRow)
            .where(RuleStateRow.device_id.in_(device_ids[start : start + 500]))
            .order_by(RuleStateRow.id)
        )
        if postgres:
            # Two ingest copies may hold readings of the same device: evaluate one at a time.
            stmt = stmt.with_for_update()
        for row in session.scalars(stmt):
            out[(row.device_id, row.rule_key)] = row
    return out


def _state_of(row: RuleStateRow | None) -> RuleState:
    if row is None:
        return RuleState()
    return RuleState(
        active_level=row.active_level,
        pending={k: list(v) for k, v in (row.pending or {}).items()},
        last_value=row.last_value,
        last_at=row.last_at,
        watched=row.watched,
    )


def _window_sums(
    session: Session,
    device_id: int,
    metric: str,
    times: list[datetime],
    windows: list[int],
) -> list[dict[int, float]]:
    """Return, for each reading time, the sum over each window ending at it."""
    start = min(times) - timedelta(seconds=max(windows))
    history = session.execute(
        select(Reading.observed_at, Reading.value)
        .where(
            Reading.device_id == device_id,
            Reading.metric == metric,
            Reading.observed_at > start,
            Reading.observed_at <= max(times),
        )
        .order_by(Reading.observed_at)
    ).all()
    stamps = [h[0].timestamp() for h in history]
    prefix = [0.0]
    for h in history:
        prefix.append(prefix[-1] + float(h[1]))
    out = []
    for at in times:
        t = at.timestamp()
        hi = bisect.bisect_right(stamps, t)
        sums = {}
        for w in windows:
            lo = bisect.bisect_right(stamps, t - w)
            sums[w] = prefix[hi] - prefix[lo]
        out.append(sums)
    return out


def _evaluate(
    uow: UnitOfWork,
    devices: dict[int, DeviceInfo],
    inserted: list[tuple[int, str, datetime, float]],
) -> tuple[int, int]:
    session = uow.session
    per_device: dict[int, dict[str, list[tuple[datetime, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for device_id, metric, at, value in inserted:
        per_device[device_id][metric].append((at, value))
    states = _load_states(session, sorted(per_device))
    raised = cleared = 0
    for device_id, metrics in per_device.items():
        device = devices[device_id]
        silence = states.get((device_id, NO_DATA_RULE))
        if silence is not None and silence.active_level is not None:
            at = max(a for series in metrics.values() for a, _v in series)
            _announce_clear(uow, device, silence, NO_DATA_METRIC, None, at)
            cleared += 1
        for rule in device.rules:
            series = metrics.get(rule.metric)
            if not series:
                continue
            row = states.get((device_id, rule.key))
            if _quiet(rule, row, series):
                continue
            series.sort(key=lambda item: item[0])
            state = _state_of(row)
            sums: list[dict[int, float]] | None = None
            if rule.type is RuleType.ACCUMULATION:
                sums = _window_sums(
                    session, device_id, rule.metric, [a for a, _v in series], rule.windows()
                )
            before = (state.active_level, state.pending)
            for index, (at, value) in enumerate(series):
                state, transition = step(rule, state, value, at, sums[index] if sums else None)
                if transition is not None:
                    row = _persist(session, row, device_id, rule, state, uow.clock.now())
                    _announce(uow, device, rule, transition, row, at)
                    if transition.kind == "raised":
                        raised += 1
                    else:
                        cleared += 1
            # Only a change that matters after a restart is written: the level, a pending
            # duration, or the last value a rate rule needs.
            if (state.active_level, state.pending) != before or rule.type is RuleType.RATE:
                _persist(session, row, device_id, rule, state, uow.clock.now())
    return raised, cleared


def _quiet(rule: AlarmRule, row: RuleStateRow | None, series: list[tuple[datetime, float]]) -> bool:
    """Tell whether a threshold rule at rest stays at rest: nothing to evaluate or store.

    The common case by far (every reading of a healthy sensor); skipping it keeps rule
    evaluation off the ingest budget.
    """
    if rule.type is not RuleType.THRESHOLD:
        return False
    if row is not None and (row.active_level is not None or row.pending):
        return False
    if rule.direction == "above":
        lowest = min(lv.threshold for lv in rule.levels)
        return all(value < lowest for _at, value in series)
    highest = max(lv.threshold for lv in rule.levels)
    return all(value > highest for _at, value in series)


def _persist(
    session: Session,
    row: RuleStateRow | None,
    device_id: int,
    rule: AlarmRule,
    state: RuleState,
    now: datetime,
) -> RuleStateRow:
    if row is None:
        row = RuleStateRow(device_id=device_id, rule_key=rule.key, metric=rule.metric)
        session.add(row)
    if row.active_level != state.active_level:
        row.active_since = state.last_at if state.active_level else None
        level = rule.level(state.active_level)
        row.active_label = level.label if level else None
    row.active_level = state.active_level
    row.pending = {k: list(v) for k, v in state.pending.items()}
    row.last_value = state.last_value
    row.last_at = state.last_at
    row.watched = state.watched
    row.updated_at = now
    return row


def _announce(
    uow: UnitOfWork,
    device: DeviceInfo,
    rule: AlarmRule,
    transition: Transition,
    row: RuleStateRow,
    at: datetime,
) -> None:
    unit = device.units.get(rule.metric, "")
    label = device.labels.get(rule.metric, rule.metric)
    if rule.type is RuleType.RATE:
        per = rule.rate_per_seconds
        unit = f"{unit}/{per // 3600}h" if per >= 3600 else f"{unit}/{per}s"
    if transition.kind == "cleared":
        _announce_clear(uow, device, row, rule.metric, transition.watched, at, audit_only=True)
        uow.add_event(
            AlarmConditionCleared(
                device_id=device.id,
                device_code=device.code,
                metric=rule.metric,
                rule_key=rule.key,
                value=transition.watched,
                observed_at=at,
            )
        )
        return
    assert transition.level is not None
    message = condition_message(device.name, label, transition, unit, rule)
    uow.add_event(
        AlarmConditionRaised.of(
            device,
            device_id=device.id,
            device_code=device.code,
            device_name=device.name,
            metric=rule.metric,
            unit=unit,
            rule_key=rule.key,
            level=transition.level,
            level_label=transition.label,
            value=transition.watched,
            threshold=transition.threshold,
            observed_at=at,
            message=message,
        )
    )
    uow.audit(
        "monitoring.rule_state.raise",
        RuleStateRow.__tablename__,
        f"{device.id}:{rule.key}",
        before={"level": transition.previous_level},
        after={"level": transition.level, "value": transition.watched, "message": message},
    )


def _announce_clear(
    uow: UnitOfWork,
    device: DeviceInfo,
    row: RuleStateRow,
    metric: str,
    value: float | None,
    at: datetime,
    *,
    audit_only: bool = False,
) -> None:
    previous = row.active_level
    if not audit_only:
        # The no-data condition: the device is reporting again.
        row.active_level = None
        row.active_label = None
        row.active_since = None
        row.updated_at = uow.clock.now()
        uow.add_event(
            AlarmConditionCleared(
                device_id=device.id,
                device_code=device.code,
                metric=metric,
                rule_key=row.rule_key,
                value=value,
                observed_at=at,
            )
        )
    uow.audit(
        "monitoring.rule_state.clear",
        RuleStateRow.__tablename__,
        f"{device.id}:{row.rule_key}",
        before={"level": previous},
        after={"level": None, "value": value},
    )


# --- jobs ---------------------------------------------------------------------------------------


def check_silence(uow: UnitOfWork, config: MonitoringConfig = DEFAULT_CONFIG) -> int:
    """Raise the no-data condition of every device silent beyond its interval; return count."""
    session = uow.session
    now = uow.clock.now()
    active = set(
        session.scalars(
            select(RuleStateRow.device_id).where(
                RuleStateRow.rule_key == NO_DATA_RULE, RuleStateRow.active_level.is_not(None)
            )
        )
    )
    silent = [
        d
        for d in session.scalars(
            select(Device).where(Device.retired_at.is_(None)).order_by(Device.id)
        )
        if d.id not in active
        and is_silent(d.last_seen_at, d.created_at, d.interval_seconds, now, config)
    ]
    if not silent:
        return 0
    states = _load_states(session, [d.id for d in silent])
    for d in silent:
        row = states.get((d.id, NO_DATA_RULE))
        if row is None:
            row = RuleStateRow(device_id=d.id, rule_key=NO_DATA_RULE, metric=NO_DATA_METRIC)
            session.add(row)
        limit = d.interval_seconds * config.no_data_factor
        reference = d.last_seen_at or d.created_at
        silent_for = (now - reference).total_seconds()
        row.active_level = "yellow"
        row.active_label = "数据中断"
        row.active_since = now
        row.pending = {}
        row.watched = silent_for
        row.updated_at = now
        since = (
            "从未上报数据" if d.last_seen_at is None else f"已 {int(silent_for // 60)} 分钟无数据"
        )
        message = (
            f"{d.name}（{d.code}）{since}，"
            f"超过上报周期 {d.interval_seconds} 秒的 {config.no_data_factor:g} 倍"
        )
        uow.add_event(
            AlarmConditionRaised.of(
                d,
                device_id=d.id,
                device_code=d.code,
                device_name=d.name,
                metric=NO_DATA_METRIC,
                unit="s",
                rule_key=NO_DATA_RULE,
                level="yellow",
                level_label="数据中断",
                value=silent_for,
                threshold=limit,
                observed_at=now,
                message=message,
            )
        )
        uow.audit(
            "monitoring.rule_state.raise",
            RuleStateRow.__tablename__,
            f"{d.id}:{NO_DATA_RULE}",
            after={"level": "yellow", "message": message},
        )
    return len(silent)


def downsample(uow: UnitOfWork, config: MonitoringConfig = DEFAULT_CONFIG) -> int:
    """Fold one chunk of readings older than the raw retention into aggregates; delete them.

    Returns how many raw readings were folded. The fold and the delete share the
    transaction, so a crash in between folds nothing twice. Aggregates beyond their own
    retention are deleted too.
    """
    session = uow.session
    now = uow.clock.now()
    cutoff = now - timedelta(days=config.raw_retention_days)
    old = session.execute(
        select(Reading.id, Reading.device_id, Reading.metric, Reading.observed_at, Reading.value)
        .where(Reading.observed_at < cutoff)
        .order_by(Reading.id)
        .limit(config.downsample_chunk)
    ).all()
    bucket = config.bucket_seconds
    groups: dict[tuple[int, str, datetime], list[float]] = defaultdict(list)
    for _id, device_id, metric, at, value in old:
        start = datetime.fromtimestamp(int(at.timestamp()) // bucket * bucket, UTC)
        groups[(device_id, metric, start)].append(float(value))
    for (device_id, metric, start), values in groups.items():
        agg = session.scalar(
            select(ReadingAggregate).where(
                ReadingAggregate.device_id == device_id,
                ReadingAggregate.metric == metric,
                ReadingAggregate.bucket_start == start,
                ReadingAggregate.bucket_seconds == bucket,
            )
        )
        if agg is None:
            session.add(
                ReadingAggregate(
                    device_id=device_id,
                    metric=metric,
                    bucket_start=start,
                    bucket_seconds=bucket,
                    count=len(values),
                    total=sum(values),
                    minimum=min(values),
                    maximum=max(values),
                )
            )
        else:
            agg.count += len(values)
            agg.total += sum(values)
            agg.minimum = min(agg.minimum, *values)
            agg.maximum = max(agg.maximum, *values)
    ids = [row[0] for row in old]
    for start_index in range(0, len(ids), 1000):
        session.execute(
            delete(Reading).where(Reading.id.in_(ids[start_index : start_index + 1000]))
        )
    expired = session.execute(
        delete(ReadingAggregate).where(
            ReadingAggregate.bucket_start < now - timedelta(days=config.aggregate_retention_days)
        )
    )
    dropped = int(getattr(expired, "rowcount", 0) or 0)
    if ids or dropped:
        uow.audit(
            "monitoring.reading.downsample",
            Reading.__tablename__,
            "retention",
            after={"folded": len(ids), "buckets": len(groups), "aggregates_dropped": dropped},
        )
    return len(ids)
