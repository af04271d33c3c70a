"""Duty desk: roster conflicts refused with 422 naming the field, the duty chain, today's
shift, the log, hand-over carrying open items, scoping and audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from alarms.helpers import raise_one
from duty.helpers import roster
from support.district import TOWN_A
from yingji.core.audit import AuditEntry
from yingji.duty.queries import current_shift, duty_chain

H = timedelta(hours=1)


def _iso(value: Any) -> str:
    return value.isoformat()


def _shift(start: Any, hours: int, people: dict[str, int], **kw: Any) -> dict[str, Any]:
    assignments = [
        {"user_id": people[kw.pop("officer", "officer1")], "position": "duty_officer"},
        {"user_id": people[kw.pop("leader", "leader1")], "position": "leader"},
    ]
    backup = kw.pop("backup", "backup1")
    if backup:
        assignments.append({"user_id": people[backup], "position": "backup"})
    return {
        "starts_at": _iso(start),
        "ends_at": _iso(start + hours * H),
        "label": kw.pop("label", "白班"),
        "assignments": assignments,
        **kw,
    }


def test_duty_chain_in_order_and_empty_when_nobody(ctx: Any, clock: Any, people: Any) -> None:
    ids, _ = people
    t0 = clock.now()
    with ctx.session_factory() as session:
        assert duty_chain(session, t0) == []
        assert current_shift(session, t0) is None
    roster(ctx, t0, 12, ids)
    with ctx.session_factory() as session:
        chain = duty_chain(session, t0 + H)
        assert [(p.user_id, p.position) for p in chain] == [
            (ids["officer1"], "duty_officer"),
            (ids["backup1"], "backup"),
            (ids["leader1"], "leader"),
        ]
        assert chain[0].name == "officer1姓名"
        assert chain[0].phone == "13900000000"
        assert duty_chain(session, t0 + 12 * H) == []  # the end is exclusive
        shift = current_shift(session, t0)
        assert shift is not None
        assert shift.label == "白班"


def test_conflicts_refused_naming_the_field(as_user: Any, clock: Any, people: Any) -> None:
    ids, _ = people
    bureau = as_user("bureau")
    t0 = clock.now()
    r = bureau.post("/api/v1/duty/shifts", json=_shift(t0, 12, ids))
    assert r.status_code == 201, r.text
    # The same person on an overlapping shift.
    r = bureau.post(
        "/api/v1/duty/shifts",
        json=_shift(t0 + 6 * H, 12, ids, officer="officer2", backup="backup2", leader="leader1"),
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["assignments.1.user_id"]
    assert "重叠" in errors[0]["reason"]
    # A missing position (no leader).
    body = _shift(t0 + 12 * H, 12, ids, officer="officer2", backup="backup2", leader="leader2")
    body["assignments"] = body["assignments"][:1]
    r = bureau.post("/api/v1/duty/shifts", json=body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["assignments"]
    assert "带班领导" in r.json()["errors"][0]["reason"]
    # A person on leave.
    r = bureau.post(
        "/api/v1/duty/leaves",
        json={
            "user_id": ids["leader2"],
            "starts_at": _iso(t0 + 24 * H),
            "ends_at": _iso(t0 + 72 * H),
            "reason": "年休假",
        },
    )
    assert r.status_code == 201, r.text
    r = bureau.post(
        "/api/v1/duty/shifts",
        json=_shift(t0 + 30 * H, 12, ids, officer="officer2", backup="backup2", leader="leader2"),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "assignments.1.user_id"
    assert "请假" in r.json()["errors"][0]["reason"]
    # Leave for somebody already rostered is refused too.
    r = bureau.post(
        "/api/v1/duty/leaves",
        json={"user_id": ids["officer1"], "starts_at": _iso(t0), "ends_at": _iso(t0 + H)},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "user_id"
    # Back to back is fine.
    r = bureau.post(
        "/api/v1/duty/shifts",
        json=_shift(t0 + 12 * H, 12, ids, officer="officer2", backup="backup2", leader="leader1"),
    )
    assert r.status_code == 201, r.text
    week = bureau.get("/api/v1/duty/shifts", params={"start": _iso(t0 - H)}).json()
    assert len(week) == 2


def test_update_shift_rechecks_and_audits(ctx: Any, as_user: Any, clock: Any, people: Any) -> None:
    ids, _ = people
    bureau = as_user("bureau")
    t0 = clock.now()
    first = bureau.post("/api/v1/duty/shifts", json=_shift(t0, 12, ids)).json()
    second = bureau.post(
        "/api/v1/duty/shifts",
        json=_shift(t0 + 12 * H, 12, ids, officer="officer2", backup="backup2", leader="leader2"),
    ).json()
    # Other people: moving the second shift to overlap the first is fine.
    r = bureau.patch(
        f"/api/v1/duty/shifts/{second['id']}",
        json={"starts_at": _iso(t0 + 6 * H)},
    )
    assert r.status_code == 200, r.text
    r = bureau.patch(
        f"/api/v1/duty/shifts/{second['id']}",
        json={
            "assignments": [
                {"user_id": ids["officer1"], "position": "duty_officer"},
                {"user_id": ids["leader2"], "position": "leader"},
            ]
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "assignments.0.user_id"
    with ctx.session_factory() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "duty_shift")
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["duty.shift.create", "duty.shift.create", "duty.shift.update"]
    assert first["assignments"][0]["position"] == "duty_officer"


def test_handover_carries_open_items(
    ctx: Any, as_user: Any, clock: Any, people: Any, tokens: Any
) -> None:
    ctx.clock = clock
    ids, person_tokens = people
    t0 = clock.now()
    day = roster(ctx, t0 - H, 12, ids)
    night = roster(
        ctx, t0 + 11 * H, 12, ids, officer="officer2", backup="backup2", leader="leader2"
    )
    alarm_id = raise_one(ctx, t0)
    duty = as_user("duty")
    note = duty.post(
        "/api/v1/duty/log",
        json={
            "category": "instruction",
            "content": "区领导要求关注燃气泄漏处置进展",
            "is_open": True,
        },
    )
    assert note.status_code == 201, note.text
    assert note.json()["shift_id"] == day
    done = duty.post("/api/v1/duty/log", json={"content": "例行巡查无异常"}).json()
    assert done["is_open"] is False
    today = duty.get("/api/v1/duty/today").json()
    assert today["current"]["id"] == day
    assert today["next"]["id"] == night
    assert [n["id"] for n in today["open_notes"]] == [note.json()["id"]]
    r = duty.post("/api/v1/duty/handovers", json={"to_shift_id": night, "notes": "燃气报警未闭环"})
    assert r.status_code == 201, r.text
    handover = r.json()
    assert handover["from_shift_id"] == day
    carried = {(i["kind"], i["ref_id"]) for i in handover["items"]}
    assert carried == {("alarm", str(alarm_id)), ("note", str(note.json()["id"]))}
    assert not any(i["acknowledged"] for i in handover["items"])
    # Handing the same shift over twice is refused.
    assert duty.post("/api/v1/duty/handovers", json={"to_shift_id": night}).status_code == 409
    # Only a person of the next shift takes over.
    url = f"/api/v1/duty/handovers/{handover['id']}/accept"
    assert duty.post(url).status_code == 403
    from fastapi.testclient import TestClient  # noqa: F401

    officer2 = {"Authorization": f"Bearer {person_tokens['officer2']}"}
    r = duty.client.post(url, headers=officer2)
    assert r.status_code == 200, r.text
    accepted = r.json()
    assert accepted["status"] == "accepted"
    assert accepted["accepted_by_name"] == "officer2"
    assert all(i["acknowledged"] for i in accepted["items"])
    assert duty.client.post(url, headers=officer2).status_code == 409
    # Closing the note takes it off the next hand-over.
    closed = duty.post(f"/api/v1/duty/log/{note.json()['id']}/close")
    assert closed.status_code == 200
    assert closed.json()["is_open"] is False
    assert duty.post(f"/api/v1/duty/log/{note.json()['id']}/close").status_code == 409
    with ctx.session_factory() as session:
        n = session.scalar(
            select(func.count()).where(
                AuditEntry.action.in_(["duty.handover.create", "duty.handover.accept"])
            )
        )
    assert n == 2


def test_scoping_of_township_desks(ctx: Any, as_user: Any, clock: Any, people: Any) -> None:
    ids, _ = people
    t0 = clock.now()
    town_shift = roster(ctx, t0, 12, ids, division_code=TOWN_A)
    town_a, town_b = as_user("town_a"), as_user("town_b")
    assert town_a.get(f"/api/v1/duty/shifts/{town_shift}").status_code == 200
    assert town_b.get(f"/api/v1/duty/shifts/{town_shift}").status_code == 404
    assert town_b.patch(f"/api/v1/duty/shifts/{town_shift}", json={"label": "x"}).status_code == 404
    assert (
        town_b.post("/api/v1/duty/handovers", json={"to_shift_id": town_shift}).status_code == 404
    )
    assert town_b.get("/api/v1/duty/shifts", params={"start": _iso(t0 - H)}).json() == []
    assert len(town_a.get("/api/v1/duty/shifts", params={"start": _iso(t0 - H)}).json()) == 1
    # A township officer cannot roster the district desk; the enterprise officer nothing.
    body = _shift(t0 + 24 * H, 12, ids, division_code="500153")
    assert town_a.post("/api/v1/duty/shifts", json=body).status_code == 404
    assert as_user("ent_a").post("/api/v1/duty/shifts", json=body).status_code == 403
    assert as_user("grid_a").post("/api/v1/duty/log", json={"content": "x"}).status_code == 403
    # The township desk's chain answers first for its own villages.
    with ctx.session_factory() as session:
        chain = duty_chain(session, t0 + H, division_code=TOWN_A + "001")
        assert chain[0].user_id == ids["officer1"]
        assert duty_chain(session, t0 + H, division_code="500153002001") == []


@pytest.mark.parametrize("bad", ["ends_before_start", "too_long"])
def test_span_problems(as_user: Any, clock: Any, people: Any, bad: str) -> None:
    ids, _ = people
    t0 = clock.now()
    body = _shift(t0, 12, ids)
    body["ends_at"] = _iso(t0 - H) if bad == "ends_before_start" else _iso(t0 + 72 * H)
    r = as_user("bureau").post("/api/v1/duty/shifts", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "ends_at"
