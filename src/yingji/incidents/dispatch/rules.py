"""Dispatch rules (pure): travel estimates, ranking of resources, the dispatch-order states.

ETA: without a configured road network, straight-line distance × a detour factor at a
configured speed (defaults 1.4 and 40 km/h — mixed urban and county roads; both settings).
"Who can arrive within 1 hour" is the 004 work plan's target for rescue forces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

EARTH_RADIUS_KM = 6371.0088
ARRIVAL_TARGET_MINUTES = 60


@dataclass(frozen=True, slots=True)
class TravelModel:
    """How travel time is estimated when no road network is configured."""

    detour_factor: float = 1.4
    speed_kmh: float = 40.0


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the great-circle distance between two WGS84 points in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


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


def rank_teams(
    candidates: list[TeamCandidate], needed: list[str], model: TravelModel | None = None
) -> list[RankedTeam]:
    """Rank teams: available first, then most needed specialties, then soonest arrival."""
    ranked: list[tuple[tuple[int, int, int], RankedTeam]] = []
    for team in candidates:
        eta = eta_minutes(team.km, model)
        matched = tuple(s for s in needed if s in team.specialties)
        available = team.status == "standby"
        reasons: list[str] = []
        if needed:
            reasons.append(f"具备所需专业：{'、'.join(matched)}" if matched else "不具备所需专业")
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
# action → (from-states, to-state)
ORDER_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({"requested"}), "approved"),
    "dispatch": (frozenset({"approved"}), "dispatched"),
    "depart": (frozenset({"dispatched"}), "en_route"),
    "arrive": (frozenset({"dispatched", "en_route"}), "on_scene"),
    "return": (frozenset({"dispatched", "en_route", "on_scene"}), "returned"),
    "cancel": (frozenset({"requested", "approved"}), "cancelled"),
}
ACTION_LABELS = {
    "approve": "批准",
    "dispatch": "派出",
    "depart": "出发",
    "arrive": "到场",
    "return": "归队",
    "cancel": "取消",
}
OPEN_STATES = frozenset({"requested", "approved", "dispatched", "en_route", "on_scene"})
# The team is out from dispatch until it is back.
DEPLOYED_STATES = frozenset({"dispatched", "en_route", "on_scene"})


def next_state(state: str, action: str) -> str:
    """Return the state after ``action``; raise ValueError with the Chinese reason."""
    rule = ORDER_TRANSITIONS.get(action)
    if rule is None:
        raise ValueError(f"未知操作：{action}")
    allowed, target = rule
    if state not in allowed:
        raise ValueError(
            f"调度单当前为“{STATE_LABELS.get(state, state)}”，不能“{ACTION_LABELS[action]}”"
        )
    return target
