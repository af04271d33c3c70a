"""Alarm reactions: monitoring conditions raise and clear alarms; promotions open hazards.

Handlers run after commit, each in its own transaction, and tolerate seeing an event twice:
a repeated raise only updates the open alarm's figures, a repeated clear finds nothing open,
a repeated promotion finds the hazard already reported for ``alarm:<id>``.
"""

from __future__ import annotations

from yingji.alarms import service
from yingji.alarms.events import AlarmPromoted
from yingji.alarms.schemas import AlarmCondition, ConditionCleared
from yingji.core.composition import Subscription
from yingji.core.events import Event
from yingji.core.uow import UnitOfWork
from yingji.monitoring.events import AlarmConditionCleared, AlarmConditionRaised
from yingji.risks.hazards.schemas import KIND_LABELS, HazardReport
from yingji.risks.hazards.service import report_hazard


def on_condition_raised(uow: UnitOfWork, event: Event) -> None:
    """Raise (or update) the alarm of a monitoring condition."""
    assert isinstance(event, AlarmConditionRaised)
    cond = AlarmCondition.model_validate(event.model_dump())
    if cond.division_code is None and cond.enterprise_id is None:
        # A device placed nowhere still belongs to the district desk, never to nobody.
        cond.division_code = uow.settings.district_code
    service.raise_alarm(uow, cond)


def on_condition_cleared(uow: UnitOfWork, event: Event) -> None:
    """Clear the open alarm of a condition that is back to normal."""
    assert isinstance(event, AlarmConditionCleared)
    service.auto_clear(uow, ConditionCleared.model_validate(event.model_dump()))


def on_promoted(uow: UnitOfWork, event: Event) -> None:
    """Report the hazard an alarm was promoted to (idempotent by ``alarm:<id>``)."""
    assert isinstance(event, AlarmPromoted)
    if event.target != "hazard":
        return  # incidents subscribe themselves
    kind = event.hazard_kind if event.hazard_kind in KIND_LABELS else "other"
    hazard_id = report_hazard(
        uow,
        HazardReport(
            source="alarm",
            source_ref=f"alarm:{event.alarm_id}",
            kind=kind,
            title=event.title[:200],
            description=event.description[:4000],
            enterprise_id=event.enterprise_id,
            risk_point_id=event.risk_point_id,
            division_code=event.division_code,
            longitude=event.longitude,
            latitude=event.latitude,
        ),
    )
    service.link_hazard(uow, event.alarm_id, hazard_id)


SUBSCRIPTIONS = (
    Subscription(AlarmConditionRaised, on_condition_raised, "alarms.on_condition_raised"),
    Subscription(AlarmConditionCleared, on_condition_cleared, "alarms.on_condition_cleared"),
    Subscription(AlarmPromoted, on_promoted, "alarms.on_promoted"),
)
