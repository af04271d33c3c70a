"""Broadcast targeting, idempotent queuing, dispatch with retries, 叫应 escalation, notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from support.district import TOWN_A, VILLAGE_A1
from yingji.core.actor import Actor, system_actor
from yingji.core.audit import AuditEntry
from yingji.core.clock import FixedClock
from yingji.core.errors import NotFound, PermissionDenied, ValidationFailed
from yingji.core.notices import NoticeRequested
from yingji.core.web.context import AppContext
from yingji.notify import queries, service, tasks
from yingji.notify.channels import FakeChannel
from yingji.notify.models import Acknowledgement, Delivery, Message
from yingji.notify.rules import RetryPolicy, idempotency_key
from yingji.notify.schemas import TargetArea

ALL = ["sms", "voice", "wechat", "loudspeaker", "display", "in_app"]


def publish(ctx: AppContext, area: TargetArea, *, actor: Actor | None = None, **kw: Any) -> int:
    with ctx.uow(actor or system_actor("test")) as uow:
        queued = service.queue_broadcast(
            uow,
            source_kind=kw.pop("source_kind", "warning"),
            source_id=kw.pop("source_id", "1"),
            area=area,
            channels=kw.pop("channels", ALL),
            subject=kw.pop("subject", "暴雨橙色预警"),
            body=kw.pop("body", "请做好防范"),
            require_ack=kw.pop("require_ack", False),
        )
        uow.commit()
    return queued


def read(ctx: AppContext) -> Any:
    """Return a session closed at the end of the test (a leaked one breaks teardown)."""
    session = ctx.session_factory()
    _OPEN.append(session)
    return session


_OPEN: list[Any] = []


@pytest.fixture(autouse=True)
def _close_sessions() -> Any:
    yield
    while _OPEN:
        _OPEN.pop().close()


def recipients(ctx: AppContext, kind: str, channel: str = "sms") -> set[int]:
    with ctx.session_factory() as s:
        return set(
            s.scalars(
                select(Delivery.recipient_id).where(
                    Delivery.recipient_kind == kind, Delivery.channel == channel
                )
            )
        )


def fake(ctx: AppContext, channel: str) -> FakeChannel:
    adapter = ctx.adapters.channels[channel]
    assert isinstance(adapter, FakeChannel)
    return adapter


def test_targeting_by_division(ctx: AppContext, world: Any) -> None:
    count = queries.count_recipients(read(ctx), TargetArea(division_codes=[TOWN_A]))
    assert (count.residents, count.responsible_persons, count.devices) == (4, 3, 1)
    assert count.total == 8

    queued = publish(ctx, TargetArea(division_codes=[TOWN_A]))
    r = world.residents
    assert recipients(ctx, "resident") == {r["a1_1"], r["a1_2"], r["a2_in"], r["a2_out"]}
    p = world.persons
    assert recipients(ctx, "person") == {p["town_a_chief"], p["a1_cadre"], p["a2_grid"]}
    assert recipients(ctx, "person", "in_app") == {p["a1_cadre"]}  # the only one with a user
    assert recipients(ctx, "device", "loudspeaker") == {world.devices["a1_speaker"]}
    # 4 residents × 3 + 3 persons × 3 + a1_cadre in_app + 1 loudspeaker
    assert queued == 12 + 9 + 1 + 1


def test_targeting_by_polygon(ctx: AppContext, world: Any, box_polygon: dict[str, Any]) -> None:
    area = TargetArea(polygon=box_polygon)
    count = queries.count_recipients(read(ctx), area)
    assert count.residents == 4
    publish(ctx, area, channels=["sms", "loudspeaker", "display"])
    r = world.residents
    # A1 wholly inside (both residents, one filed at grid level); A2/B1 cut by the polygon:
    # only the points inside; B2 touched at a corner, its resident outside.
    assert recipients(ctx, "resident") == {r["a1_1"], r["a1_2"], r["a2_in"], r["b1_in"]}
    p = world.persons
    # Persons answer for a village the polygon reaches; the township chief is not a village.
    assert recipients(ctx, "person") == {p["a1_cadre"], p["a2_grid"], p["b1_cadre"]}
    assert recipients(ctx, "device", "loudspeaker") == {world.devices["a1_speaker"]}
    assert recipients(ctx, "device", "display") == set()  # B2's display stands outside


def test_area_union_and_validation(ctx: AppContext, world: Any, box_polygon: dict) -> None:
    session = read(ctx)
    both = queries.count_recipients(
        session, TargetArea(division_codes=["500153002002"], polygon=box_polygon)
    )
    assert both.residents == 5  # the polygon's four and B2's resident
    with pytest.raises(ValidationFailed):
        queries.count_recipients(session, TargetArea())
    with pytest.raises(ValidationFailed):
        queries.count_recipients(session, TargetArea(division_codes=["12x"]))
    with pytest.raises(ValidationFailed):
        publish(ctx, TargetArea(division_codes=[TOWN_A]), channels=["fax"])


def test_broadcast_is_idempotent_and_audited(ctx: AppContext, world: Any) -> None:
    first = publish(ctx, TargetArea(division_codes=[VILLAGE_A1]))
    assert first > 0
    assert publish(ctx, TargetArea(division_codes=[VILLAGE_A1])) == 0
    # Widening the area of the same source adds only the new recipients.
    widened = publish(ctx, TargetArea(division_codes=[TOWN_A]))
    with ctx.session_factory() as s:
        total = s.scalar(select(func.count()).select_from(Delivery))
        audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "queue_broadcast")).all()
    assert total == first + widened
    assert len(audits) == 3
    assert audits[0].after is not None
    assert audits[0].after["queued"] == first


def test_township_broadcast_stays_in_its_jurisdiction(
    ctx: AppContext, world: Any, ids: dict[str, int]
) -> None:
    town_a = Actor(ids["user:town_a"], "town_a", "township_officer", division_code=TOWN_A)
    publish(ctx, TargetArea(division_codes=["500153"]), actor=town_a, channels=["sms"])
    with ctx.session_factory() as s:
        codes = set(s.scalars(select(Delivery.division_code)))
    assert codes
    assert all(c.startswith(TOWN_A) for c in codes)
    grid = Actor(ids["user:grid_a"], "grid_a", "grid_member", division_code=VILLAGE_A1)
    with pytest.raises(PermissionDenied):
        publish(ctx, TargetArea(division_codes=[VILLAGE_A1]), actor=grid, source_id="2")


def test_dispatch_retries_never_double_send(ctx: AppContext, world: Any, fixed: FixedClock) -> None:
    publish(ctx, TargetArea(division_codes=[VILLAGE_A1]), channels=["sms"])
    sms = fake(ctx, "sms")
    channels = ctx.adapters.channels
    retry = RetryPolicy(max_attempts=3, base_seconds=60)

    # 1. A transient gateway error: the delivery stays queued and waits its backoff.
    sms.fail_next(1)
    with ctx.uow(system_actor()) as uow:
        service.dispatch_due(uow, channels, limit=1, retry=retry)
        uow.commit()
    with ctx.session_factory() as s:
        first = s.scalars(select(Delivery).order_by(Delivery.id)).first()
        assert first is not None
        assert (first.state, first.attempts) == ("queued", 1)
        assert first.next_attempt_at == fixed.now() + timedelta(seconds=60)

    # 2. The gateway accepts but we crash before committing: nothing recorded here...
    with ctx.uow(system_actor()) as uow:
        service.dispatch_due(uow, channels, retry=retry)
        # no commit: the transaction is lost
    sent_before = len(sms.sent)
    assert sent_before >= 1
    # ...so the next run sends the same deliveries again with the same keys: the gateway
    # refuses the repeats and the deliveries end up sent, each texted exactly once.
    fixed.advance(timedelta(minutes=2))
    assert tasks.dispatch_deliveries(ctx, fixed.now()) >= 1
    keys = [r.idempotency_key for r in sms.sent]
    assert len(keys) == len(set(keys))
    with ctx.session_factory() as s:
        rows = s.scalars(select(Delivery)).all()
    assert {d.state for d in rows} <= {"sent", "delivered"}
    assert {idempotency_key(d.id) for d in rows} == set(keys)
    assert len(sms.sent) == len(rows)


def test_dispatch_gives_up_after_max_attempts(
    ctx: AppContext, world: Any, fixed: FixedClock
) -> None:
    publish(ctx, TargetArea(division_codes=["500153001001001"]), channels=["sms"])
    sms = fake(ctx, "sms")
    channels = ctx.adapters.channels
    retry = RetryPolicy(max_attempts=2, base_seconds=10)
    sms.fail_next(2)
    for _ in range(2):
        with ctx.uow(system_actor()) as uow:
            service.dispatch_due(uow, channels, retry=retry)
            uow.commit()
        fixed.advance(timedelta(seconds=30))
    with ctx.session_factory() as s:
        d = s.scalars(select(Delivery)).one()
    assert (d.state, d.attempts, d.last_error) == ("failed", 2, "网关繁忙")
    assert sms.sent == []


def test_receipt_moves_sent_to_delivered(ctx: AppContext, world: Any) -> None:
    publish(ctx, TargetArea(division_codes=[VILLAGE_A1]), channels=["sms"])
    fake(ctx, "sms").auto_deliver = False
    tasks.dispatch_deliveries(ctx, ctx.clock.now())
    with ctx.session_factory() as s:
        delivery_id = s.scalars(select(Delivery.id)).first()
    assert delivery_id is not None
    with ctx.uow(system_actor()) as uow:
        service.record_receipt(uow, delivery_id, delivered=True)
        uow.commit()
    with ctx.uow(system_actor()) as uow:
        service.record_receipt(uow, delivery_id, delivered=True)  # the same receipt again
        with pytest.raises(Exception, match="不能变为"):
            service.record_receipt(uow, delivery_id, delivered=False)
    with ctx.session_factory() as s:
        assert s.get(Delivery, delivery_id).state == "delivered"  # type: ignore[union-attr]


def _ack_rows(ctx: AppContext) -> list[Acknowledgement]:
    with ctx.session_factory() as s:
        return list(s.scalars(select(Acknowledgement).order_by(Acknowledgement.id)))


def _escalation_deliveries(ctx: AppContext) -> list[tuple[str, str, int]]:
    with ctx.session_factory() as s:
        rows = s.execute(
            select(Message.message_key, Delivery.channel, Delivery.recipient_id)
            .join(Message, Message.id == Delivery.message_id)
            .where(Message.purpose == "escalation")
            .order_by(Delivery.id)
        ).all()
    return [(k, c, i) for k, c, i in rows]


def test_ack_escalation_fires_once_per_step(ctx: AppContext, world: Any, fixed: FixedClock) -> None:
    publish(ctx, TargetArea(division_codes=[VILLAGE_A1]), channels=["sms"], require_ack=True)
    acks = _ack_rows(ctx)
    assert [a.person_id for a in acks] == [world.persons["a1_cadre"]]
    ack_id = acks[0].id
    cadre, chief = world.persons["a1_cadre"], world.persons["town_a_chief"]

    def run(minutes: int) -> int:
        fixed.advance(timedelta(minutes=minutes))
        return tasks.escalate_acknowledgements(ctx, fixed.now())

    assert run(14) == 0
    assert run(1) == 1  # 15 min of silence: call the cadre
    assert run(0) == 0  # the same minute again: nothing twice
    assert _escalation_deliveries(ctx) == [(f"escalation:{ack_id}:1", "voice", cadre)]
    assert run(14) == 0
    assert run(1) == 1  # 15 more minutes: tell the superior
    assert run(60) == 0  # no step left
    steps = _escalation_deliveries(ctx)
    assert [(c, i) for _, c, i in steps[1:]] == [("sms", chief), ("voice", chief)]
    assert _ack_rows(ctx)[0].escalation_step == 2
    with ctx.session_factory() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "notify_acknowledgement")
        ).all()
    assert actions == ["escalate_acknowledgement", "escalate_acknowledgement"]


def test_acknowledged_person_is_not_escalated(
    ctx: AppContext, world: Any, fixed: FixedClock, ids: dict[str, int]
) -> None:
    publish(ctx, TargetArea(division_codes=[TOWN_A]), channels=["sms", "in_app"], require_ack=True)
    acks = {a.person_id: a for a in _ack_rows(ctx)}
    cadre_ack = acks[world.persons["a1_cadre"]]
    # By the link's token (no sign-in), twice: the second changes nothing.
    for _ in range(2):
        with ctx.uow(system_actor("ack-link")) as uow:
            service.acknowledge(uow, token=cadre_ack.token)
            uow.commit()
    # The grid person acknowledges nothing; the chief signs in? No user: only by token.
    grid = Actor(ids["user:grid_a"], "grid_a", "grid_member", division_code=VILLAGE_A1)
    with ctx.session_factory() as s:
        chief_delivery = s.scalars(
            select(Delivery.id).where(Delivery.recipient_id == world.persons["town_a_chief"])
        ).first()
    with ctx.uow(grid) as uow, pytest.raises(NotFound):
        service.acknowledge(uow, delivery_id=chief_delivery)
    fixed.advance(timedelta(minutes=16))
    assert tasks.escalate_acknowledgements(ctx, fixed.now()) == 2  # chief and grid person
    rows = {a.person_id: a for a in _ack_rows(ctx)}
    assert rows[world.persons["a1_cadre"]].escalation_step == 0
    assert rows[world.persons["a1_cadre"]].acknowledged_via == "link"
    cover = queries.coverage(read(ctx), source_kind="warning", source_id="1")
    assert (cover.ack_required, cover.acknowledged) == (3, 1)
    assert cover.by_village[VILLAGE_A1].acknowledged == 1
    with ctx.session_factory() as s:
        n = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "acknowledge")
        )
    assert n == 1


def test_ack_by_own_in_app_delivery(ctx: AppContext, world: Any, ids: dict[str, int]) -> None:
    publish(ctx, TargetArea(division_codes=[VILLAGE_A1]), channels=["in_app"], require_ack=True)
    grid = Actor(ids["user:grid_a"], "grid_a", "grid_member", division_code=VILLAGE_A1)
    inbox = queries.inbox(read(ctx), grid)
    assert len(inbox) == 1
    assert inbox[0].ack_token
    with ctx.uow(grid) as uow:
        service.acknowledge(uow, delivery_id=inbox[0].delivery_id)
        uow.commit()
    again = queries.inbox(read(ctx), grid)
    assert again[0].acknowledged_at is not None
    assert again[0].ack_token is None


def test_coverage_counts_by_village_and_channel(ctx: AppContext, world: Any) -> None:
    publish(ctx, TargetArea(division_codes=[TOWN_A]), channels=["sms", "voice"])
    fake(ctx, "voice").fail_next(1, transient=False, reason="空号")
    tasks.dispatch_deliveries(ctx, ctx.clock.now())
    cover = queries.coverage(read(ctx), source_kind="warning", source_id="1")
    assert cover.targeted == 14  # (4 residents + 3 persons) × 2
    assert (cover.delivered, cover.failed, cover.pending) == (13, 1, 0)
    assert cover.by_channel["voice"].failed == 1
    assert cover.by_village[VILLAGE_A1].targeted == 6  # 2 residents + cadre, × 2
    assert sum(v.targeted for v in cover.by_village.values()) == 14
    assert queries.coverage(read(ctx), source_kind="x", source_id="y").targeted == 0


def test_notice_twice_with_same_dedupe_key_is_one_delivery(
    ctx: AppContext, fixed: FixedClock, ids: dict[str, int]
) -> None:
    for _ in range(2):
        with ctx.uow(system_actor("hazards")) as uow:
            uow.add_event(
                NoticeRequested(
                    user_ids=[ids["user:town_a"]],
                    phones=["13900001111"],
                    subject="隐患逾期",
                    body="隐患 42 已逾期未整改",
                    channels=["in_app", "sms"],
                    source_kind="hazard",
                    source_id="42",
                    dedupe_key="hazard:42:overdue",
                )
            )
            uow.commit()  # inline relay: the notify handler runs after commit
    with ctx.session_factory() as s:
        rows = s.execute(select(Delivery.channel, Delivery.recipient_kind, Delivery.address)).all()
    assert sorted(rows) == [
        ("in_app", "user", str(ids["user:town_a"])),
        ("sms", "phone", "13900001111"),
    ]
    town_a = Actor(ids["user:town_a"], "town_a", "township_officer", division_code=TOWN_A)
    assert [i.subject for i in queries.inbox(read(ctx), town_a)] == ["隐患逾期"]
