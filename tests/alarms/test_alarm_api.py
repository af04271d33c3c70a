"""Alarm endpoints: lifecycle and refused transitions, clear reasons, promotion to a hazard,
statistics on a known data set, scoping (township and enterprise) and audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from alarms.helpers import announce, condition, raise_one
from support.district import TOWN_B
from yingji.alarms.models import Alarm
from yingji.core.audit import AuditEntry
from yingji.risks.hazards.models import Hazard


@pytest.fixture
def alarm_a(ctx: Any, clock: Any) -> int:
    """An active alarm in township A."""
    ctx.clock = clock
    return raise_one(ctx, clock.now())


def test_lifecycle_and_every_illegal_transition_refused(as_user: Any, alarm_a: int) -> None:
    duty = as_user("duty")
    url = f"/api/v1/alarms/{alarm_a}"
    assert duty.get(url).json()["state"] == "active"
    r = duty.post(f"{url}/acknowledge", json={"note": "已通知企业排查"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["state"], body["acknowledged_by_name"]) == ("acknowledged", "duty")
    again = duty.post(f"{url}/acknowledge", json={})
    assert again.status_code == 409
    assert "已确认" in again.json()["detail"]
    r = duty.post(f"{url}/clear", json={"reason": "real", "note": "阀门已关闭"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["clear_reason"]) == ("cleared", "real")
    assert duty.post(f"{url}/clear", json={"reason": "real"}).status_code == 409
    assert duty.post(f"{url}/acknowledge", json={}).status_code == 409
    history = [h["action"] for h in duty.get(url).json()["history"]]
    assert history == ["raise", "acknowledge", "clear"]


def test_manual_clear_needs_a_reason_code(as_user: Any, alarm_a: int) -> None:
    duty = as_user("duty")
    for body in ({}, {"reason": None, "note": "x"}):
        r = duty.post(f"/api/v1/alarms/{alarm_a}/clear", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "reason"
    r = duty.post(f"/api/v1/alarms/{alarm_a}/clear", json={"reason": "auto"})
    assert r.status_code == 422  # "auto" is the system's, not a person's
    r = duty.post(f"/api/v1/alarms/{alarm_a}/clear", json={"reason": "false"})
    assert r.status_code == 200


def test_promote_opens_a_hazard_once(ctx: Any, as_user: Any, alarm_a: int) -> None:
    duty = as_user("duty")
    url = f"/api/v1/alarms/{alarm_a}/promote"
    r = duty.post(url, json={"target": "hazard", "title": "储罐区可燃气体泄漏"})
    assert r.status_code == 202, r.text
    with ctx.session_factory() as session:
        hazards = list(session.scalars(select(Hazard)))
        alarm = session.get(Alarm, alarm_a)
    assert len(hazards) == 1
    hazard = hazards[0]
    assert (hazard.source, hazard.source_ref, hazard.kind) == (
        "alarm",
        f"alarm:{alarm_a}",
        "hazmat",
    )
    assert hazard.division_code.startswith("500153001")
    assert alarm is not None
    assert alarm.hazard_id == hazard.id
    assert duty.get(f"/api/v1/alarms/{alarm_a}").json()["hazard_id"] == hazard.id
    # A second promotion is refused; a replayed event finds the same hazard.
    assert duty.post(url, json={"target": "hazard"}).status_code == 409
    from yingji.alarms.events import AlarmPromoted
    from yingji.alarms.handlers import on_promoted
    from yingji.core.actor import system_actor
    from yingji.core.outbox import OutboxMessage

    with ctx.session_factory() as session:
        payload = session.scalar(
            select(OutboxMessage.payload).where(OutboxMessage.name == "alarms.promoted")
        )
    with ctx.uow(system_actor("replay")) as uow:
        on_promoted(uow, AlarmPromoted.model_validate(payload))
        uow.commit()
    with ctx.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Hazard)) == 1


def test_false_alarm_cannot_be_promoted(as_user: Any, alarm_a: int) -> None:
    duty = as_user("duty")
    duty.post(f"/api/v1/alarms/{alarm_a}/clear", json={"reason": "false"})
    r = duty.post(f"/api/v1/alarms/{alarm_a}/promote", json={"target": "hazard"})
    assert r.status_code == 409


def test_stats_on_a_known_data_set(ctx: Any, clock: Any, as_user: Any) -> None:
    ctx.clock = clock
    t0 = clock.now()
    # Five alarms: acknowledged after 1, 2, 3, 4 and 10 minutes.
    levels = ["red", "orange", "orange", "yellow", "blue"]
    ids = [
        raise_one(ctx, t0, device_id=10 + i, device_code=f"D{i}", level=lv)
        for i, lv in enumerate(levels)
    ]
    duty = as_user("duty")
    for alarm_id, minutes in zip(ids, [1, 2, 3, 4, 10], strict=True):
        clock.advance(t0 + timedelta(minutes=minutes) - clock.now())
        assert duty.post(f"/api/v1/alarms/{alarm_id}/acknowledge").status_code == 200
    for alarm_id, reason in zip(ids[:4], ["false", "real", "maintenance", "false"], strict=True):
        assert (
            duty.post(f"/api/v1/alarms/{alarm_id}/clear", json={"reason": reason}).status_code
            == 200
        )
    raise_one(ctx, t0, device_id=99, device_code="D99", level="red")  # open, never acknowledged
    stats = duty.get("/api/v1/alarms/stats").json()
    assert stats["total"] == 6
    assert {x["level"]: x["count"] for x in stats["by_level"]} == {
        "red": 2,
        "orange": 2,
        "yellow": 1,
        "blue": 1,
    }
    assert stats["by_state"] == {"active": 1, "acknowledged": 1, "cleared": 4}
    assert stats["acknowledged"] == 5
    assert stats["ack_median_minutes"] == 3.0
    assert stats["ack_p90_minutes"] == pytest.approx(7.6)
    assert (stats["false_alarms"], stats["cleared_with_reason"]) == (2, 4)
    assert stats["false_alarm_share"] == 0.5
    # A window that excludes every alarm.
    later = (t0 + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert duty.get("/api/v1/alarms/stats", params={"start": later}).json()["total"] == 0


def test_scoping_township_and_enterprise(
    ctx: Any, clock: Any, as_user: Any, ids: dict[str, int], alarm_a: int
) -> None:
    ent_alarm = raise_one(
        ctx, clock.now(), device_id=7, device_code="ENT-A", enterprise_id=ids["enterprise:A"]
    )
    b_alarm = raise_one(ctx, clock.now(), device_id=8, device_code="B-1", division_code=TOWN_B)
    town_b = as_user("town_b")
    for url in (f"/api/v1/alarms/{alarm_a}", f"/api/v1/alarms/{ent_alarm}"):
        assert town_b.get(url).status_code == 404
        assert town_b.post(f"{url}/acknowledge").status_code == 404
        assert town_b.post(f"{url}/clear", json={"reason": "test"}).status_code == 404
        assert town_b.post(f"{url}/promote", json={"target": "hazard"}).status_code == 404
    assert [a["id"] for a in town_b.get("/api/v1/alarms").json()["items"]] == [b_alarm]
    town_a = as_user("town_a")
    assert {a["id"] for a in town_a.get("/api/v1/alarms").json()["items"]} == {alarm_a, ent_alarm}
    ent = as_user("ent_a")
    assert [a["id"] for a in ent.get("/api/v1/alarms").json()["items"]] == [ent_alarm]
    assert ent.get(f"/api/v1/alarms/{alarm_a}").status_code == 404
    assert ent.post(f"/api/v1/alarms/{ent_alarm}/acknowledge").status_code == 200
    # A grid member may look but not take charge.
    assert as_user("grid_a").post(f"/api/v1/alarms/{alarm_a}/acknowledge").status_code == 403


def test_board_order_and_audit(ctx: Any, clock: Any, as_user: Any) -> None:
    ctx.clock = clock
    t0 = clock.now()
    low = raise_one(ctx, t0, device_id=1, level="yellow")
    high = raise_one(ctx, t0, device_id=2, level="red")
    done = raise_one(ctx, t0, device_id=3, level="red")
    duty = as_user("duty")
    duty.post(f"/api/v1/alarms/{done}/acknowledge")
    items = duty.get("/api/v1/alarms").json()["items"]
    assert [a["id"] for a in items] == [high, low, done]
    assert duty.get("/api/v1/alarms", params={"state": "acknowledged"}).json()["total"] == 1
    with ctx.session_factory() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "alarms.alarm.acknowledge")
        ).one()
    assert (audit.entity_id, audit.actor_name, audit.after["state"]) == (
        str(done),
        "duty",
        "acknowledged",
    )


def test_stream_says_when_alarms_change(ctx: Any, client: Any, tokens: Any, alarm_a: int) -> None:
    headers = {"Authorization": f"Bearer {tokens['duty']}"}
    with ctx.session_factory() as session, session.begin():
        session.execute(update(Alarm).values(count=Alarm.count))
    r = client.get("/api/v1/alarms/stream", params={"poll": 0.05, "lifetime": 0.2}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert "event: hello" in r.text


def test_raise_announces_and_condition_can_target_enterprise(ctx: Any, clock: Any) -> None:
    ctx.clock = clock
    announce(ctx, condition(clock.now(), division_code=None, enterprise_id=None))
    with ctx.session_factory() as session:
        alarm = session.scalars(select(Alarm)).one()
    assert alarm.division_code == "500153"  # placed nowhere: the district desk's
