"""Incident reactions: an alarm an operator promoted, a grid member's event report.

Both become incidents through ``service.intake_incident`` with an external reference
("alarm:<id>", "grid:<id>"), so a replayed event finds the incident already received.
The source domains are optional in a build: their events are subscribed only when present.
"""

from __future__ import annotations

from yingji.alarms.events import AlarmPromoted
from yingji.core.composition import Subscription
from yingji.core.events import Event
from yingji.core.uow import UnitOfWork
from yingji.incidents.rules import CATEGORY_LABELS, FALLBACK_TYPES, TYPES_BY_CODE
from yingji.incidents.schemas import IncidentCreate
from yingji.incidents.service import intake_incident
from yingji.patrols.events import GridEventReported

# The grid event categories of patrols (火情, 汛情 ...) and the incident type each opens.
GRID_TYPES: dict[str, str] = {
    "fire": "fire",
    "flood": "flood",
    "geohazard": "geohazard",
    "traffic": "road_traffic",
    "accident": "production_safety",
    "crowd": "mass_incident",
    "other": "other_accident",
}


def _type_of(label: str, default_category: str) -> tuple[str, str]:
    """Map a source's category text to (category, type code)."""
    found = TYPES_BY_CODE.get(GRID_TYPES.get(label, label))
    if found is not None:
        return found.category, found.code
    if label in CATEGORY_LABELS:
        return label, FALLBACK_TYPES[label]
    return default_category, FALLBACK_TYPES[default_category]


# The hazard kinds an operator may pick when promoting an alarm, and the incident type each
# opens (kinds of risks.hazards; anything else is "another accident").
ALARM_TYPES: dict[str, str] = {
    "fire": "fire",
    "hazmat": "hazmat",
    "electrical": "production_safety",
    "structure": "construction",
    "geohazard": "geohazard",
    "flood": "flood",
}


def on_alarm_promoted(uow: UnitOfWork, event: Event) -> None:
    """Open an incident for an alarm promoted with target "incident"."""
    assert isinstance(event, AlarmPromoted)
    data = event
    if data.target != "incident":
        return
    kind = str(data.hazard_kind or "")
    category, type_code = _type_of(ALARM_TYPES.get(kind, kind), "accident")
    intake_incident(
        uow,
        IncidentCreate(
            category=category,
            type=type_code,
            occurred_at=data.occurred_at,
            title=data.title[:200] or f"设备 {data.device_code} 报警",
            description=data.description or "",
            longitude=data.longitude,
            latitude=data.latitude,
            division_code=data.division_code,
            enterprise_id=data.enterprise_id,
            external_ref=f"alarm:{data.alarm_id}",
            source="alarm",
        ),
    )


def on_grid_event(uow: UnitOfWork, event: Event) -> None:
    """Open an incident for an event a grid member reported."""
    assert isinstance(event, GridEventReported)
    data = event
    category, type_code = _type_of(str(data.category or ""), "accident")
    intake_incident(
        uow,
        IncidentCreate(
            category=category,
            type=type_code,
            occurred_at=data.occurred_at,
            title=data.title[:200],
            description=data.description or "",
            longitude=data.longitude,
            latitude=data.latitude,
            division_code=data.division_code,
            external_ref=f"grid:{data.report_id}",
            source="grid_report",
        ),
    )


SUBSCRIPTIONS = (
    Subscription(AlarmPromoted, on_alarm_promoted, "incidents.on_alarm_promoted"),
    Subscription(GridEventReported, on_grid_event, "incidents.on_grid_event"),
)
