"""Patrol and public-report rules (pure, no I/O): states, labels, limits, distances.

Public reports (举报) follow a small allowed-transition table; grid patrols only start and
finish. Limits a deployment may want to change (rate limit, dedupe radius, reward cap) live
in ``PublicReportConfig`` with national defaults; where the source is not confirmed the value
is marked so.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from yingji.accounts.rules import Role
from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition
from yingji.geo.schemas import distance_m


class PatrolState(StrEnum):
    """A grid patrol is under way until its member finishes it."""

    ONGOING = "ongoing"
    FINISHED = "finished"


PATROL_STATE_LABELS: dict[str, str] = {"ongoing": "巡查中", "finished": "已结束"}


class CheckResult(StrEnum):
    """The outcome of one check made during a patrol; an anomaly is what matters."""

    NORMAL = "normal"
    ANOMALY = "anomaly"


CHECK_RESULT_LABELS: dict[str, str] = {"normal": "正常", "anomaly": "异常"}


class GridReportType(StrEnum):
    """What a grid member reports: a hazard (goes into the hazard loop) or an event."""

    HAZARD = "hazard"
    EVENT = "event"


GRID_REPORT_TYPE_LABELS: dict[str, str] = {"hazard": "隐患", "event": "事件"}

# Hazard kinds as the hazards domain codes them (contract: risks.hazards rules).
HAZARD_KIND_LABELS: dict[str, str] = {
    "fire": "消防安全",
    "electrical": "用电安全",
    "hazmat": "危险化学品",
    "structure": "建筑结构",
    "geohazard": "地质灾害",
    "flood": "防汛积水",
    "equipment": "设备设施",
    "management": "安全管理",
    "other": "其他",
}

# Events a grid member sees on patrol that are not hazards (火情、险情、事故 ...).
EVENT_CATEGORY_LABELS: dict[str, str] = {
    "fire": "火情",
    "flood": "汛情/内涝",
    "geohazard": "地质灾害险情",
    "traffic": "交通事故",
    "accident": "生产安全事故",
    "crowd": "人员聚集",
    "other": "其他",
}


class ReportState(StrEnum):
    """Where a public report stands, as the reporter sees it through the tracking code."""

    RECEIVED = "received"
    VERIFIED = "verified"
    UNFOUNDED = "unfounded"
    REPLIED = "replied"


REPORT_STATE_LABELS: dict[str, str] = {
    "received": "已受理",
    "verified": "已核实",
    "unfounded": "经核查不属实",
    "replied": "已答复",
}


class ReportAction(StrEnum):
    """What an officer does to a public report."""

    VERIFY = "verify"
    DISMISS = "dismiss"
    REPLY = "reply"


REPORT_ACTION_LABELS: dict[str, str] = {
    "verify": "核实属实",
    "dismiss": "核实不属实",
    "reply": "答复",
}


def _report_refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The public report's own 409 (same wording and code as before the shared machine)."""
    return Conflict(transition_refusal(state, action), code="illegal_transition")


Rs, Ra = ReportState, ReportAction
# A report is checked (属实 / 不属实), then answered; a replied report is final.
REPORT_MACHINE = StateMachine(
    name="public_report",
    title_zh="群众举报",
    states=tuple(ReportState),
    transitions=(
        Transition(Rs.RECEIVED, Ra.VERIFY, Rs.VERIFIED),
        Transition(Rs.RECEIVED, Ra.DISMISS, Rs.UNFOUNDED),
        Transition(Rs.VERIFIED, Ra.REPLY, Rs.REPLIED),
        Transition(Rs.UNFOUNDED, Ra.REPLY, Rs.REPLIED),
    ),
    state_labels=REPORT_STATE_LABELS,
    action_labels=REPORT_ACTION_LABELS,
    error=_report_refusal,
)
# Typed view of the table for callers that index it by enum pair.
REPORT_TRANSITIONS: dict[tuple[ReportState, ReportAction], ReportState] = {
    (ReportState(t.state), ReportAction(t.action)): ReportState(t.next_state)
    for t in REPORT_MACHINE.transitions
}


class RewardState(StrEnum):
    """Reward bookkeeping of a verified report: none yet, granted (amount set), paid."""

    NONE = "none"
    GRANTED = "granted"
    PAID = "paid"


REWARD_STATE_LABELS: dict[str, str] = {"none": "未奖励", "granted": "已核定", "paid": "已发放"}

# Who handles public reports and who books rewards. Rewards are money: the bureau only.
REPORT_HANDLERS = frozenset(
    {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER, Role.TOWNSHIP_OFFICER}
)
REWARD_KEEPERS = frozenset({Role.ADMIN, Role.BUREAU_STAFF})
# Who may see public reports at all (grid members: only those in their grid/village).
REPORT_READERS = REPORT_HANDLERS | {Role.GRID_MEMBER, Role.DEPARTMENT_OFFICER, Role.INSPECTOR}
# Who patrols, and who supervises patrols (coverage view).
PATROLLERS = frozenset({Role.GRID_MEMBER, Role.TOWNSHIP_OFFICER})
PATROL_READERS = frozenset(
    {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER, Role.TOWNSHIP_OFFICER, Role.GRID_MEMBER}
)
GRID_REPORTERS = frozenset({Role.GRID_MEMBER, Role.TOWNSHIP_OFFICER})


@dataclass(frozen=True)
class PublicReportConfig:
    """Deployment limits for public reports (national defaults)."""

    # Anti-spam: reports accepted from one client address per rolling hour / day. Local
    # practice, not a regulation; deployments behind one NAT may raise it.
    per_client_per_hour: int = 5
    per_client_per_day: int = 20
    # Same kind within this distance of an open hazard → linked to it (issue 3 item 5).
    dedupe_radius_m: float = 50.0
    # 《安全生产领域举报奖励办法》(应急〔2018〕19号) caps a single reward; the cap figure
    # (300,000 元) is unconfirmed here (no reference file), hence configuration.
    max_reward_yuan: Decimal = Decimal("300000")


DEFAULT_REPORT_CONFIG = PublicReportConfig()


def next_report_state(state: ReportState, action: ReportAction) -> ReportState | None:
    """Return the state ``action`` leads to from ``state``, or None when not allowed."""
    row = REPORT_MACHINE.find(state, action)
    return None if row is None else ReportState(row.next_state)


def transition_refusal(state: str, action: str) -> str:
    """Return why ``action`` is refused in ``state`` (Chinese)."""
    state_zh = REPORT_STATE_LABELS.get(state, state)
    return f"举报当前为“{state_zh}”，不能{REPORT_ACTION_LABELS.get(action, action)}"


def reward_problem(verified: bool, state: RewardState, amount: Decimal, cap: Decimal) -> str | None:
    """Return why a reward of ``amount`` cannot be granted (Chinese), or None."""
    if not verified:
        return "只有经核实属实的举报才能奖励"
    if state is RewardState.PAID:
        return "奖励已发放，不能再修改金额"
    if amount <= 0:
        return "奖励金额应大于 0"
    if amount > cap:
        return f"奖励金额不能超过 {cap} 元"
    return None


# Tracking codes: no 0/O/1/I/L so a code read out over the phone is not misheard.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_CODE_LENGTH = 12


def new_tracking_code() -> str:
    """Return a fresh random tracking code (about 59 bits: not guessable)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))


def normalise_tracking_code(text: str) -> str:
    """Return a typed tracking code in canonical form (upper case, no spaces or dashes)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def township_of(division_code: str) -> str:
    """Return the township (9-digit) part of a division code at township level or below."""
    return division_code[:9]


def track_length_m(points: Sequence[tuple[float, float]]) -> float:
    """Return the length in metres of a track given as (lon, lat) points in time order."""
    return sum(distance_m(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(points))
