"""Alarm test helpers: conditions as monitoring announces them, raised through the handler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from support.district import POINT_A, TOWN_A
from yingji.core.actor import system_actor
from yingji.monitoring.events import AlarmConditionCleared, AlarmConditionRaised


def condition(at: datetime, **extra: Any) -> AlarmConditionRaised:
    """Return a gas-detector condition in township A (fields overridable)."""
    data: dict[str, Any] = {
        "device_id": 1,
        "device_code": "GAS-001",
        "device_name": "1号可燃气体探测器",
        "metric": "gas_lel",
        "unit": "%LEL",
        "rule_key": "kind:gas_lel:high",
        "level": "orange",
        "level_label": "一级报警",
        "value": 26.0,
        "threshold": 25.0,
        "observed_at": at,
        "division_code": TOWN_A + "001",
        "enterprise_id": None,
        "risk_point_id": None,
        "major_hazard_id": None,
        "longitude": POINT_A[0],
        "latitude": POINT_A[1],
        "message": "可燃气体浓度超过一级报警值",
    }
    data.update(extra)
    return AlarmConditionRaised.model_validate(data)


def cleared(at: datetime, **extra: Any) -> AlarmConditionCleared:
    """Return the clearing of the default condition."""
    data: dict[str, Any] = {
        "device_id": 1,
        "device_code": "GAS-001",
        "metric": "gas_lel",
        "rule_key": "kind:gas_lel:high",
        "value": 3.0,
        "observed_at": at,
    }
    data.update(extra)
    return AlarmConditionCleared.model_validate(data)


def announce(ctx: Any, *events: Any) -> None:
    """Announce events as monitoring would (committed, then relayed to the handlers)."""
    with ctx.uow(system_actor("monitoring")) as uow:
        for event in events:
            uow.add_event(event)
        uow.commit()


def raise_one(ctx: Any, at: datetime, **extra: Any) -> int:
    """Raise one condition through the handler; return the open alarm's id."""
    from sqlalchemy import select

    from yingji.alarms.models import Alarm

    event = condition(at, **extra)
    announce(ctx, event)
    key = f"{event.device_id}:{event.metric}:{event.rule_key}"
    with ctx.session_factory() as session:
        found = session.scalar(select(Alarm.id).where(Alarm.open_key == key))
    assert found is not None
    return int(found)
