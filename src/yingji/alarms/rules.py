"""Alarm rules (pure, no I/O): the lifecycle table, levels, clear reasons, escalation, stats.

An alarm (报警) is raised by a sensor rule (glossary: never call it a warning/预警). One
alarm is open per condition (device, metric, rule); repeats update it. Lifecycle:
active → acknowledged → cleared. Escalation intervals are configuration: no national text
fixes them (GB 50493-2019 《石油化工可燃气体和有毒气体检测报警设计标准》 asks for alarms to
reach a person on duty at once, 应急管理部 重大危险源在线监测 guidance asks for timely
处置反馈; the minutes below are a district choice).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition


class AlarmState(StrEnum):
    """Where an alarm is in its lifecycle."""

    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


class AlarmAction(StrEnum):
    """What can happen to an alarm."""

    REPEAT = "repeat"  # the condition was reported again (same or lower level)
    RISE = "rise"  # the level rose
    ACKNOWLEDGE = "acknowledge"
    ESCALATE = "escalate"
    CLEAR = "clear"  # by hand, with a reason code
    AUTO_CLEAR = "auto_clear"  # the condition cleared (monitoring said so)
    PROMOTE = "promote"  # open a hazard or an incident draft


S, A = AlarmState, AlarmAction
STATE_LABELS: dict[str, str] = {
    S.ACTIVE: "未确认",
    S.ACKNOWLEDGED: "已确认",
    S.CLEARED: "已解除",
}
ACTION_LABELS: dict[str, str] = {
    "raise": "报警产生",
    A.REPEAT: "重复报警",
    A.RISE: "报警升级",
    A.ACKNOWLEDGE: "确认",
    A.ESCALATE: "逐级通知",
    A.CLEAR: "人工解除",
    A.AUTO_CLEAR: "自动解除",
    A.PROMOTE: "转处置",
    "notify": "通知值班员",
}


def _refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The alarm's own wording for an illegal transition (409, unchanged)."""
    label = STATE_LABELS.get(state, state)
    return Conflict(f"报警当前为“{label}”，不能{ACTION_LABELS.get(action, action)}")


# The allowed-transition table. Anything else is refused.
MACHINE = StateMachine(
    name="alarm",
    title_zh="报警",
    states=tuple(AlarmState),
    transitions=(
        Transition(S.ACTIVE, A.REPEAT, S.ACTIVE),
        Transition(S.ACTIVE, A.RISE, S.ACTIVE),
        Transition(S.ACTIVE, A.ACKNOWLEDGE, S.ACKNOWLEDGED),
        Transition(S.ACTIVE, A.ESCALATE, S.ACTIVE),
        Transition(S.ACTIVE, A.CLEAR, S.CLEARED),
        Transition(S.ACTIVE, A.AUTO_CLEAR, S.CLEARED),
        Transition(S.ACTIVE, A.PROMOTE, S.ACTIVE),
        Transition(S.ACKNOWLEDGED, A.REPEAT, S.ACKNOWLEDGED),
        # A rise after acknowledgement needs a person again: back to active, escalation restarts.
        Transition(S.ACKNOWLEDGED, A.RISE, S.ACTIVE),
        Transition(S.ACKNOWLEDGED, A.CLEAR, S.CLEARED),
        Transition(S.ACKNOWLEDGED, A.AUTO_CLEAR, S.CLEARED),
        Transition(S.ACKNOWLEDGED, A.PROMOTE, S.ACKNOWLEDGED),
        # A real alarm may still be promoted after it cleared (the leak stopped, the cause stays).
        Transition(S.CLEARED, A.PROMOTE, S.CLEARED),
    ),
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    error=_refusal,
)
# Typed view of the table for callers that index it by enum pair.
TRANSITIONS: dict[tuple[AlarmState, AlarmAction], AlarmState] = {
    (AlarmState(t.state), AlarmAction(t.action)): AlarmState(t.next_state)
    for t in MACHINE.transitions
}


def next_state(state: str, action: AlarmAction) -> AlarmState:
    """Return the state after ``action``; raise Conflict (409) for an illegal transition."""
    return AlarmState(MACHINE.next_state(state, action))


class Level(StrEnum):
    """Severity, lowest first (the colours of the monitoring rules)."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


LEVEL_RANK: dict[str, int] = {lv.value: i for i, lv in enumerate(Level)}
LEVEL_LABELS: dict[str, str] = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}


def is_higher(new: str, old: str) -> bool:
    """Tell whether level ``new`` is more severe than ``old``."""
    return LEVEL_RANK.get(new, -1) > LEVEL_RANK.get(old, -1)


class ClearReason(StrEnum):
    """Why an alarm was cleared by hand (AUTO: the condition cleared itself)."""

    REAL = "real"
    FALSE = "false"
    MAINTENANCE = "maintenance"
    TEST = "test"
    AUTO = "auto"


CLEAR_REASON_LABELS: dict[str, str] = {
    ClearReason.REAL: "真实报警，已处置",
    ClearReason.FALSE: "误报",
    ClearReason.MAINTENANCE: "设备检修/维护",
    ClearReason.TEST: "测试",
    ClearReason.AUTO: "恢复正常（自动解除）",
}
MANUAL_CLEAR_REASONS = (
    ClearReason.REAL,
    ClearReason.FALSE,
    ClearReason.MAINTENANCE,
    ClearReason.TEST,
)
# A false or test alarm is not a fact about the site: it opens no hazard or incident.
NOT_PROMOTABLE = frozenset({ClearReason.FALSE, ClearReason.TEST})


@dataclass(frozen=True)
class EscalationConfig:
    """How long an alarm may stay unacknowledged before the next person is called."""

    minutes: dict[str, int] = field(
        default_factory=lambda: {"red": 5, "orange": 10, "yellow": 30, "blue": 60}
    )
    # After the chain's end the leader is called again each interval, up to this many steps
    # in all, so a forgotten alarm cannot page people for ever.
    max_steps: int = 12

    def interval(self, level: str) -> timedelta:
        """Return the escalation interval of ``level``."""
        return timedelta(minutes=self.minutes.get(level, max(self.minutes.values())))


DEFAULT_ESCALATION = EscalationConfig()


def due_step(
    base: datetime, last_step: int, level: str, now: datetime, config: EscalationConfig
) -> int | None:
    """Return the escalation step due at ``now`` (one after ``last_step``), or None.

    Step 0 is the first notice when the alarm is raised; step k falls due k intervals after
    ``base`` (the moment the alarm last became active). One step per call: a late job
    catches up one step per run instead of paging the whole chain at once.
    """
    step = last_step + 1
    if step >= config.max_steps:
        return None
    return step if now >= base + step * config.interval(level) else None


def chain_target(step: int, chain_length: int) -> int | None:
    """Return the index in the duty chain to call at ``step`` (the last one repeats)."""
    if chain_length == 0:
        return None
    return min(step, chain_length - 1)


@dataclass(frozen=True)
class AckFigures:
    """Time-to-acknowledge figures in minutes."""

    count: int
    median: float | None
    p90: float | None


def ack_figures(minutes: Sequence[float]) -> AckFigures:
    """Return the median and 90th percentile (linear, inclusive) of acknowledge times."""
    data = sorted(minutes)
    if not data:
        return AckFigures(0, None, None)
    if len(data) == 1:
        return AckFigures(1, data[0], data[0])
    p90 = statistics.quantiles(data, n=10, method="inclusive")[8]
    return AckFigures(len(data), statistics.median(data), round(p90, 3))


# Hazard kind suggested for an alarm's metric when the person promoting names none.
_METRIC_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("lel", "gas", "ch4", "co", "h2s", "toxic", "voc"), "hazmat"),
    (("smoke", "fire", "temperature", "temp"), "fire"),
    (("current", "voltage", "leakage", "electric"), "electrical"),
    (("rain", "rainfall", "water", "flood"), "flood"),
    (("displacement", "crack", "tilt", "landslide"), "geohazard"),
    (("strain", "vibration", "settlement", "deflection"), "structure"),
)


def hazard_kind_for(metric: str) -> str:
    """Return the hazard kind code matching ``metric`` ("other" when none does)."""
    tokens = set(re.split(r"[^a-z0-9]+", metric.lower()))
    for words, kind in _METRIC_KINDS:
        if tokens.intersection(words):
            return kind
    return "other"
