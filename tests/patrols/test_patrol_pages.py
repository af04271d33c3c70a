"""Patrol pages over the app client: the public form and tracking page (no sign-in), the grid
member's patrol and report pages, coverage, and the officers' report handling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from support.web import csrf_from, signed_in
from yingji.patrols.models import GridReport, Patrol, PublicReport

P_A1 = ("105.55", "29.42")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
_CODE = re.compile(r'id="tracking-code">([0-9A-Z]{12})<')


@pytest.fixture
def other(app: Any) -> Iterator[TestClient]:
    """A second browser (its own cookies)."""
    with TestClient(app) as second:
        yield second


def _public_post(client: TestClient, token: str, **extra: Any) -> Any:
    data = {
        "csrf_token": token,
        "kind": "fire",
        "title": "仓库门口堆放易燃物",
        "longitude": P_A1[0],
        "latitude": P_A1[1],
        "anonymous": "on",
        **extra,
    }
    files = {"photos": ("p.png", PNG, "image/png")}
    return client.post("/report", data=data, files=files, follow_redirects=False)


def test_public_form_and_tracking_without_login(client: TestClient, ctx: Any) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    assert 'name="viewport"' in page.text
    assert "使用当前位置" in page.text
    assert "app-nav" not in page.text  # no internal menu for the public
    token = csrf_from(page.text)
    # Without the session's token the form is refused.
    assert _public_post(client, "wrong").status_code == 403
    done = _public_post(client, token)
    assert done.status_code == 201, done.text[:2000]
    code = _CODE.search(done.text)
    assert code, "the receipt shows the tracking code"
    with ctx.session_factory() as s:
        row = s.scalar(select(PublicReport))
        assert row is not None
        assert len(row.photo_keys) == 1
        assert row.township_code == "500153001"
    assert ctx.storage.get(row.photo_keys[0]) == PNG
    # Officers of the township see the photo; the public and town B do not.
    photo_url = f"/public-reports/{row.id}/photos/{row.photo_keys[0]}"
    assert client.get(photo_url, follow_redirects=False).status_code == 303  # to sign-in
    with TestClient(client.app) as officer:
        signed_in(officer, "town_a")
        shown = officer.get(photo_url)
        assert shown.status_code == 200
        assert shown.content == PNG
        assert shown.headers["content-type"] == "image/png"
        assert photo_url in officer.get(f"/public-reports/{row.id}").text
        assert officer.get(f"/public-reports/{row.id}/photos/nope.png").status_code == 404
    with TestClient(client.app) as town_b:
        signed_in(town_b, "town_b")
        assert town_b.get(photo_url).status_code == 404
    track = client.get("/report/track", params={"code": code.group(1)})
    assert track.status_code == 200
    assert "已受理" in track.text
    assert "昌元街道" in track.text
    assert client.get("/report/track", params={"code": "AAAAAAAAAAAA"}).status_code == 404


def test_public_form_errors(client: TestClient) -> None:
    token = csrf_from(client.get("/report").text)
    outside = _public_post(client, token, longitude="106.3")
    assert outside.status_code == 422
    assert "不在本区范围内" in outside.text
    missing = _public_post(client, token, title="")
    assert missing.status_code == 422
    robot = _public_post(client, token, website="http://spam.example")
    assert robot.status_code == 403


def test_grid_member_patrol_pages(client: TestClient, ctx: Any) -> None:
    token = signed_in(client, "grid_a")
    listing = client.get("/patrols")
    assert listing.status_code == 200
    assert "开始巡查" in listing.text
    started = client.post("/patrols/start", data={"csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    url = started.headers["location"]
    page = client.get(url)
    assert page.status_code == 200
    assert "登记检查项" in page.text
    assert "结束巡查" in page.text
    pid = int(url.rsplit("/", 1)[1])
    bad = client.post(f"/patrols/{pid}/checks", data={"csrf_token": token, "item": ""})
    assert bad.status_code == 422
    ok = client.post(
        f"/patrols/{pid}/checks",
        data={"csrf_token": token, "item": "消防栓", "result": "anomaly", "note": "无水"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    form = client.get("/grid-reports/new?report_type=hazard")
    assert form.status_code == 200
    assert f'name="patrol_id" value="{pid}"' in form.text
    sent = client.post(
        "/grid-reports/new",
        data={
            "csrf_token": token,
            "report_type": "hazard",
            "category": "fire",
            "title": "消防栓无水",
            "longitude": P_A1[0],
            "latitude": P_A1[1],
            "patrol_id": str(pid),
        },
        files={"photos": ("p.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[:2000]
    done = client.post(
        f"/patrols/{pid}/finish",
        data={"csrf_token": token, "summary": "完成"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with ctx.session_factory() as s:
        patrol = s.get(Patrol, pid)
        assert patrol is not None
        assert patrol.state == "finished"
        report = s.scalar(select(GridReport))
        assert report is not None
        assert report.patrol_id == pid
        assert report.hazard_id is not None
        assert len(report.photo_keys) == 1
    after = client.get(url)
    assert "消防栓" in after.text
    assert "结束巡查" not in after.text


def test_supervisor_pages_and_scoping(client: TestClient, other: TestClient, as_user: Any) -> None:
    rid = (
        as_user("grid_a")
        .client.post(
            "/api/v1/public-reports",
            json={"kind": "fire", "title": "消防通道堵塞", "longitude": 105.55, "latitude": 29.42},
        )
        .json()["id"]
    )
    token = signed_in(client, "town_a")
    assert client.get("/patrols/coverage").status_code == 200
    listing = client.get("/public-reports")
    assert listing.status_code == 200
    assert "消防通道堵塞" in listing.text
    detail = client.get(f"/public-reports/{rid}")
    assert detail.status_code == 200
    assert "核实属实" in detail.text
    verified = client.post(
        f"/public-reports/{rid}/verify",
        data={"csrf_token": token, "text": "属实"},
        follow_redirects=False,
    )
    assert verified.status_code == 303
    empty_reply = client.post(
        f"/public-reports/{rid}/reply", data={"csrf_token": token, "text": ""}
    )
    assert empty_reply.status_code == 422
    replied = client.post(
        f"/public-reports/{rid}/reply",
        data={"csrf_token": token, "text": "已处理"},
        follow_redirects=False,
    )
    assert replied.status_code == 303
    # Town B: the report is not there, and not in its list.
    signed_in(other, "town_b")
    assert other.get(f"/public-reports/{rid}").status_code == 404
    assert "消防通道堵塞" not in other.get("/public-reports").text
    # A grid member has no coverage page.
    grid_browser = TestClient(client.app)
    with grid_browser:
        signed_in(grid_browser, "grid_a")
        assert grid_browser.get("/patrols/coverage").status_code == 403


def test_public_form_rate_limit_stores_no_photo(client: TestClient, ctx: Any) -> None:
    token = csrf_from(client.get("/report").text)
    for _ in range(5):
        assert _public_post(client, token).status_code == 201
    stored = dict(ctx.storage.blobs)
    data = {"csrf_token": token, "kind": "fire", "title": "第六次提交"}
    data.update({"longitude": P_A1[0], "latitude": P_A1[1]})
    other_photo = {"photos": ("q.png", PNG + b"another", "image/png")}
    refused = client.post("/report", data=data, files=other_photo)
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.text
    assert ctx.storage.blobs == stored
