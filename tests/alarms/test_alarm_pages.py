"""Alarm pages: the board (open first, by level), acknowledge and clear from the board,
detail with history, promotion, statistics, and scoping of the pages."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from alarms.helpers import raise_one
from support.district import TOWN_B
from support.web import signed_in


def test_board_acknowledge_and_clear(ctx: Any, clock: Any, client: TestClient) -> None:
    ctx.clock = clock
    low = raise_one(ctx, clock.now(), device_id=1, level="yellow", device_name="低报探头")
    high = raise_one(ctx, clock.now(), device_id=2, level="red", device_name="高报探头")
    csrf = signed_in(client, "duty")
    page = client.get("/alarms")
    assert page.status_code == 200
    html = page.text
    assert html.index("高报探头") < html.index("低报探头")  # the worst first
    assert "/api/v1/alarms/stream" in html
    assert "报警看板" in html
    r = client.post(
        f"/alarms/{high}/acknowledge",
        data={"csrf_token": csrf, "next": "/alarms?state=open"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/alarms?state=open"
    # Clearing without a reason is refused with the reason shown; nothing changes.
    r = client.post(f"/alarms/{low}/clear", data={"csrf_token": csrf}, follow_redirects=True)
    assert "请选择解除原因" in r.text
    assert client.get(f"/api/v1/alarms/{low}").json()["state"] == "active"
    r = client.post(
        f"/alarms/{low}/clear",
        data={"csrf_token": csrf, "reason": "maintenance", "note": "探头校准"},
        follow_redirects=True,
    )
    assert "已解除报警" in r.text
    detail = client.get(f"/alarms/{low}").text
    assert "设备检修/维护" in detail
    assert "探头校准" in detail
    assert "人工解除" in detail
    # The cleared alarm left the default (open) board.
    assert "低报探头" not in client.get("/alarms").text
    assert "低报探头" in client.get("/alarms?state=all").text
    # A form without the CSRF token is refused.
    assert client.post(f"/alarms/{high}/clear", data={"reason": "real"}).status_code == 403


def test_promote_and_stats_pages(ctx: Any, clock: Any, client: TestClient) -> None:
    ctx.clock = clock
    alarm = raise_one(ctx, clock.now())
    csrf = signed_in(client, "duty")
    r = client.post(
        f"/alarms/{alarm}/promote",
        data={"csrf_token": csrf, "target": "hazard", "title": "储罐区泄漏隐患"},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "已提交转隐患" in r.text
    assert "隐患 #" in client.get(f"/alarms/{alarm}").text
    stats = client.get("/alarms/stats?days=7")
    assert stats.status_code == 200
    assert 'id="stat-total">1<' in stats.text


def test_pages_are_scoped(ctx: Any, clock: Any, client: TestClient) -> None:
    ctx.clock = clock
    a_alarm = raise_one(ctx, clock.now(), device_id=1, device_name="A镇探头")
    raise_one(ctx, clock.now(), device_id=2, device_name="B镇探头", division_code=TOWN_B)
    csrf = signed_in(client, "town_b")
    html = client.get("/alarms").text
    assert "B镇探头" in html
    assert "A镇探头" not in html
    assert client.get(f"/alarms/{a_alarm}").status_code == 404
    r = client.post(f"/alarms/{a_alarm}/acknowledge", data={"csrf_token": csrf})
    assert r.status_code == 404
