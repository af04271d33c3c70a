"""Monitoring rules (pure, no I/O): device kinds and metrics, alarm rules and their evaluation.

An alarm rule watches one metric of a device. It has ordered levels (blue < yellow < orange <
red), each with a threshold; a level is reached when the watched value stays past its
threshold for ``for_seconds`` and ``repeat`` readings in a row; an active level is left only
when the value falls back past the threshold by ``hysteresis`` (no flapping). The watched
value is the reading itself (``threshold``), its rate of change (``rate``) or the sum over a
rolling window (``accumulation``, each level may use its own window: the rainstorm signal).

Rules are configurable per device kind and overridable per device (``effective_rules``); the
evaluation state (active level, pending levels with their start and count, last value) is a
plain value the caller stores in the database, so a restarted ingest resumes where it was.
``step`` returns a transition only when the active level changes, never once per reading.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LEVELS: tuple[str, ...] = ("blue", "yellow", "orange", "red")
LEVEL_RANK: dict[str, int] = {code: rank for rank, code in enumerate(LEVELS, start=1)}
LEVEL_LABELS: dict[str, str] = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
NO_DATA_METRIC = "_silence"
NO_DATA_RULE = "no_data"


# --- device kinds and metrics ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """A metric a device kind reports: code, unit and Chinese label."""

    code: str
    unit: str
    label: str


@dataclass(frozen=True, slots=True)
class DeviceKind:
    """A kind of sensing device (感知设备) and the metrics it reports by default."""

    code: str
    label: str
    metrics: tuple[MetricSpec, ...]


# 安监总局令第40号 第十三条 and 安委办〔2019〕11号: tank level/temperature/pressure and gas
# detection at hazardous-chemical sites; the natural-hazard kinds serve 地灾/水情/气象 points.
DEVICE_KINDS: dict[str, DeviceKind] = {
    k.code: k
    for k in (
        DeviceKind(
            "combustible_gas", "可燃气体探测器", (MetricSpec("gas", "%LEL", "可燃气体浓度"),)
        ),
        DeviceKind("toxic_gas", "有毒气体探测器", (MetricSpec("toxic", "ppm", "有毒气体浓度"),)),
        DeviceKind(
            "tank",
            "储罐监测",
            (
                MetricSpec("level", "m", "液位"),
                MetricSpec("temperature", "°C", "温度"),
                MetricSpec("pressure", "MPa", "压力"),
            ),
        ),
        DeviceKind("rain_gauge", "雨量站", (MetricSpec("rainfall", "mm", "降雨量"),)),
        DeviceKind("water_level", "水位站", (MetricSpec("water_level", "m", "水位"),)),
        DeviceKind("displacement", "位移监测", (MetricSpec("displacement", "mm", "位移"),)),
        DeviceKind("crack", "裂缝计", (MetricSpec("crack_width", "mm", "裂缝宽度"),)),
        DeviceKind("tilt", "倾角计", (MetricSpec("tilt", "°", "倾角"),)),
        DeviceKind("wind", "风速计", (MetricSpec("wind_speed", "m/s", "风速"),)),
    )
}

#: The Chinese name of every metric code (the display layer's ``metric`` labels); the no-data
#: pseudo-metric reads 数据中断.
METRIC_LABELS: dict[str, str] = {
    **{m.code: m.label for kind in DEVICE_KINDS.values() for m in kind.metrics},
    NO_DATA_METRIC: "数据中断",
}

# What a device may be linked to besides a risk point / major hazard (by id or name).
LINKED_KINDS: dict[str, str] = {
    "geohazard_point": "地质灾害隐患点",
    "reservoir": "水库",
    "bridge": "桥梁",
    "other": "其他",
}

# Spellings devices send for the same unit; compared after lower-casing and stripping.
_UNIT_ALIASES: dict[str, str] = {
    "%lel": "%lel",
    "lel%": "%lel",
    "%": "%lel",
    "℃": "°c",
    "degc": "°c",
    "c": "°c",
    "deg": "°",
    "degree": "°",
    "m/s": "m/s",
    "mps": "m/s",
}


def normalise_unit(unit: str) -> str:
    """Return the comparable spelling of a unit (``%LEL`` == ``%lel``, ``℃`` == ``°C``)."""
    key = unit.strip().lower()
    return _UNIT_ALIASES.get(key, key)


def unit_matches(expected: str, given: str | None) -> bool:
    """Tell whether a reading's unit (None: not stated) is the device metric's unit."""
    return given is None or normalise_unit(given) == normalise_unit(expected)


# --- configuration ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonitoringConfig:
    """Deployment figures for ingest, retention and no-data detection (national defaults).

    40号令 asks for monitoring records to be kept at least 30 days; raw readings older than
    ``raw_retention_days`` are folded into ``bucket_seconds`` aggregates, which are kept for
    ``aggregate_retention_days``. The other figures are not set by any regulation.
    """

    raw_retention_days: int = 30
    bucket_seconds: int = 3600
    aggregate_retention_days: int = 730
    # Readings stamped later than now + this are refused (device clock wrong).
    future_tolerance_seconds: int = 300
    # A device is silent (no-data alarm) after interval × factor without data.
    no_data_factor: float = 2.0
    # Downsampling works in chunks so one job run never holds the write lock for long.
    downsample_chunk: int = 20000


DEFAULT_CONFIG = MonitoringConfig()


def config_from(settings: Any) -> MonitoringConfig:
    """Return the config, taking ``monitoring_*`` settings when the deployment has them."""
    values: dict[str, Any] = {}
    for name in MonitoringConfig.__dataclass_fields__:
        value = getattr(settings, f"monitoring_{name}", None)
        if value is not None:
            values[name] = value
    return MonitoringConfig(**values)


# --- alarm rules --------------------------------------------------------------------------------


class RuleType(StrEnum):
    """What value a rule watches."""

    THRESHOLD = "threshold"
    RATE = "rate"
    ACCUMULATION = "accumulation"


class LevelSpec(BaseModel):
    """One level of a rule: its colour, label, threshold and (accumulation) window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: Literal["blue", "yellow", "orange", "red"]
    label: str
    threshold: float
    window_seconds: int | None = Field(default=None, gt=0)

    @field_validator("threshold")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("阈值必须是有限数值")
        return value


class AlarmRule(BaseModel):
    """An alarm rule on one metric (see the module docstring for the semantics)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_.-]+$")
    metric: str = Field(min_length=1, max_length=40)
    type: RuleType = RuleType.THRESHOLD
    direction: Literal["above", "below"] = "above"
    levels: tuple[LevelSpec, ...] = Field(min_length=1)
    for_seconds: int = Field(default=0, ge=0)
    repeat: int = Field(default=1, ge=1)
    hysteresis: float = Field(default=0.0, ge=0)
    # Rate rules: the change is expressed per this many seconds (60: per minute).
    rate_per_seconds: int = Field(default=3600, gt=0)
    enabled: bool = True
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> AlarmRule:
        seen = [lv.level for lv in self.levels]
        if len(set(seen)) != len(seen):
            raise ValueError("同一规则的等级不能重复")
        if self.type is RuleType.ACCUMULATION and any(
            lv.window_seconds is None for lv in self.levels
        ):
            raise ValueError("累计规则的每个等级都必须设置统计时段 window_seconds")
        return self

    def ordered(self) -> tuple[LevelSpec, ...]:
        """Return the levels from least to most severe."""
        return tuple(sorted(self.levels, key=lambda lv: LEVEL_RANK[lv.level]))

    def level(self, code: str | None) -> LevelSpec | None:
        """Return the level spec called ``code`` (None when absent)."""
        return next((lv for lv in self.levels if lv.level == code), None)

    def windows(self) -> list[int]:
        """Return the accumulation windows (seconds) this rule needs summed."""
        return sorted({lv.window_seconds for lv in self.levels if lv.window_seconds})


def _levels(*items: tuple[Any, ...]) -> tuple[LevelSpec, ...]:
    # (level, label, threshold[, window seconds]) → validated level specs.
    return tuple(
        LevelSpec(
            level=item[0],
            label=item[1],
            threshold=item[2],
            window_seconds=item[3] if len(item) == 4 else None,
        )
        for item in items
    )


_H = 3600
# GB/T 50493-2019 石油化工可燃气体和有毒气体检测报警设计标准: combustible gas level-1 alarm
# ≤ 25 %LEL, level-2 ≤ 50 %LEL (contract: 一级 → orange, 二级 → red).
GAS_RULE = AlarmRule(
    key="gas.setpoints",
    metric="gas",
    levels=_levels(("orange", "一级报警", 25.0), ("red", "二级报警", 50.0)),
    hysteresis=2.0,
    source="GB/T 50493-2019",
)
# GB/T 50493-2019: toxic gas level-1 ≤ 100 % OEL, level-2 ≤ 200 % OEL. Default for H₂S
# (MAC 10 mg/m³ ≈ 7 ppm at 25 °C); other gases need a device override with their OEL.
TOXIC_RULE = AlarmRule(
    key="toxic.setpoints",
    metric="toxic",
    levels=_levels(("orange", "一级报警", 7.0), ("red", "二级报警", 14.0)),
    hysteresis=0.5,
    source="GB/T 50493-2019（H₂S 默认值，其他气体按设备覆盖）",
)
# 中国气象局令第16号 暴雨预警信号: blue 12 h ≥ 50 mm, yellow 6 h ≥ 50, orange 3 h ≥ 50,
# red 3 h ≥ 100 (regulations-incidents.md §6.1); sums of rain-gauge increments.
RAINSTORM_RULE = AlarmRule(
    key="rain.rainstorm_signal",
    metric="rainfall",
    type=RuleType.ACCUMULATION,
    levels=_levels(
        ("blue", "暴雨蓝色", 50.0, 12 * _H),
        ("yellow", "暴雨黄色", 50.0, 6 * _H),
        ("orange", "暴雨橙色", 50.0, 3 * _H),
        ("red", "暴雨红色", 100.0, 3 * _H),
    ),
    source="中国气象局令第16号 暴雨预警信号",
)
# 大风预警信号 (same order) in instantaneous wind: 6 级 ≥ 10.8, 8 级 ≥ 17.2, 10 级 ≥ 24.5,
# 12 级 ≥ 32.7 m/s (Beaufort lower bounds); the signal's 6–24 h outlook is the forecaster's.
WIND_RULE = AlarmRule(
    key="wind.beaufort",
    metric="wind_speed",
    levels=_levels(
        ("blue", "6级大风", 10.8),
        ("yellow", "8级大风", 17.2),
        ("orange", "10级大风", 24.5),
        ("red", "12级大风", 32.7),
    ),
    for_seconds=60,
    hysteresis=1.0,
    source="中国气象局令第16号 大风预警信号（按瞬时风速）",
)
# Geohazard displacement speed: no national figure was confirmed; these are placeholders a
# deployment replaces per point (mm per day).
DISPLACEMENT_RULE = AlarmRule(
    key="displacement.rate",
    metric="displacement",
    type=RuleType.RATE,
    rate_per_seconds=24 * _H,
    levels=_levels(
        ("yellow", "位移速率偏高", 5.0),
        ("orange", "位移速率较高", 10.0),
        ("red", "位移速率很高", 20.0),
    ),
    repeat=2,
    source="示例阈值（待按隐患点设定）",
)

# Per device kind; tanks, water levels, cracks and tilt depend on the installation, so they
# ship without rules and get device overrides (the page says so).
DEFAULT_RULES: dict[str, tuple[AlarmRule, ...]] = {
    "combustible_gas": (GAS_RULE,),
    "toxic_gas": (TOXIC_RULE,),
    "rain_gauge": (RAINSTORM_RULE,),
    "wind": (WIND_RULE,),
    "displacement": (DISPLACEMENT_RULE,),
    "tank": (),
    "water_level": (),
    "crack": (),
    "tilt": (),
}


def effective_rules(
    kind: str,
    kind_rules: Sequence[AlarmRule] | None,
    device_rules: Sequence[AlarmRule] | None,
) -> list[AlarmRule]:
    """Return a device's rules: kind config (or the defaults), then device rules by key."""
    base = list(kind_rules) if kind_rules is not None else list(DEFAULT_RULES.get(kind, ()))
    by_key = {rule.key: rule for rule in base}
    for rule in device_rules or ():
        by_key[rule.key] = rule
    return [rule for rule in by_key.values() if rule.enabled]


def parse_rules(raw: Any) -> list[AlarmRule]:
    """Validate a JSON list of rules (ValueError / pydantic ValidationError when invalid)."""
    if not isinstance(raw, list):
        raise ValueError("规则应为列表")
    rules = [AlarmRule.model_validate(item) for item in raw]
    keys = [rule.key for rule in rules]
    if len(set(keys)) != len(keys):
        raise ValueError("规则 key 不能重复")
    return rules


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class RuleState:
    """Where a rule stands for one device; stored in the database between batches."""

    active_level: str | None = None
    # level → [ISO start time, readings in a row] for levels above the active one.
    pending: dict[str, list[Any]] = field(default_factory=dict)
    last_value: float | None = None
    last_at: datetime | None = None
    watched: float | None = None

    def copy(self) -> RuleState:
        """Return an independent copy."""
        return RuleState(
            self.active_level,
            {k: list(v) for k, v in self.pending.items()},
            self.last_value,
            self.last_at,
            self.watched,
        )


@dataclass(frozen=True, slots=True)
class Transition:
    """The active level of a rule changed: raised (or re-levelled) or cleared."""

    kind: Literal["raised", "cleared"]
    level: str | None
    previous_level: str | None
    label: str
    threshold: float | None
    watched: float


def _past(rule: AlarmRule, value: float, threshold: float) -> bool:
    return value >= threshold if rule.direction == "above" else value <= threshold


def _relaxed(rule: AlarmRule, threshold: float) -> float:
    # Hysteresis moves the threshold towards "normal" for a level that is already active.
    return threshold - rule.hysteresis if rule.direction == "above" else threshold + rule.hysteresis


def watched_value(
    rule: AlarmRule,
    state: RuleState,
    value: float,
    at: datetime,
    sums: Mapping[int, float] | None = None,
) -> dict[str, float] | None:
    """Return the value each level compares (per level code), or None if not computable."""
    if rule.type is RuleType.THRESHOLD:
        return {lv.level: value for lv in rule.levels}
    if rule.type is RuleType.RATE:
        if state.last_value is None or state.last_at is None or at <= state.last_at:
            return None
        seconds = (at - state.last_at).total_seconds()
        rate = (value - state.last_value) / seconds * rule.rate_per_seconds
        return {lv.level: rate for lv in rule.levels}
    sums = sums or {}
    return {lv.level: float(sums.get(lv.window_seconds or 0, 0.0)) for lv in rule.levels}


def step(
    rule: AlarmRule,
    state: RuleState,
    value: float,
    at: datetime,
    sums: Mapping[int, float] | None = None,
) -> tuple[RuleState, Transition | None]:
    """Feed one reading to a rule; return the new state and a transition if the level changed.

    ``sums`` maps window seconds → accumulated value ending at ``at`` (accumulation rules).
    Readings not newer than the last one are ignored (a redelivered or late reading must not
    move the state backwards).
    """
    if state.last_at is not None and at <= state.last_at:
        return state, None
    new = state.copy()
    watched = watched_value(rule, state, value, at, sums)
    new.last_value, new.last_at = value, at
    if watched is None:
        return new, None
    active_rank = LEVEL_RANK.get(new.active_level or "", 0)
    # Levels at or below the active one hold with hysteresis; the ones above it must be
    # crossed for the duration / repetition before they are taken.
    holding = [
        lv
        for lv in rule.levels
        if LEVEL_RANK[lv.level] <= active_rank
        and _past(rule, watched[lv.level], _relaxed(rule, lv.threshold))
    ]
    reached: list[LevelSpec] = []
    for lv in rule.levels:
        if LEVEL_RANK[lv.level] <= active_rank:
            continue
        if _past(rule, watched[lv.level], lv.threshold):
            since_count = new.pending.get(lv.level)
            if since_count is None:
                since_count = [at.isoformat(), 0]
            since_count[1] = int(since_count[1]) + 1
            new.pending[lv.level] = since_count
            since = datetime.fromisoformat(str(since_count[0]))
            if at - since >= timedelta(seconds=rule.for_seconds) and since_count[1] >= rule.repeat:
                reached.append(lv)
        else:
            new.pending.pop(lv.level, None)
    candidates = reached or holding
    target = max(candidates, key=lambda lv: LEVEL_RANK[lv.level]) if candidates else None
    new.watched = watched[target.level] if target else max(watched.values())
    target_code = target.level if target else None
    if target_code == new.active_level:
        return new, None
    previous = new.active_level
    new.active_level = target_code
    # Pending counts below the new level are moot; those above keep counting.
    new_rank = LEVEL_RANK.get(target_code or "", 0)
    new.pending = {k: v for k, v in new.pending.items() if LEVEL_RANK[k] > new_rank}
    if target is None:
        return new, Transition("cleared", None, previous, "恢复正常", None, new.watched)
    return new, Transition(
        "raised", target.level, previous, target.label, target.threshold, new.watched
    )


def is_silent(
    last_seen: datetime | None,
    since: datetime,
    interval_seconds: int,
    now: datetime,
    config: MonitoringConfig = DEFAULT_CONFIG,
) -> bool:
    """Tell whether a device is silent: no data for interval × factor (since ``since``)."""
    reference = last_seen or since
    return now - reference > timedelta(seconds=interval_seconds * config.no_data_factor)


def condition_message(
    device_name: str, metric_label: str, transition: Transition, unit: str, rule: AlarmRule
) -> str:
    """Return the Chinese message for a raised or cleared condition."""
    value = f"{transition.watched:g}"
    if transition.kind == "cleared":
        return f"{device_name} {metric_label}已恢复正常（当前 {value} {unit}）"
    what = {
        RuleType.THRESHOLD: metric_label,
        RuleType.RATE: f"{metric_label}变化速率",
        RuleType.ACCUMULATION: f"{metric_label}累计",
    }[rule.type]
    level = rule.level(transition.level)
    window = ""
    if level is not None and level.window_seconds:
        window = f"{level.window_seconds / 3600:g} 小时"
    threshold = f"{transition.threshold:g}" if transition.threshold is not None else "—"
    return (
        f"{device_name} {transition.label}：{window}{what} {value} {unit}，阈值 {threshold} {unit}"
    )
