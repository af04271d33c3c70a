"""An alarm promoted to an incident and a grid member's event report open incidents, once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from support.district import POINT_A, TOWN_A
from yingji.alarms.events import AlarmPromoted
from yingji.core.actor import system_actor
from yingji.core.clock import FixedClock
from yingji.core.events import Event
from yingji.incidents.models import Incident
from yingji.patrols.events import GridEventReported

AT = datetime(2026, 6, 1, 1, 30, tzinfo=UTC)


def _announce(ctx: Any, event: Event) -> None:
    with ctx.uow(system_actor("test")) as uow:
        uow.add_event(event)
        uow.commit()


def _incidents(ctx: Any) -> list[Incident]:
    with ctx.session_factory() as s:
        return list(s.scalars(select(Incident).order_by(Incident.id)))


def _alarm(**over: Any) -> AlarmPromoted:
    data: dict[str, Any] = {
        "alarm_id": 7,
        "target": "incident",
        "title": "可燃气体浓度二级报警",
        "description": "罐区可燃气体 52 %LEL",
        "level": "red",
        "occurred_at": AT,
        "device_code": "GAS-001",
        "division_code": None,
        "enterprise_id": None,
        "risk_point_id": None,
        "longitude": POINT_A[0],
        "latitude": POINT_A[1],
        "requested_by_user_id": None,
    }
    data.update(over)
    return AlarmPromoted(**data)


def test_alarm_promoted_opens_incident_once(ctx: Any, clock: FixedClock) -> None:
    ctx.clock = clock
    _announce(ctx, _alarm())
    _announce(ctx, _alarm())  # replayed / promoted twice: the same incident
    _announce(ctx, _alarm(alarm_id=8, target="hazard"))  # not for incidents
    rows = _incidents(ctx)
    assert len(rows) == 1
    inc = rows[0]
    assert inc.external_ref == "alarm:7"
    assert inc.source == "alarm"
    assert inc.category == "accident"
    assert inc.division_code.startswith(TOWN_A)
    assert inc.grade == "ordinary"
    assert inc.type == "other_accident"
    _announce(ctx, _alarm(alarm_id=9, hazard_kind="geohazard", title="裂缝位移超限"))
    latest = _incidents(ctx)[-1]
    assert (latest.category, latest.type, latest.grade) == ("natural_disaster", "geohazard", None)


def test_grid_event_opens_incident_once(ctx: Any, clock: FixedClock) -> None:
    ctx.clock = clock
    event: dict[str, Any] = {
        "report_id": 3,
        "title": "路口两车相撞",
        "description": "有人受伤",
        "category": "traffic",
        "occurred_at": AT,
        "division_code": None,
        "longitude": POINT_A[0],
        "latitude": POINT_A[1],
        "reporter_user_id": None,
    }
    _announce(ctx, GridEventReported(**event))
    _announce(ctx, GridEventReported(**event))
    _announce(ctx, GridEventReported(**{**event, "report_id": 4, "category": "crowd"}))
    rows = _incidents(ctx)
    assert [(r.external_ref, r.type, r.source) for r in rows] == [
        ("grid:3", "road_traffic", "grid_report"),
        ("grid:4", "mass_incident", "grid_report"),
    ]
    assert rows[1].category == "social_security"
    assert rows[1].grade is None
