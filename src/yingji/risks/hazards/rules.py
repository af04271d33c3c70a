"""Hazard (事故隐患) rules: levels, states, the allowed-transition table, 五到位, deadlines.

Pure: no I/O. The services ask these functions and raise the errors they name.

The loop (原国家安监总局令第16号《安全生产事故隐患排查治理暂行规定》 第十条、第十五条):
reported → confirmed (or rejected with a reason) → rectifying → submitted for acceptance →
closed (销号); an acceptance can return the work for rework (→ rectifying); a rejected
report or a closed hazard can be reopened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition


class HazardLevel(StrEnum):
    """一般 / 重大 事故隐患 (16号令 第三条)."""

    GENERAL = "general"
    MAJOR = "major"


class HazardSource(StrEnum):
    """Where a hazard was found."""

    SELF_CHECK = "self_check"
    GRID_PATROL = "grid_patrol"
    INSPECTION = "inspection"
    PUBLIC_REPORT = "public_report"
    ALARM = "alarm"
    REVIEW = "review"


class HazardState(StrEnum):
    """States of the rectification loop."""

    REPORTED = "reported"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    RECTIFYING = "rectifying"
    SUBMITTED = "submitted"
    CLOSED = "closed"


class HazardAction(StrEnum):
    """What a user does to move a hazard along."""

    CONFIRM = "confirm"
    REJECT = "reject"
    START = "start"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    REOPEN = "reopen"


LEVEL_LABELS: dict[str, str] = {"general": "一般隐患", "major": "重大隐患"}
SOURCE_LABELS: dict[str, str] = {
    "self_check": "企业自查",
    "grid_patrol": "网格巡查",
    "inspection": "执法检查",
    "public_report": "群众举报",
    "alarm": "监测报警",
    "review": "复核发现",
}
STATE_LABELS: dict[str, str] = {
    "reported": "待确认",
    "confirmed": "已确认",
    "rejected": "已驳回",
    "rectifying": "整改中",
    "submitted": "待验收",
    "closed": "已销号",
}
ACTION_LABELS: dict[str, str] = {
    "confirm": "确认",
    "reject": "驳回",
    "start": "开始整改",
    "submit": "提交验收",
    "accept": "验收销号",
    "return": "退回整改",
    "reopen": "重新打开",
}
# Hazard kinds (a coarse grouping for statistics and the "open hazards near" lookup).
KIND_LABELS: dict[str, str] = {
    "fire": "消防",
    "electrical": "电气",
    "hazmat": "危险化学品",
    "structure": "建（构）筑物",
    "geohazard": "地质灾害",
    "flood": "防汛",
    "equipment": "设备设施",
    "management": "安全管理",
    "other": "其他",
}

H, HA = HazardState, HazardAction


def _refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The hazard's own 409: names the current state and what it still allows."""
    return Conflict(refusal(HazardState(state), HazardAction(action)), code="illegal_transition")


# The allowed transitions. Everything else is refused; who may is checked by the service
# (it depends on the hazard's enterprise and jurisdiction, not on a role name alone).
MACHINE = StateMachine(
    name="hazard",
    title_zh="隐患",
    states=tuple(HazardState),
    transitions=(
        Transition(H.REPORTED, HA.CONFIRM, H.CONFIRMED),
        Transition(H.REPORTED, HA.REJECT, H.REJECTED),
        Transition(H.CONFIRMED, HA.START, H.RECTIFYING),
        Transition(H.RECTIFYING, HA.SUBMIT, H.SUBMITTED),
        Transition(H.SUBMITTED, HA.ACCEPT, H.CLOSED),
        Transition(H.SUBMITTED, HA.RETURN, H.RECTIFYING),
        # A wrongly rejected report goes back for confirmation; a closed hazard that recurs
        # goes straight back to rectification (its plan and owner still stand).
        Transition(H.REJECTED, HA.REOPEN, H.REPORTED),
        Transition(H.CLOSED, HA.REOPEN, H.RECTIFYING),
    ),
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    error=_refusal,
)
# Typed view of the table for callers that index it by enum pair.
TRANSITIONS: dict[tuple[HazardState, HazardAction], HazardState] = {
    (HazardState(t.state), HazardAction(t.action)): HazardState(t.next_state)
    for t in MACHINE.transitions
}

# Hazards still being worked on (shown on the board by default, counted as open).
OPEN_STATES = frozenset(
    {
        HazardState.REPORTED,
        HazardState.CONFIRMED,
        HazardState.RECTIFYING,
        HazardState.SUBMITTED,
    }
)
# States in which a passed deadline makes the hazard overdue: the rectifier still owes the
# work. A submitted rectification waits on the reviewer, not on the owner.
OVERDUE_STATES = frozenset({HazardState.CONFIRMED, HazardState.RECTIFYING})
# Actions that need a written reason (who, when, why is recorded for every transition;
# for these the "why" cannot be empty).
REASON_REQUIRED = frozenset({HazardAction.REJECT, HazardAction.RETURN, HazardAction.REOPEN})


def next_state(state: HazardState, action: HazardAction) -> HazardState | None:
    """Return the state ``action`` leads to from ``state``, or None if it is not allowed."""
    row = MACHINE.find(state, action)
    return None if row is None else HazardState(row.next_state)


def allowed_actions(state: HazardState) -> list[HazardAction]:
    """Return the actions the table allows from ``state`` (roles not considered)."""
    return [HazardAction(a) for a in MACHINE.actions_from(state)]


def refusal(state: HazardState, action: HazardAction) -> str:
    """Return why ``action`` is not allowed from ``state`` (Chinese, for the 409)."""
    allowed = "、".join(ACTION_LABELS[a] for a in allowed_actions(state)) or "无"
    return (
        f"隐患当前状态为“{STATE_LABELS[state]}”，不能执行“{ACTION_LABELS[action]}”"
        f"（当前可执行：{allowed}）"
    )


# 五到位 (措施、责任、资金、时限、预案) for 重大事故隐患; 16号令 第十五条 lists the same content
# for the treatment plan. Keys of RectificationPlan in order, with their Chinese names.
FIVE_IN_PLACE: tuple[tuple[str, str], ...] = (
    ("measures", "措施"),
    ("responsible_person", "责任"),
    ("funds", "资金"),
    ("time_limit", "时限"),
    ("contingency_plan", "预案"),
)


def missing_plan_elements(plan: dict[str, object] | None) -> list[tuple[str, str]]:
    """Return the (field, name) of each 五到位 element the plan lacks (all when no plan)."""
    plan = plan or {}
    missing = []
    for key, label in FIVE_IN_PLACE:
        value = plan.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append((key, label))
    return missing


@dataclass(frozen=True, slots=True)
class HazardConfig:
    """Deployment choices not fixed by a confirmed national rule (regulations-safety.md §3.2).

    16号令 requires a time limit but sets no number of days; these defaults apply only when a
    confirmation names no deadline. Env (proposed): YINGJI_HAZARD_GENERAL_DAYS,
    YINGJI_HAZARD_MAJOR_DAYS.
    """

    general_days: int = 7
    major_days: int = 30


DEFAULT_CONFIG = HazardConfig()


def config_from_settings(settings: object) -> HazardConfig:
    """Return the config with ``hazard_general_days`` / ``hazard_major_days`` when set."""
    general = getattr(settings, "hazard_general_days", None)
    major = getattr(settings, "hazard_major_days", None)
    return HazardConfig(
        general_days=int(general) if general else DEFAULT_CONFIG.general_days,
        major_days=int(major) if major else DEFAULT_CONFIG.major_days,
    )


def default_deadline(
    level: HazardLevel, today: date, config: HazardConfig = DEFAULT_CONFIG
) -> date:
    """Return the deadline a confirmation gives when none is named."""
    days = config.major_days if level is HazardLevel.MAJOR else config.general_days
    return today + timedelta(days=days)


def is_overdue(state: HazardState, deadline: date | None, today: date) -> bool:
    """Tell whether a hazard is past its deadline while its owner still owes the work."""
    return deadline is not None and deadline < today and state in OVERDUE_STATES


def rectification_rate(found: int, closed: int) -> float | None:
    """Return closed / found as a percentage with one decimal (None when nothing found)."""
    if found == 0:
        return None
    return round(closed * 100.0 / found, 1)


# --- who may do what (documented in service.py's docstring) ----------------------------------

# Reviewers confirm, reject, accept, return and reopen within their jurisdiction.
REVIEWER_ROLES = frozenset({"admin", "bureau_staff", "township_officer", "inspector"})
# 挂牌督办 is a district decision (the bureau names the supervising department).
SUPERVISOR_ROLES = frozenset({"admin", "bureau_staff"})
# Which sources each role may report under (a role not listed may not report).
REPORT_SOURCES: dict[str, frozenset[str]] = {
    "admin": frozenset(HazardSource),
    "bureau_staff": frozenset(HazardSource),
    "township_officer": frozenset(HazardSource) - {HazardSource.SELF_CHECK},
    "inspector": frozenset({"inspection", "review", "public_report"}),
    "department_officer": frozenset({"inspection", "review", "public_report"}),
    "duty_officer": frozenset({"public_report", "alarm"}),
    "grid_member": frozenset({"grid_patrol", "public_report"}),
    "enterprise_officer": frozenset({"self_check"}),
}
RECTIFY_ACTIONS = frozenset({HazardAction.START, HazardAction.SUBMIT})


def may_act(
    role: str,
    action: HazardAction,
    *,
    is_system: bool = False,
    own_enterprise: bool = False,
    is_owner: bool = False,
    has_enterprise: bool = True,
) -> bool:
    """Tell whether a user of ``role`` may take ``action`` on a hazard they can see.

    Rectifying (start, submit) is the duty of the unit that owns the hazard (16号令 第十五条):
    its enterprise officer or the named owner; a hazard of no enterprise (a public place) is
    rectified under the township/bureau, so reviewers may do it. Reviewing is government work.
    """
    if is_system:
        return True
    if action in RECTIFY_ACTIONS:
        if own_enterprise or is_owner:
            return True
        return not has_enterprise and role in REVIEWER_ROLES
    return role in REVIEWER_ROLES
