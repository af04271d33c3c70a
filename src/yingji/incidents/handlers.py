"""Incident reactions: an alarm an operator promoted, a grid member's event report.

Both become incidents through ``service.intake_incident`` with an external reference
("alarm:<id>", "grid:<id>"), so a replayed event finds the incident already received.
The source domains are optional in a build: their events are subscribed only when present.
"""

from __future__ import annotations

import importlib
from typing import Any

from yingji.core.events import Event, EventRegistry
from yingji.core.uow import UnitOfWork
from yingji.duty.sources import register_open_item_source
from yingji.incidents.queries import open_items
from yingji.incidents.rules import CATEGORY_LABELS, FALLBACK_TYPES, TYPES_BY_CODE
from yingji.incidents.schemas import IncidentCreate
from yingji.incidents.service import intake_incident

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
    data: Any = event
    if data.target != "incident":
        return
    kind = str(getattr(data, "hazard_kind", None) or "")
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
    data: Any = event
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


def _event_type(module: str, name: str) -> type[Event] | None:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError:
        return None
    found = getattr(mod, name, None)
    return found if isinstance(found, type) and issubclass(found, Event) else None


def register(events: EventRegistry) -> None:
    """Subscribe to the alarm and grid events (when those domains are installed)."""
    # Open incidents ride along in the duty hand-over, like open alarms.
    register_open_item_source("incidents", open_items)
    promoted = _event_type("yingji.alarms.events", "AlarmPromoted")
    if promoted is not None:
        events.subscribe(promoted, on_alarm_promoted, "incidents.on_alarm_promoted")
    grid = _event_type("yingji.patrols.events", "GridEventReported")
    if grid is not None:
        events.subscribe(grid, on_grid_event, "incidents.on_grid_event")
