"""Transactional outbox: events are stored with the change and relayed exactly once."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from yingji.core.actor import system_actor
from yingji.core.events import Event, EventRegistry
from yingji.core.outbox import HandledEvent, OutboxMessage, relay_pending
from yingji.core.uow import UnitOfWork


class Pinged(Event):
    """A test event."""

    name: ClassVar[str] = "test.pinged"
    n: int


def _uow(ctx, registry):
    return UnitOfWork(ctx.session_factory, system_actor("t"), registry=registry)


def test_rolled_back_work_leaves_no_event_and_no_audit(ctx):
    registry = EventRegistry()
    try:
        with _uow(ctx, registry) as uow:
            uow.add_event(Pinged(n=1))
            uow.audit("x", "t", 1)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with ctx.session_factory() as s:
        assert s.scalars(select(OutboxMessage)).all() == []


def test_relay_runs_each_handler_once_even_when_seen_twice(ctx):
    registry = EventRegistry()
    seen: list[int] = []
    registry.subscribe(Pinged, lambda uow, ev: seen.append(ev.n), name="collect")
    with _uow(ctx, registry) as uow:
        uow.add_event(Pinged(n=7))
        uow.commit()
    assert relay_pending(ctx.session_factory, registry) == 1
    # Simulate a relay that crashed after the handler committed but before marking the
    # message dispatched: the message is pending again.
    with ctx.session_factory() as s, s.begin():
        s.scalars(select(OutboxMessage)).one().dispatched_at = None
    assert relay_pending(ctx.session_factory, registry) == 1
    assert seen == [7]
    with ctx.session_factory() as s:
        assert len(s.scalars(select(HandledEvent)).all()) == 1


def test_failing_handler_is_retried_and_others_do_not_rerun(ctx):
    registry = EventRegistry()
    calls = {"ok": 0, "flaky": 0}

    def ok(uow, ev):
        calls["ok"] += 1

    def flaky(uow, ev):
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise ValueError("first time fails")

    registry.subscribe(Pinged, ok, name="ok")
    registry.subscribe(Pinged, flaky, name="flaky")
    with _uow(ctx, registry) as uow:
        uow.add_event(Pinged(n=1))
        uow.commit()
    assert relay_pending(ctx.session_factory, registry) == 0
    with ctx.session_factory() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert msg.dispatched_at is None
        assert "first time fails" in (msg.last_error or "")
    assert relay_pending(ctx.session_factory, registry) == 1
    assert calls == {"ok": 1, "flaky": 2}


def test_a_restarted_relay_resumes_pending_events(ctx):
    # Events committed while no relay ran (process died) are picked up by the next relay.
    registry = EventRegistry()
    with UnitOfWork(ctx.session_factory, system_actor("t"), registry=registry) as uow:
        for n in range(5):
            uow.add_event(Pinged(n=n))
        uow.commit()
    fresh = EventRegistry()
    got: list[int] = []
    fresh.subscribe(Pinged, lambda uow, ev: got.append(ev.n), name="collect")
    assert relay_pending(ctx.session_factory, fresh) == 5
    assert sorted(got) == [0, 1, 2, 3, 4]


def test_handler_writes_commit_with_its_idempotency_record(ctx):
    registry = EventRegistry()

    def write(uow, ev):
        uow.audit("pinged", "test", ev.n)

    registry.subscribe(Pinged, write, name="writer")
    with _uow(ctx, registry) as uow:
        uow.add_event(Pinged(n=3))
        uow.commit()
    relay_pending(ctx.session_factory, registry)
    from yingji.core.audit import AuditEntry

    with ctx.session_factory() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "pinged")).all()
    assert [(r.entity_id, r.actor_name) for r in rows] == [("3", "outbox")]


def test_retention_prunes_old_relayed_rows_and_keeps_the_rest(ctx):
    from datetime import UTC, datetime, timedelta

    from yingji.core.clock import FixedClock
    from yingji.core.outbox import prune_handled

    registry = EventRegistry()
    registry.subscribe(Pinged, lambda uow, ev: None, name="noop")
    registry.subscribe(Pinged, lambda uow, ev: 1 / 0 if ev.n == 3 else None, name="fails_on_3")
    old = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    for n in (1, 2, 3):  # 1 and 2 relay fine; 3 keeps failing
        with UnitOfWork(ctx.session_factory, system_actor("t"), registry=registry, clock=old) as u:
            u.add_event(Pinged(n=n))
            u.commit()
    relay_pending(ctx.session_factory, registry, clock=old)
    new = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    with UnitOfWork(ctx.session_factory, system_actor("t"), registry=registry, clock=new) as u:
        u.add_event(Pinged(n=4))
        u.commit()
    relay_pending(ctx.session_factory, registry, clock=new)
    assert prune_handled(ctx.session_factory, new.now() - timedelta(days=30)) == 2
    with ctx.session_factory() as s:
        left = sorted(m.payload["n"] for m in s.scalars(select(OutboxMessage)))
        marks = s.scalars(select(HandledEvent.event_id)).all()
        events = {m.event_id for m in s.scalars(select(OutboxMessage))}
    assert left == [3, 4]  # the failing one stays for the operator, the recent one stays
    assert set(marks) <= events  # no mark outlives its message
    # A second run prunes nothing more.
    assert prune_handled(ctx.session_factory, new.now() - timedelta(days=30)) == 0


def test_the_retention_job_is_registered_with_the_setting(ctx):
    from datetime import timedelta

    job = ctx.jobs.get("core.prune_outbox")
    assert ctx.settings.outbox_retention_days == 30
    assert job.fn(ctx, ctx.clock.now() + timedelta(days=400)) >= 0
