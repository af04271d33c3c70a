"""Dispatch rules (pure): travel estimates, ranking of resources, the dispatch-order states.

ETA: from the road network when one is configured (``adapters.routing.RoadNetwork``, asked
only about the candidates the search kept); otherwise — and per target whenever the network
has no answer — straight-line distance × a detour factor at a configured speed (defaults 1.4
and 40 km/h — mixed urban and county roads; both settings). Each estimate says which source
it came from (``eta_source``). "Who can arrive within 1 hour" is the 004 work plan's target
for rescue forces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition
from yingji.geo.schemas import distance_m

if TYPE_CHECKING:
    from yingji.adapters.routing import RoadNetwork

ARRIVAL_TARGET_MINUTES = 60


EtaSource = Literal["road", "straight_line"]
ROAD: EtaSource = "road"
STRAIGHT_LINE: EtaSource = "straight_line"


@dataclass(frozen=True, slots=True)
class TravelModel:
    """How travel time is estimated: the road network if any, else straight line × detour.

    ``road_network`` is only carried here (this module never calls it); the queries and the
    service ask it and hand the answers to ``choose_eta``.
    """

    detour_factor: float = 1.4
    speed_kmh: float = 40.0
    road_network: RoadNetwork | None = field(default=None, compare=False)

    def describe(self) -> str:
        """Return the model in words, for the recommendation's ``travel_model``."""
        fallback = f"直线距离 × {self.detour_factor} ÷ {self.speed_kmh} 公里/小时"
        if self.road_network is None:
            return fallback
        return f"道路网络行程时间；无法获取时按{fallback}"


@dataclass(frozen=True, slots=True)
class Eta:
    """An arrival estimate and where it came from."""

    minutes: int
    source: EtaSource


def choose_eta(km: float, road_minutes: float | None, model: TravelModel | None = None) -> Eta:
    """Return the road estimate when there is one, else the straight-line estimate."""
    if road_minutes is not None and math.isfinite(road_minutes) and road_minutes >= 0:
        return Eta(math.ceil(road_minutes), ROAD)
    return Eta(eta_minutes(km, model), STRAIGHT_LINE)


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the great-circle distance between two WGS84 points in km."""
    return distance_m(lon1, lat1, lon2, lat2) / 1000


def eta_minutes(km: float, model: TravelModel | None = None) -> int:
    """Return the estimated minutes to cover ``km`` straight-line (rounded up)."""
    model = model or TravelModel()
    return math.ceil(km * model.detour_factor / model.speed_kmh * 60)


@dataclass(frozen=True, slots=True)
class TeamCandidate:
    """A team as the ranker sees it."""

    id: int
    name: str
    specialties: tuple[str, ...]
    status: str
    headcount: int
    km: float
    road_minutes: float | None = None


@dataclass(frozen=True, slots=True)
class RankedTeam:
    """A recommended team with its estimate and the reasons for its place."""

    id: int
    name: str
    km: float
    eta_minutes: int
    within_hour: bool
    matched: tuple[str, ...]
    available: bool
    reasons: tuple[str, ...]
    eta_source: EtaSource = STRAIGHT_LINE


def rank_teams(
    candidates: list[TeamCandidate], needed: list[str], model: TravelModel | None = None
) -> list[RankedTeam]:
    """Rank teams: available first, then most needed specialties, then soonest arrival."""
    ranked: list[tuple[tuple[int, int, int], RankedTeam]] = []
    for team in candidates:
        estimate = choose_eta(team.km, team.road_minutes, model)
        eta = estimate.minutes
        matched = tuple(s for s in needed if s in team.specialties)
        available = team.status == "standby"
        reasons: list[str] = []
        if needed:
            reasons.append(f"具备所需专业：{'、'.join(matched)}" if matched else "不具备所需专业")
        if estimate.source == ROAD:
            reasons.append(f"道路行程预计 {eta} 分钟到达（直线 {team.km:.1f} 公里）")
        else:
            reasons.append(f"直线 {team.km:.1f} 公里，预计 {eta} 分钟到达")
        if eta <= ARRIVAL_TARGET_MINUTES:
            reasons.append("1 小时内可到达")
        reasons.append(
            "待命，可调派"
            if available
            else f"当前状态：{TEAM_STATUS_LABELS.get(team.status, team.status)}"
        )
        key = (0 if available else 1, -len(matched), eta)
        ranked.append(
            (
                key,
                RankedTeam(
                    team.id,
                    team.name,
                    round(team.km, 2),
                    eta,
                    eta <= ARRIVAL_TARGET_MINUTES,
                    matched,
                    available,
                    tuple(reasons),
                    estimate.source,
                ),
            )
        )
    ranked.sort(key=lambda pair: (pair[0], pair[1].id))
    return [team for _, team in ranked]


TEAM_STATUS_LABELS = {"standby": "待命", "deployed": "已出动", "unavailable": "不可用"}


class OrderState(StrEnum):
    """Dispatch order states (architecture: every state machine is a table)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNED = "returned"
    CANCELLED = "cancelled"


STATE_LABELS = {
    "requested": "已申请",
    "approved": "已批准",
    "dispatched": "已派出",
    "en_route": "途中",
    "on_scene": "已到场",
    "returned": "已归队",
    "cancelled": "已取消",
}
ACTION_LABELS = {
    "approve": "批准",
    "dispatch": "派出",
    "depart": "出发",
    "arrive": "到场",
    "return": "归队",
    "cancel": "取消",
}


def _refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The order's own 409 (same wording as before the shared machine)."""
    if action not in ACTION_LABELS:
        return Conflict(f"未知操作：{action}")
    label = STATE_LABELS.get(state, state)
    return Conflict(f"调度单当前为“{label}”，不能“{ACTION_LABELS[action]}”")


Os = OrderState
# Rows grouped by action so that a page lists an order's actions in the same order as ever.
MACHINE = StateMachine(
    name="dispatch_order",
    title_zh="调度单",
    states=tuple(OrderState),
    transitions=(
        Transition(Os.REQUESTED, "approve", Os.APPROVED),
        Transition(Os.APPROVED, "dispatch", Os.DISPATCHED),
        Transition(Os.DISPATCHED, "depart", Os.EN_ROUTE),
        Transition(Os.DISPATCHED, "arrive", Os.ON_SCENE),
        Transition(Os.EN_ROUTE, "arrive", Os.ON_SCENE),
        Transition(Os.DISPATCHED, "return", Os.RETURNED),
        Transition(Os.EN_ROUTE, "return", Os.RETURNED),
        Transition(Os.ON_SCENE, "return", Os.RETURNED),
        Transition(Os.REQUESTED, "cancel", Os.CANCELLED),
        Transition(Os.APPROVED, "cancel", Os.CANCELLED),
    ),
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    error=_refusal,
)
# Orders still open, and (below) those whose team is out.
OPEN_STATES = frozenset({"requested", "approved", "dispatched", "en_route", "on_scene"})
# The team is out from dispatch until it is back.
DEPLOYED_STATES = frozenset({"dispatched", "en_route", "on_scene"})


#: Roles of the command post (指挥中心): they dispatch across township lines, so resource
#: recommendations show them the whole district.
COMMAND_POST_ROLES: frozenset[str] = frozenset({"admin", "bureau_staff", "duty_officer"})
