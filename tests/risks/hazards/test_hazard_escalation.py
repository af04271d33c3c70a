"""Overdue escalation: once per deadline (FixedClock), again after an extension; recipients."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from risks.hazards.helpers import HAZARDS
from support.district import POINT_B
from yingji.accounts.rules import Role
from yingji.accounts.schemas import UserCreate
from yingji.accounts.service import create_user, ensure_department
from yingji.core.actor import system_actor
from yingji.core.outbox import OutboxMessage
from yingji.risks.hazards import service
from yingji.risks.hazards.tasks import JOBS, escalate_overdue_hazards


def notices(ctx: Any) -> list[dict[str, Any]]:
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage.payload)
            .where(OutboxMessage.name == "notice.requested")
            .order_by(OutboxMessage.id)
        )
        return [dict(p) for p in rows]


def overdue_events(ctx: Any) -> int:
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.name == "risks.hazard_overdue")
        )
        return len(list(rows))


def test_escalates_once_per_deadline_and_again_after_extension(ctx, clock, ids, make_hazard):
    ctx.clock = clock  # 2026-06-01 10:00 in the district
    with ctx.uow(system_actor("test")) as uow:
        dept = ensure_department(uow, "区商务委", "500153")
        officer = create_user(
            uow,
            UserCreate(
                username="dept_commerce",
                display_name="商务委安全科",
                password="Test-pass-2026",
                role=Role.DEPARTMENT_OFFICER,
                department_id=dept.id,
            ),
            district_code="500153",
        )
        uow.commit()
        dept_id, officer_id = dept.id, officer.id
    hazard_id = make_hazard(
        "confirmed", level="major", enterprise_id=ids["enterprise:A"], source="inspection"
    )
    with ctx.uow(system_actor("test")) as uow:
        service.change_deadline(uow, hazard_id, date(2026, 5, 31), reason="测试")
        service.supervise_hazard(uow, hazard_id, department_id=dept_id, note="督办")
        uow.commit()
    not_late = make_hazard("rectifying", deadline="2026-06-01")  # due today: not overdue yet
    submitted = make_hazard("submitted", deadline="2026-05-01")  # waits on the reviewer
    before = len(notices(ctx))

    assert escalate_overdue_hazards(ctx, clock.now()) == 1
    assert escalate_overdue_hazards(ctx, clock.now()) == 0
    sent = notices(ctx)[before:]
    assert len(sent) == 1
    notice = sent[0]
    assert notice["dedupe_key"] == f"hazard:{hazard_id}:overdue:2026-05-31"
    assert notice["source_kind"] == "hazard"
    assert notice["source_id"] == str(hazard_id)
    # Owner (the enterprise's officer, no owner named), the township officer over it, the
    # bureau (major), the supervising department; never the other township.
    assert set(notice["user_ids"]) == {
        ids["user:ent_a"],
        ids["user:town_a"],
        ids["user:bureau"],
        officer_id,
    }
    assert overdue_events(ctx) == 1

    # A new deadline re-arms it: nothing while it is not passed, once when it is.
    with ctx.uow(system_actor("test")) as uow:
        service.change_deadline(uow, hazard_id, date(2026, 6, 5), reason="延期")
        uow.commit()
    assert escalate_overdue_hazards(ctx, clock.now()) == 0
    clock.advance(timedelta(days=5))  # 2026-06-06: both the extension and not_late passed
    assert escalate_overdue_hazards(ctx, clock.now()) == 2
    assert escalate_overdue_hazards(ctx, clock.now()) == 0
    keys = [n["dedupe_key"] for n in notices(ctx)[before:]]
    assert keys == [
        f"hazard:{hazard_id}:overdue:2026-05-31",
        f"hazard:{hazard_id}:overdue:2026-06-05",
        f"hazard:{not_late}:overdue:2026-06-01",
    ]
    assert submitted not in {int(n["source_id"]) for n in notices(ctx)}


def test_overdue_list_and_timeline_show_the_escalation(ctx, clock, as_user, make_hazard):
    ctx.clock = clock
    hazard_id = make_hazard("rectifying", deadline="2026-05-20", point=POINT_B)
    escalate_overdue_hazards(ctx, clock.now())
    town_b = as_user("town_b")
    listed = town_b.get(HAZARDS, params={"overdue": "true"}).json()
    assert [h["id"] for h in listed["items"]] == [hazard_id]
    detail = town_b.get(f"{HAZARDS}/{hazard_id}").json()
    assert detail["transitions"][-1]["action"] == "escalate"
    assert "已过 12 天" in detail["transitions"][-1]["reason"]


def test_job_is_registered(ctx):
    assert [job.name for job in JOBS] == ["hazards.escalate_overdue"]
    assert "hazards.escalate_overdue" in ctx.jobs.names()
