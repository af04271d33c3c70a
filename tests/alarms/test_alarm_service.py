"""Alarm lifecycle through the monitoring handlers and the job: one alarm per condition,
auto-clear, escalation on silence walking the duty chain, audit rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from alarms.helpers import announce, cleared, condition, raise_one
from duty.helpers import roster
from yingji.alarms import service as alarm_service
from yingji.alarms.models import Alarm, AlarmEscalation, AlarmHistory
from yingji.alarms.schemas import AlarmCondition
from yingji.alarms.tasks import escalate_alarms
from yingji.core.actor import system_actor
from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage


def _alarms(ctx: Any) -> list[Alarm]:
    with ctx.session_factory() as session:
        return list(session.scalars(select(Alarm).order_by(Alarm.id)))


def _notices(ctx: Any) -> list[dict[str, Any]]:
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.name == "notice.requested")
            .order_by(OutboxMessage.id)
        )
        return [dict(r.payload) for r in rows]


def test_one_alarm_per_condition_however_many_raises(ctx: Any, clock: Any) -> None:
    ctx.clock = clock
    t0 = clock.now()
    announce(ctx, condition(t0, value=26.0))
    announce(ctx, condition(t0, value=30.0))
    announce(ctx, condition(t0, value=55.0, level="red", level_label="二级报警", threshold=50.0))
    announce(ctx, condition(t0, value=40.0, level="orange"))  # falls back: level stays red
    # Another rule of the same device is another condition.
    announce(ctx, condition(t0, rule_key="no_data", metric="_silence", level="yellow", value=0))
    alarms = _alarms(ctx)
    assert len(alarms) == 2
    gas = alarms[0]
    assert (gas.count, gas.level, gas.last_level) == (4, "red", "orange")
    assert (gas.first_value, gas.last_value, gas.peak_value) == (26.0, 40.0, 55.0)
    assert gas.state == "active"
    with ctx.session_factory() as session:
        actions = list(
            session.scalars(
                select(AlarmHistory.action)
                .where(AlarmHistory.alarm_id == gas.id)
                .order_by(AlarmHistory.id)
            )
        )
        audits = session.scalar(
            select(func.count()).where(
                AuditEntry.entity == "alarms_alarm", AuditEntry.entity_id == str(gas.id)
            )
        )
    assert actions == ["raise", "rise"]
    assert audits == 2  # raise and rise; plain repeats only update the figures


def test_auto_clear_by_event_then_a_new_alarm(ctx: Any, clock: Any) -> None:
    ctx.clock = clock
    t0 = clock.now()
    first = raise_one(ctx, t0)
    announce(ctx, cleared(t0 + timedelta(minutes=3)))
    announce(ctx, cleared(t0 + timedelta(minutes=4)))  # seen again: nothing open, no error
    alarm = _alarms(ctx)[0]
    assert (alarm.state, alarm.clear_reason, alarm.open_key) == ("cleared", "auto", None)
    assert alarm.last_value == 3.0
    second = raise_one(ctx, t0 + timedelta(minutes=5))
    assert second != first
    assert [a.state for a in _alarms(ctx)] == ["cleared", "active"]


def test_escalation_walks_the_duty_chain_once_per_step(ctx: Any, clock: Any, people: Any) -> None:
    ctx.clock = clock
    ids, _ = people
    t0 = clock.now()
    roster(ctx, t0 - timedelta(hours=1), 12, ids)
    alarm_id = raise_one(ctx, t0, level="red", level_label="二级报警")  # red: every 5 minutes
    first = _notices(ctx)
    assert [n["user_ids"] for n in first] == [[ids["officer1"]]]
    assert first[0]["dedupe_key"] == f"alarm:{alarm_id}:step:0"

    def run(minutes: int) -> int:
        clock.advance(t0 + timedelta(minutes=minutes) - clock.now())
        return escalate_alarms(ctx, clock.now())

    assert run(4) == 0
    assert run(5) == 1
    assert run(5) == 0  # the same moment again: nothing twice
    assert run(6) == 0
    assert run(10) == 1
    assert run(15) == 1  # past the chain's end the leader is called again
    notices = _notices(ctx)
    assert [n["user_ids"] for n in notices] == [
        [ids["officer1"]],
        [ids["backup1"]],
        [ids["leader1"]],
        [ids["leader1"]],
    ]
    assert [n["dedupe_key"] for n in notices] == [f"alarm:{alarm_id}:step:{k}" for k in range(4)]
    # Acknowledged: escalation stops.
    from yingji.accounts.models import User
    from yingji.accounts.queries import actor_for
    from yingji.alarms.service import acknowledge_alarm

    with ctx.session_factory() as session:
        officer = actor_for(session.get(User, ids["officer1"]), "500153")
    with ctx.uow(officer) as uow:
        acknowledge_alarm(uow, alarm_id, note="已电话联系企业")
        uow.commit()
    assert run(20) == 0
    assert run(60) == 0
    with ctx.session_factory() as session:
        steps = list(
            session.scalars(
                select(AlarmEscalation.step)
                .where(AlarmEscalation.alarm_id == alarm_id)
                .order_by(AlarmEscalation.step)
            )
        )
        audits = session.scalar(
            select(func.count()).where(AuditEntry.action == "alarms.alarm.escalate")
        )
    assert steps == [0, 1, 2, 3]
    assert audits == 3


def test_rise_after_acknowledge_needs_a_person_again(ctx: Any, clock: Any, people: Any) -> None:
    ctx.clock = clock
    ids, _ = people
    t0 = clock.now()
    roster(ctx, t0 - timedelta(hours=1), 12, ids)
    alarm_id = raise_one(ctx, t0)
    from yingji.alarms.service import acknowledge_alarm
    from yingji.core.actor import system_actor

    with ctx.uow(system_actor("desk")) as uow:
        acknowledge_alarm(uow, alarm_id)
        uow.commit()
    clock.advance(timedelta(minutes=2))
    announce(ctx, condition(clock.now(), level="red", value=60.0))
    alarm = _alarms(ctx)[0]
    assert (alarm.state, alarm.level, alarm.escalation_round, alarm.acknowledged_at) == (
        "active",
        "red",
        1,
        None,
    )
    keys = [n["dedupe_key"] for n in _notices(ctx)]
    assert keys == [f"alarm:{alarm_id}:step:0", f"alarm:{alarm_id}:r1:step:0"]


def test_nobody_rostered_tells_every_duty_officer(ctx: Any, clock: Any, ids: Any) -> None:
    ctx.clock = clock
    raise_one(ctx, clock.now())
    assert [n["user_ids"] for n in _notices(ctx)] == [[ids["user:duty"]]]


def test_a_concurrent_raise_of_the_same_condition_updates_the_winner(
    ctx: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx.clock = clock
    cond = AlarmCondition.model_validate(condition(clock.now()).model_dump())
    winner = raise_one(ctx, clock.now())
    # The loser looked before the winner committed: its first look finds nothing.
    real_find = alarm_service._find_open
    looks: list[str] = []

    def late_look(session: Any, key: str) -> Any:
        looks.append(key)
        return None if len(looks) == 1 else real_find(session, key)

    monkeypatch.setattr(alarm_service, "_find_open", late_look)
    with ctx.uow(system_actor("monitoring")) as uow:
        alarm_id, created = alarm_service.raise_alarm(uow, cond)
        uow.commit()
    assert (alarm_id, created) == (winner, False)
    alarms = _alarms(ctx)
    assert len(alarms) == 1
    assert alarms[0].count == 2
