"""Duty pages: today's shift, the week roster with the add form (conflicts shown by field),
hand-over with carried items and acceptance, the log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from alarms.helpers import raise_one
from duty.helpers import roster
from support.web import signed_in

H = timedelta(hours=1)


def test_today_roster_and_conflicts(ctx: Any, clock: Any, client: TestClient, people: Any) -> None:
    ctx.clock = clock
    ids, _ = people
    roster(ctx, clock.now() - H, 12, ids)
    csrf = signed_in(client, "bureau")
    today = client.get("/duty")
    assert today.status_code == 200
    assert "当前值班" in today.text
    assert "officer1姓名" in today.text
    week = client.get("/duty/roster")
    assert week.status_code == 200
    assert "leader1姓名" in week.text
    assert "周一" in week.text
    # 2026-06-01 10:00 Shanghai is inside the existing shift: officer1 conflicts.
    form = {
        "csrf_token": csrf,
        "date": "2026-06-01",
        "start": "12:00",
        "end": "18:00",
        "label": "加班",
        "leader": str(ids["leader2"]),
        "duty_officer": str(ids["officer1"]),
        "backup": "",
    }
    r = client.post("/duty/roster", data=form)
    assert r.status_code == 422
    assert "值班员：officer1姓名 已排在时间重叠的班次" in r.text
    form["duty_officer"] = str(ids["officer2"])
    r = client.post("/duty/roster", data=form, follow_redirects=True)
    assert r.status_code == 200
    assert "已排班" in r.text
    assert "加班" in r.text
    # Without a leader.
    form.update(date="2026-06-03", leader="")
    r = client.post("/duty/roster", data=form)
    assert r.status_code == 422
    assert "岗位：缺少带班领导" in r.text


def test_handover_and_log_pages(ctx: Any, clock: Any, client: TestClient, people: Any) -> None:
    ctx.clock = clock
    ids, _ = people
    roster(ctx, clock.now() - H, 12, ids)
    night = roster(
        ctx, clock.now() + 11 * H, 12, ids, officer="officer2", backup="backup2", leader="leader2"
    )
    raise_one(ctx, clock.now(), device_name="燃气探头")
    csrf = signed_in(client, "duty")
    r = client.post(
        "/duty/log",
        data={
            "csrf_token": csrf,
            "category": "call",
            "content": "群众来电反映异味",
            "is_open": "1",
        },
        follow_redirects=True,
    )
    assert "群众来电反映异味" in r.text
    assert "待办" in r.text
    page = client.get("/duty/handover").text
    assert "燃气探头" in page
    assert "群众来电反映异味" in page
    r = client.post(
        "/duty/handover",
        data={"csrf_token": csrf, "to_shift_id": str(night), "notes": "注意燃气报警"},
        follow_redirects=True,
    )
    assert "已交班" in r.text
    assert "确认接班" in r.text
    # The duty account is not on the night shift: accepting is refused with the reason.
    handover_id = client.get("/api/v1/duty/handovers").json()[0]["id"]
    r = client.post(
        f"/duty/handover/{handover_id}/accept", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "只有接班班次的值班人员可以确认接班" in r.text
    with TestClient(client.app) as other:
        csrf2 = signed_in(other, "officer2")
        r = other.post(
            f"/duty/handover/{handover_id}/accept",
            data={"csrf_token": csrf2},
            follow_redirects=True,
        )
        assert "已确认接班" in r.text
    entry = client.get("/api/v1/duty/log").json()[0]["id"]
    r = client.post(f"/duty/log/{entry}/close", data={"csrf_token": csrf}, follow_redirects=True)
    assert "已办结" in r.text


def test_menu_and_roles(client: TestClient) -> None:
    signed_in(client, "grid_a")
    home = client.get("/").text
    assert "报警看板" in home
    assert 'href="/duty/roster"' not in home


def test_every_page_renders_for_every_role(app: Any, ctx: Any, clock: Any, people: Any) -> None:
    ctx.clock = clock
    ids, _ = people
    roster(ctx, clock.now() - H, 12, ids)
    alarm = raise_one(ctx, clock.now())
    pages = ["/duty", "/duty/roster", "/duty/handover", "/duty/log", "/alarms", "/alarms/stats"]
    for user in ["dept", "town_a", "ent_a"]:
        with TestClient(app) as browser:
            signed_in(browser, user)
            for url in pages:
                assert browser.get(url).status_code == 200, (user, url)
            expected = 404 if user == "ent_a" else 200
            assert browser.get(f"/alarms/{alarm}").status_code == expected, user
