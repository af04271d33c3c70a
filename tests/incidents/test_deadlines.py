"""Reporting deadlines on a fixed clock: reminders and escalations fire once; 补报 windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from yingji.core.clock import FixedClock
from yingji.core.outbox import OutboxMessage
from yingji.incidents.tasks import JOBS, run_deadlines

from .test_incidents_api import BASE, create


def _notices(ctx: Any) -> list[dict[str, Any]]:
    with ctx.session_factory() as s:
        stmt = select(OutboxMessage.payload).where(OutboxMessage.name == "notice.requested")
        return [dict(p) for p in s.scalars(stmt.order_by(OutboxMessage.id))]


def test_reminder_and_escalation_fire_once(
    ctx: Any, clock: FixedClock, as_user: Any, ids: dict[str, int]
) -> None:
    ctx.clock = clock
    received = clock.now()
    inc = create(as_user)
    assert [j.name for j in JOBS] == ["incidents.deadlines"]
    # district_report: due at +120 min, reminded from +90 min.
    assert run_deadlines(ctx, received + timedelta(minutes=89)) == 0
    assert run_deadlines(ctx, received + timedelta(minutes=90)) == 1
    assert run_deadlines(ctx, received + timedelta(minutes=91)) == 0
    assert run_deadlines(ctx, received + timedelta(minutes=120)) == 0
    assert run_deadlines(ctx, received + timedelta(minutes=121)) == 1
    assert run_deadlines(ctx, received + timedelta(hours=5)) == 0
    notices = _notices(ctx)
    assert [n["dedupe_key"].split(":")[0] for n in notices] == [
        "incident-deadline-remind",
        "incident-deadline-escalate",
    ]
    assert all(n["source_kind"] == "incident" and n["source_id"] == str(inc["id"]) for n in notices)
    # Nobody is rostered in the test district: the duty officers hear it, then the bureau too.
    assert ids["user:duty"] in notices[0]["user_ids"]
    assert ids["user:bureau"] in notices[1]["user_ids"]
    got = as_user("duty").get(f"{BASE}/{inc['id']}").json()
    district = {d["key"]: d for d in got["reporting_deadlines"]}["district_report"]
    assert district["reminded_at"]
    assert district["escalated_at"]
    kinds = [e["kind"] for e in as_user("duty").get(f"{BASE}/{inc['id']}/timeline").json()]
    assert kinds.count("deadline_reminded") == 1
    assert kinds.count("deadline_escalated") == 1


def test_met_deadline_is_not_escalated(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    received = clock.now()
    inc = create(as_user, "bureau")
    report = as_user("bureau").post(f"{BASE}/{inc['id']}/reports", json={"kind": "first"}).json()
    as_user("admin").post(f"/api/v1/incident-reports/{report['id']}/sign")
    as_user("bureau").post(
        f"/api/v1/incident-reports/{report['id']}/send", json={"sent_to": "市应急管理局"}
    )
    assert run_deadlines(ctx, received + timedelta(hours=3)) == 0
    assert _notices(ctx) == []


def test_overdue_without_reminder_escalates_once(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    create(as_user)
    later = clock.now() + timedelta(hours=3)
    assert run_deadlines(ctx, later) == 1
    assert run_deadlines(ctx, later) == 0
    assert len(_notices(ctx)) == 1


def test_closed_incident_is_not_chased(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user)
    as_user("duty").post(f"{BASE}/{inc['id']}/close", json={"reason": "误报"})
    assert run_deadlines(ctx, clock.now() + timedelta(hours=3)) == 0


def test_supplement_on_day_10_raises_grade(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    # The synthetic case of the reference: 9 deaths + 10 重伤 (较大); two injured die on day 10.
    ctx.clock = FixedClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    inc = create(
        as_user,
        occurred_at="2026-03-01T09:30:00+08:00",
        deaths=9,
        serious_injuries=10,
        direct_loss_wan_yuan=800,
    )
    assert inc["grade"] == "large"
    ctx.clock.advance(timedelta(days=10))
    r = as_user("duty").patch(
        f"{BASE}/{inc['id']}/casualties",
        json={
            "deaths": 11,
            "serious_injuries": 8,
            "direct_loss_wan_yuan": 800,
            "reason": "2名重伤人员经抢救无效死亡",
        },
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["grade"] == "major"
    assert got["grade_label"] == "重大事故"
    kinds = [t["kind"] for t in got["tasks"]]
    assert kinds == ["supplementary_report", "escalation"]
    deadlines = {d["key"]: d for d in got["reporting_deadlines"]}
    # The new duty (to the State Council level) counts from when the higher grade is known.
    assert "province_report" in deadlines
    assert deadlines["province_report"]["seconds_left"] == 6 * 3600
    timeline = [e["kind"] for e in as_user("duty").get(f"{BASE}/{inc['id']}/timeline").json()]
    assert "regraded" in timeline
    with ctx.session_factory() as s:
        graded = [
            p
            for p in s.scalars(
                select(OutboxMessage.payload).where(OutboxMessage.name == "incidents.graded")
            )
        ]
    assert [(g["previous_grade"], g["grade"]) for g in graded] == [
        (None, "large"),
        ("large", "major"),
    ]
    # A 补报 report sent closes the 补报 task.
    rep = as_user("duty").post(f"{BASE}/{inc['id']}/reports", json={"kind": "supplementary"}).json()
    as_user("admin").post(f"/api/v1/incident-reports/{rep['id']}/sign")
    as_user("duty").post(
        f"/api/v1/incident-reports/{rep['id']}/send",
        json={"sent_to": "重庆市应急管理局", "deadline_keys": []},
    )
    tasks = as_user("duty").get(f"{BASE}/{inc['id']}").json()["tasks"]
    assert [t["status"] for t in tasks] == ["done", "open"]
    done = as_user("duty").post(f"/api/v1/incident-tasks/{tasks[1]['id']}/complete")
    assert done.status_code == 204
    assert (
        as_user("town_b").post(f"/api/v1/incident-tasks/{tasks[1]['id']}/complete").status_code
        == 404
    )


def test_road_death_on_day_8_is_outside_the_window(
    ctx: Any, clock: FixedClock, as_user: Any
) -> None:
    ctx.clock = FixedClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    inc = create(
        as_user,
        type="road_traffic",
        occurred_at="2026-03-01T09:30:00+08:00",
        deaths=2,
        direct_loss_wan_yuan=10,
    )
    assert inc["grade"] == "ordinary"
    ctx.clock.advance(timedelta(days=8))
    got = (
        as_user("duty")
        .patch(
            f"{BASE}/{inc['id']}/casualties",
            json={"deaths": 3, "direct_loss_wan_yuan": 10, "reason": "1名伤员死亡"},
        )
        .json()
    )
    assert got["deaths"] == 3
    assert got["grade"] == "ordinary"
    assert got["tasks"] == []
    timeline = [e["kind"] for e in as_user("duty").get(f"{BASE}/{inc['id']}/timeline").json()]
    assert "outside_window" in timeline
    assert "regraded" not in timeline


def test_road_death_on_day_6_is_supplemented(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = FixedClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    inc = create(as_user, type="road_traffic", occurred_at="2026-03-01T09:30:00+08:00", deaths=2)
    ctx.clock.advance(timedelta(days=6))
    got = (
        as_user("duty")
        .patch(f"{BASE}/{inc['id']}/casualties", json={"deaths": 3, "reason": "1名伤员死亡"})
        .json()
    )
    assert got["grade"] == "large"
    assert [t["kind"] for t in got["tasks"]] == ["supplementary_report", "escalation"]


def test_rostered_chain_is_told(
    ctx: Any, clock: FixedClock, as_user: Any, ids: dict[str, int], client: Any
) -> None:
    from support.web import signed_in
    from yingji.core.actor import system_actor
    from yingji.duty.schemas import ShiftCreate
    from yingji.duty.service import create_shift

    ctx.clock = clock
    start = clock.now() - timedelta(hours=1)
    with ctx.uow(system_actor("test")) as uow:
        create_shift(
            uow,
            ShiftCreate.model_validate(
                {
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=24),
                    "label": "白班",
                    "division_code": "500153",
                    "assignments": [
                        {"user_id": ids["user:duty"], "position": "duty_officer"},
                        {"user_id": ids["user:admin"], "position": "leader"},
                    ],
                }
            ),
        )
        uow.commit()
    received = clock.now()
    create(as_user)
    assert run_deadlines(ctx, received + timedelta(minutes=95)) == 1
    assert run_deadlines(ctx, received + timedelta(minutes=125)) == 1
    remind, escalate = _notices(ctx)
    assert remind["user_ids"] == [ids["user:duty"]]
    assert escalate["user_ids"] == [ids["user:duty"], ids["user:admin"]]
    signed_in(client, "duty")
    desk = client.get("/duty-desk").text
    assert "白班" in desk
    assert "当前没有排班" not in desk


def test_overdue_supplement_task_is_chased_once(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = FixedClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    inc = create(as_user, occurred_at="2026-03-01T09:30:00+08:00", deaths=1, serious_injuries=1)
    ctx.clock.advance(timedelta(days=2))
    r = as_user("duty").patch(
        f"{BASE}/{inc['id']}/casualties",
        json={"deaths": 2, "serious_injuries": 0, "reason": "1名重伤人员抢救无效死亡"},
    )
    assert r.status_code == 200, r.text
    (task,) = [t for t in r.json()["tasks"] if t["kind"] == "supplementary_report"]
    assert task["due_at"] is not None
    due = datetime.fromisoformat(task["due_at"].replace("Z", "+00:00"))

    def task_notices() -> list[dict[str, Any]]:
        with ctx.session_factory() as s:
            return [
                p
                for p in s.scalars(
                    select(OutboxMessage.payload).where(OutboxMessage.name == "notice.requested")
                )
                if str(p.get("dedupe_key", "")).startswith("incident-task-overdue:")
            ]

    run_deadlines(ctx, due - timedelta(minutes=1))
    assert task_notices() == []
    run_deadlines(ctx, due + timedelta(minutes=1))
    run_deadlines(ctx, due + timedelta(hours=2))
    (notice,) = task_notices()
    assert "任务超时" in notice["subject"]
    timeline = [e["kind"] for e in as_user("duty").get(f"{BASE}/{inc['id']}/timeline").json()]
    assert timeline.count("task_overdue") == 1
