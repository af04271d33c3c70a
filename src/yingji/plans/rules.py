"""Emergency-plan rules (pure): kinds, levels, matching, task states, drill and review dates.

Sources (regulations-incidents.md §5):
- Plan kinds: 《突发事件应急预案管理办法》(国办发〔2024〕5号) — government plans (总体、专项、
  部门) and unit/grassroots plans; 现场处置方案 from 应急管理部令第2号 Art. 6.
- Drills: 《生产安全事故应急条例》(国务院令第708号) Art. 8 ✅ — local governments, departments
  and townships drill at least every 2 years; 令第2号 Art. 33 ☑️ — enterprises' 综合/专项
  plans at least yearly, 现场处置方案 every half year. 国办发〔2024〕5号's 3-year rule for
  专项/部门 plans is looser than 708号, so the stricter 2 years is the default.
- Evaluation: every 3 years (令第2号 Art. 35 ☑️; 国办发〔2024〕5号 ⚠️ "in principle").
All intervals are ``PlanCalendar`` values so a province can tighten them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition


class PlanKind(StrEnum):
    """Plan kinds (glossary: overall, special, department; unit plans split in two; onsite)."""

    OVERALL = "overall"
    SPECIAL = "special"
    DEPARTMENT = "department"
    GRASSROOTS = "grassroots"
    ENTERPRISE = "enterprise"
    ONSITE = "onsite"


# Who authors which plan (《突发事件应急预案管理办法》国办发〔2024〕5号 第七条: government and
# department plans — 总体、专项、部门 — versus 单位和基层组织 plans; 《生产安全事故应急预案管理
# 办法》第六条: an enterprise's own 综合/专项 plans and 现场处置方案). Roles not named here
# (admin, bureau staff) may author every kind; a role missing from the table authors none.
KINDS_BY_ROLE: dict[str, frozenset[str]] = {
    "township_officer": frozenset({"overall", "special", "grassroots"}),
    "department_officer": frozenset({"department", "special"}),
    "enterprise_officer": frozenset({"enterprise", "onsite"}),
}
# Roles that author any kind.
ALL_KINDS_ROLES = frozenset({"admin", "bureau_staff"})


def may_author_kind(role: str, kind: str) -> bool:
    """Tell whether ``role`` may author a plan of ``kind`` (see ``KINDS_BY_ROLE``)."""
    return role in ALL_KINDS_ROLES or kind in KINDS_BY_ROLE.get(role, frozenset())


KIND_LABELS = {
    "overall": "总体应急预案",
    "special": "专项应急预案",
    "department": "部门应急预案",
    "grassroots": "基层应急预案",
    "enterprise": "企业应急预案",
    "onsite": "现场处置方案",
}


class ResponseLevel(IntEnum):
    """Response levels: I (一级) is the highest."""

    I = 1  # noqa: E741 (the regulation's own name for the level)
    II = 2
    III = 3
    IV = 4


LEVEL_LABELS = {1: "Ⅰ级响应", 2: "Ⅱ级响应", 3: "Ⅲ级响应", 4: "Ⅳ级响应"}

# Accident grades (国务院令第493号 第三条) and warning colours, lowest first, for comparison.
GRADE_ORDER = ("ordinary", "large", "major", "extraordinary")
WARNING_ORDER = ("blue", "yellow", "orange", "red")


@dataclass(frozen=True, slots=True)
class Criteria:
    """When a response level applies; any criterion met is enough (the plan's 启动条件)."""

    event_types: tuple[str, ...] = ()
    min_grade: str | None = None
    min_warning_level: str | None = None
    min_deaths: int | None = None
    min_injuries: int | None = None
    min_loss_wan_yuan: Decimal | None = None
    # The level applies only inside these divisions (code prefixes); empty: anywhere.
    division_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Situation:
    """What is known about an incident (or a warning) when plans are matched."""

    event_type: str | None = None
    grade: str | None = None
    warning_level: str | None = None
    deaths: int = 0
    injuries: int = 0
    loss_wan_yuan: Decimal = Decimal(0)
    division_code: str | None = None


def _rank(order: tuple[str, ...], value: str | None) -> int:
    return order.index(value) if value in order else -1


def criteria_reasons(criteria: Criteria, situation: Situation) -> list[str]:
    """Return why ``criteria`` are met (Chinese, one line per criterion met), or [] if not.

    The event type and area narrow the level (both must fit when given); the thresholds
    are alternatives (any one met starts the level).
    """
    if criteria.event_types and situation.event_type not in criteria.event_types:
        return []
    if criteria.division_codes and not any(
        (situation.division_code or "").startswith(code) for code in criteria.division_codes
    ):
        return []
    reasons: list[str] = []
    if (
        criteria.min_grade
        and _rank(GRADE_ORDER, situation.grade) >= _rank(GRADE_ORDER, criteria.min_grade) >= 0
    ):
        reasons.append(f"事故等级达到{GRADE_LABELS[criteria.min_grade]}及以上")
    if (
        criteria.min_warning_level
        and _rank(WARNING_ORDER, situation.warning_level)
        >= _rank(WARNING_ORDER, criteria.min_warning_level)
        >= 0
    ):
        reasons.append(f"预警级别达到{WARNING_LABELS[criteria.min_warning_level]}及以上")
    if criteria.min_deaths is not None and situation.deaths >= criteria.min_deaths:
        reasons.append(f"死亡 {situation.deaths} 人，达到 {criteria.min_deaths} 人的启动条件")
    if criteria.min_injuries is not None and situation.injuries >= criteria.min_injuries:
        reasons.append(f"受伤 {situation.injuries} 人，达到 {criteria.min_injuries} 人的启动条件")
    if (
        criteria.min_loss_wan_yuan is not None
        and situation.loss_wan_yuan >= criteria.min_loss_wan_yuan
    ):
        reasons.append(
            f"直接经济损失 {situation.loss_wan_yuan} 万元，达到 {criteria.min_loss_wan_yuan} 万元"
        )
    has_threshold = any(
        v is not None
        for v in (
            criteria.min_grade,
            criteria.min_warning_level,
            criteria.min_deaths,
            criteria.min_injuries,
            criteria.min_loss_wan_yuan,
        )
    )
    if not has_threshold and criteria.event_types:
        # A level keyed on the event type alone starts for any such event.
        reasons.append(f"事件类型为{situation.event_type}")
    return reasons


GRADE_LABELS = {
    "ordinary": "一般事故",
    "large": "较大事故",
    "major": "重大事故",
    "extraordinary": "特别重大事故",
}
WARNING_LABELS = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}


@dataclass(frozen=True, slots=True)
class LevelMatch:
    """The highest response level of one plan version the situation meets, with reasons."""

    level: ResponseLevel
    reasons: list[str]
    score: int


# Specific plans outrank general ones for the same situation (a 专项 plan for floods is more
# use to a flood than the 总体 plan); the level reached counts first.
_KIND_WEIGHT = {
    "onsite": 5,
    "enterprise": 4,
    "special": 4,
    "department": 3,
    "grassroots": 2,
    "overall": 1,
}


def match_levels(kind: str, levels: dict[int, Criteria], situation: Situation) -> LevelMatch | None:
    """Return the highest level whose criteria the situation meets (None: no level)."""
    for level in sorted(levels):
        reasons = criteria_reasons(levels[level], situation)
        if reasons:
            criteria = levels[level]
            specific = (2 if criteria.event_types else 0) + (1 if criteria.division_codes else 0)
            score = (5 - level) * 100 + _KIND_WEIGHT.get(kind, 0) * 10 + specific
            return LevelMatch(ResponseLevel(level), reasons, score)
    return None


class TaskState(StrEnum):
    """A plan task's states (architecture: every state machine is a table)."""

    ASSIGNED = "assigned"
    READ = "read"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    DONE = "done"


TASK_STATE_LABELS = {
    "assigned": "已下达",
    "read": "已读",
    "acknowledged": "已接收",
    "in_progress": "处置中",
    "done": "已完成",
}

TASK_ACTION_LABELS = {
    "read": "已读",
    "acknowledge": "接收",
    "feedback": "反馈",
    "complete": "完成",
    "return": "退回重办",
}


def _task_refusal_text(state: str, action: str) -> str:
    """Return why ``action`` is refused in ``state`` (Chinese)."""
    if action not in TASK_ACTION_LABELS:
        return f"未知操作：{action}"
    return f"任务当前为“{TASK_STATE_LABELS.get(state, state)}”，不能“{TASK_ACTION_LABELS[action]}”"


def _task_refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The plan task's own 409 (same wording as before the shared machine)."""
    return Conflict(_task_refusal_text(state, action))


T = TaskState
MACHINE = StateMachine(
    name="plan_task",
    title_zh="预案任务",
    states=tuple(TaskState),
    transitions=(
        Transition(T.ASSIGNED, "read", T.READ),
        Transition(T.ASSIGNED, "acknowledge", T.ACKNOWLEDGED),
        Transition(T.READ, "acknowledge", T.ACKNOWLEDGED),
        Transition(T.ACKNOWLEDGED, "feedback", T.IN_PROGRESS),
        Transition(T.IN_PROGRESS, "feedback", T.IN_PROGRESS),
        Transition(T.ACKNOWLEDGED, "complete", T.DONE),
        Transition(T.IN_PROGRESS, "complete", T.DONE),
        Transition(T.DONE, "return", T.IN_PROGRESS),
    ),
    state_labels=TASK_STATE_LABELS,
    action_labels=TASK_ACTION_LABELS,
    error=_task_refusal,
)
# Derived view: action → (allowed from-states, to-state); each action has one target.
TASK_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    action: (
        frozenset(str(t.state) for t in MACHINE.transitions if t.action == action),
        next(str(t.next_state) for t in MACHINE.transitions if t.action == action),
    )
    for action in MACHINE.actions
}


def task_transition(state: str, action: str) -> str:
    """Return the state after ``action``; raise ValueError (Chinese reason) if not allowed.

    The pure form of ``MACHINE.next_state`` (which raises the 409 itself).
    """
    row = MACHINE.find(state, action)
    if row is None:
        raise ValueError(_task_refusal_text(state, action))
    return str(row.next_state)


@dataclass(frozen=True, slots=True)
class PlanCalendar:
    """Drill and evaluation intervals in months by plan kind (defaults: module docstring)."""

    drill_every_months: dict[str, int] = field(
        default_factory=lambda: {
            "overall": 24,
            "special": 24,
            "department": 24,
            "grassroots": 24,
            "enterprise": 12,
            "onsite": 6,
        }
    )
    evaluate_every_months: int = 36


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True, slots=True)
class PlanFlags:
    """When the next evaluation and drill are due, and whether either is overdue."""

    evaluation_due: date | None
    drill_due: date | None
    evaluation_overdue: bool
    drill_overdue: bool


def plan_flags(
    kind: str,
    published_on: date | None,
    last_evaluated_on: date | None,
    last_drill_on: date | None,
    today: date,
    intervals: PlanCalendar | None = None,
) -> PlanFlags:
    """Return the plan's evaluation and drill due dates from its history."""
    intervals = intervals or PlanCalendar()
    base_eval = last_evaluated_on or published_on
    evaluation_due = add_months(base_eval, intervals.evaluate_every_months) if base_eval else None
    base_drill = last_drill_on or published_on
    every = intervals.drill_every_months.get(kind, 24)
    drill_due = add_months(base_drill, every) if base_drill else None
    return PlanFlags(
        evaluation_due=evaluation_due,
        drill_due=drill_due,
        evaluation_overdue=bool(evaluation_due and evaluation_due < today),
        drill_overdue=bool(drill_due and drill_due < today),
    )


def task_due(activated_at: datetime, deadline_minutes: int) -> datetime:
    """Return when a task from a template is due (minutes after activation)."""
    return activated_at + timedelta(minutes=deadline_minutes)
