"""Duty desk rules (pure, no I/O): positions, required positions, roster conflict checks.

A shift (班次) is a time span at one duty desk with named people in positions: the leader
(带班领导), the duty officer (值班员) and the backup (备班). 《生产安全事故报告和调查处理条例》
(国务院令第493号) 第十八条 requires regulators to keep a duty roster and publish a duty
phone; 24-hour duty (24小时值班值守) is the district's own rule. Which positions a shift
must fill is configuration (``DutyConfig``): the national texts name no minimum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from yingji.core.errors import FieldError


class Position(StrEnum):
    """A position on a shift; the order of the escalation chain is CHAIN_ORDER."""

    DUTY_OFFICER = "duty_officer"
    BACKUP = "backup"
    LEADER = "leader"


POSITION_LABELS: dict[str, str] = {
    Position.LEADER: "带班领导",
    Position.DUTY_OFFICER: "值班员",
    Position.BACKUP: "备班",
}
# Who is called first when something needs a person: the duty officer answers the phone,
# the backup steps in, the leader decides (alarm and warning escalation walk this order).
CHAIN_ORDER: tuple[Position, ...] = (Position.DUTY_OFFICER, Position.BACKUP, Position.LEADER)

LOG_CATEGORY_LABELS: dict[str, str] = {
    "call": "来电",
    "report": "信息报送",
    "instruction": "领导批示",
    "dispatch": "调度",
    "note": "记事",
}

HANDOVER_STATUS_LABELS: dict[str, str] = {"pending": "待接班", "accepted": "已接班"}
HANDOVER_ITEM_KIND_LABELS: dict[str, str] = {
    "alarm": "未闭环报警",
    "incident": "在办事件",
    "note": "待办事项",
}


@dataclass(frozen=True)
class DutyConfig:
    """Deployment choices for the duty desk (national defaults)."""

    # Positions every shift must fill; the backup is optional by default.
    required_positions: tuple[Position, ...] = (Position.LEADER, Position.DUTY_OFFICER)
    # A shift longer than this is refused (a typo such as a wrong day, not a real shift).
    max_shift_hours: int = 48


DEFAULT_CONFIG = DutyConfig()


@dataclass(frozen=True)
class Span:
    """A half-open time span [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        """Tell whether the two spans share any instant."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class ProposedAssignment:
    """One person proposed for one position on a shift."""

    user_id: int
    position: str
    name: str = ""


@dataclass
class PersonCalendar:
    """What else a proposed person has: other shifts and leave (from the database)."""

    other_shifts: list[tuple[Span, str]] = field(default_factory=list)  # (span, label)
    leaves: list[tuple[Span, str]] = field(default_factory=list)  # (span, reason)


def shift_problems(
    span: Span,
    assignments: Sequence[ProposedAssignment],
    calendars: dict[int, PersonCalendar],
    config: DutyConfig = DEFAULT_CONFIG,
) -> list[FieldError]:
    """Return every reason the proposed shift cannot be rostered (empty when it can)."""
    errors: list[FieldError] = []
    if span.end <= span.start:
        errors.append(FieldError("ends_at", "结束时间应晚于开始时间"))
    elif span.end - span.start > timedelta(hours=config.max_shift_hours):
        errors.append(FieldError("ends_at", f"单个班次不应超过 {config.max_shift_hours} 小时"))
    seen_users: set[int] = set()
    filled: dict[str, int] = {}
    for index, a in enumerate(assignments):
        where = f"assignments.{index}"
        if a.position not in POSITION_LABELS:
            errors.append(FieldError(f"{where}.position", f"未知岗位 {a.position}"))
            continue
        label = POSITION_LABELS[a.position]
        if a.user_id in seen_users:
            errors.append(FieldError(f"{where}.user_id", "同一人员在本班次中重复排班"))
            continue
        seen_users.add(a.user_id)
        filled[a.position] = filled.get(a.position, 0) + 1
        if filled[a.position] > 1:
            errors.append(FieldError(f"{where}.position", f"{label}岗位只能安排一人"))
        calendar = calendars.get(a.user_id, PersonCalendar())
        who = a.name or f"用户{a.user_id}"
        for other, other_label in calendar.other_shifts:
            if other.overlaps(span):
                errors.append(
                    FieldError(
                        f"{where}.user_id",
                        f"{who} 已排在时间重叠的班次（{other_label}）",
                    )
                )
                break
        for leave, reason in calendar.leaves:
            if leave.overlaps(span):
                note = f"：{reason}" if reason else ""
                errors.append(FieldError(f"{where}.user_id", f"{who} 在该时段请假{note}"))
                break
    for position in config.required_positions:
        if position not in filled:
            errors.append(
                FieldError("assignments", f"缺少{POSITION_LABELS[position]}（{position.value}）")
            )
    return errors


def chain_order(positions: Iterable[str]) -> list[str]:
    """Return ``positions`` sorted in escalation order (unknown positions last)."""
    rank = {p.value: i for i, p in enumerate(CHAIN_ORDER)}
    return sorted(positions, key=lambda p: rank.get(p, len(rank)))
