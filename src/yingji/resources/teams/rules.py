"""Rescue team and equipment rules (pure): kinds, staffing, statuses and status transitions.

Team kinds follow the glossary, which follows the force structure of 《“十四五”国家应急体系
规划》(国发〔2021〕36号): 国家综合性消防救援队伍 as the main force, 专业救援队伍 as the
backbone, 社会应急力量 as auxiliary, plus 基层 and 民兵 forces. Staffing (专职 / 兼职 / 志愿)
is how the district's "2+7+14+N" pattern tells its teams apart.
"""

from __future__ import annotations

from enum import StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition


class TeamKind(StrEnum):
    """Kinds of rescue team (glossary: rescue_team)."""

    COMPREHENSIVE = "comprehensive"
    PROFESSIONAL = "professional"
    GRASSROOTS = "grassroots"
    SOCIAL = "social"
    MILITIA = "militia"
    FIRE = "fire"


class TeamStatus(StrEnum):
    """Whether a team can be dispatched now."""

    STANDBY = "standby"
    DEPLOYED = "deployed"
    UNAVAILABLE = "unavailable"


class Staffing(StrEnum):
    """How a team is staffed."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    VOLUNTEER = "volunteer"


class EquipmentStatus(StrEnum):
    """Whether a piece of equipment can be dispatched now."""

    STANDBY = "standby"
    DEPLOYED = "deployed"
    UNAVAILABLE = "unavailable"
    MAINTENANCE = "maintenance"


KIND_LABELS = {
    "comprehensive": "综合",
    "professional": "专业",
    "grassroots": "基层",
    "social": "社会",
    "militia": "民兵",
    "fire": "消防",
}
TEAM_STATUS_LABELS = {"standby": "待命", "deployed": "出动", "unavailable": "不可用"}
STAFFING_LABELS = {"full_time": "专职", "part_time": "兼职", "volunteer": "志愿"}
EQUIPMENT_STATUS_LABELS = {
    "standby": "待命",
    "deployed": "出动",
    "unavailable": "不可用",
    "maintenance": "维修保养",
}

# Offered in forms and templates; other labels are accepted (cleaned by registry.tags).
SUGGESTED_SPECIALTIES = (
    "综合救援",
    "水域救援",
    "山岳救援",
    "地震救援",
    "危化品救援",
    "森林灭火",
    "矿山救援",
    "医疗救护",
    "电力抢修",
    "通信保障",
    "道路抢通",
)
SUGGESTED_EQUIPMENT_KINDS = (
    "消防车",
    "抽水泵",
    "发电机组",
    "冲锋舟",
    "挖掘机",
    "无人机",
    "卫星电话",
    "照明车",
)


def _team_refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The team's own 409: names both statuses and the ones allowed (wording unchanged)."""
    return Conflict(status_change_problem(state, action) or "", code="illegal_status_change")


Ts = TeamStatus
# Allowed team status changes. A team comes back from a deployment to standby; anything may
# become unavailable (losses, training, equipment down); an unavailable team must be
# declared ready (standby) before it can be deployed again, so that dispatchers never send
# a team nobody has confirmed. The action is the target status; staying put is not a change,
# so each status also leads to itself.
TEAM_MACHINE = StateMachine(
    name="rescue_team",
    title_zh="救援队伍",
    states=tuple(TeamStatus),
    transitions=(
        Transition(Ts.STANDBY, Ts.STANDBY, Ts.STANDBY),
        Transition(Ts.STANDBY, Ts.DEPLOYED, Ts.DEPLOYED),
        Transition(Ts.STANDBY, Ts.UNAVAILABLE, Ts.UNAVAILABLE),
        Transition(Ts.DEPLOYED, Ts.DEPLOYED, Ts.DEPLOYED),
        Transition(Ts.DEPLOYED, Ts.STANDBY, Ts.STANDBY),
        Transition(Ts.DEPLOYED, Ts.UNAVAILABLE, Ts.UNAVAILABLE),
        Transition(Ts.UNAVAILABLE, Ts.UNAVAILABLE, Ts.UNAVAILABLE),
        Transition(Ts.UNAVAILABLE, Ts.STANDBY, Ts.STANDBY),
    ),
    state_labels=TEAM_STATUS_LABELS,
    action_labels={k: f"改为{v}" for k, v in TEAM_STATUS_LABELS.items()},
    error=_team_refusal,
)


def can_change_status(current: TeamStatus, target: TeamStatus) -> bool:
    """Tell whether a team may go from ``current`` to ``target`` (staying put is allowed)."""
    return TEAM_MACHINE.find(current, target) is not None


def status_change_problem(current: str, target: str) -> str | None:
    """Return why a team cannot change from ``current`` to ``target`` (Chinese), or None."""
    if can_change_status(TeamStatus(current), TeamStatus(target)):
        return None
    allowed = "、".join(
        TEAM_STATUS_LABELS[s] for s in sorted(TEAM_MACHINE.allowed(current) - {str(current)})
    )
    return (
        f"队伍状态不能从“{TEAM_STATUS_LABELS[current]}”改为“{TEAM_STATUS_LABELS[target]}”"
        f"（只能改为：{allowed}）"
    )


def owner_problem(owner_team_id: int | None, owner_department: str | None) -> str | None:
    """Return why equipment has no owner (Chinese), or None: a team or a department owns it."""
    if owner_team_id is None and not (owner_department or "").strip():
        return "应急装备须填写所属救援队伍或所属单位"
    return None
