"""Warning pages: composer, list, approval queue, detail with CAP download and coverage."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.district import TOWN_A, TOWN_B, VILLAGE_A1
from support.web import signed_in
from yingji.core.clock import FixedClock


@pytest.fixture
def timed(ctx: Any, clock: FixedClock) -> FixedClock:
    """Run the app on the fixed clock (2026-06-01 10:00 Beijing)."""
    ctx.clock = clock
    return clock


@pytest.fixture
def other(app: Any) -> Iterator[TestClient]:
    """Return a second browser (its own cookies) on the same app."""
    with TestClient(app) as second:
        yield second


def _compose(client: TestClient, token: str, **over: Any) -> Any:
    data: dict[str, Any] = {
        "csrf_token": token,
        "title": "玉屏社区暴雨黄色预警",
        "signal": "rainstorm",
        "level": "yellow",
        "division_codes": [VILLAGE_A1],
        "starts_at": "2026-06-01T10:00",
        "ends_at": "2026-06-01T22:00",
        "description": "预计出现强降雨。",
        "measures": "注意防范。",
        "contact": "023-1",
        "channels": ["sms", "loudspeaker"],
        "polygon": "",
    }
    data.update(over)
    return client.post("/warnings/new", data=data, follow_redirects=False)


def test_compose_approve_publish_through_pages(client, other, timed) -> None:
    token = signed_in(client, "town_a")
    form = client.get("/warnings/new")
    assert form.status_code == 200
    for text in ("编制预警", 'id="warning-map"', "玉屏社区", "预计覆盖", "应急广播"):
        assert text in form.text, text
    assert "宝城社区" not in form.text  # township B's villages are not offered
    polygon = {
        "type": "Polygon",
        "coordinates": [[[105.51, 29.41], [105.55, 29.41], [105.55, 29.44], [105.51, 29.41]]],
    }
    r = _compose(client, token, polygon=json.dumps(polygon))
    assert r.status_code == 303, r.text[:2000]
    detail_url = r.headers["location"]
    warning_id = int(detail_url.rsplit("/", 1)[1])
    page = client.get(detail_url)
    assert "玉屏社区暴雨黄色预警" in page.text
    assert "草稿" in page.text
    r = client.post(
        f"/warnings/{warning_id}/submit", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    # The submitter cannot approve (no button; a forged post is refused).
    assert "审批通过" not in client.get(detail_url).text

    bureau = signed_in(other, "bureau")
    queue = other.get("/warnings/queue")
    assert "玉屏社区暴雨黄色预警" in queue.text
    assert "审批通过" in queue.text
    r = other.post(
        f"/warnings/{warning_id}/approve",
        data={"csrf_token": bureau, "next": "/warnings/queue"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/warnings/queue"
    r = other.post(
        f"/warnings/{warning_id}/publish", data={"csrf_token": bureau}, follow_redirects=False
    )
    assert r.status_code == 303
    page = other.get(detail_url)
    assert "已发布" in page.text
    assert "CAP 1.2" in page.text
    assert "送达与叫应" in page.text
    cap_link = re.search(r'href="(/api/v1/cap/[^"]+\.xml)"', page.text)
    assert cap_link
    assert other.get(cap_link.group(1)).status_code == 200
    assert "玉屏社区暴雨黄色预警" in client.get("/warnings").text


def test_composer_shows_errors_and_keeps_values(client, timed) -> None:
    token = signed_in(client, "town_a")
    r = _compose(client, token, division_codes=[TOWN_B], ends_at="2026-06-01T09:00")
    assert r.status_code == 422
    assert "不在您的辖区内" in r.text
    assert "预计结束时间应晚于生效时间" in r.text
    assert 'value="玉屏社区暴雨黄色预警"' in r.text
    assert _compose(client, "wrong-token").status_code == 403


def test_other_township_cannot_open_or_act(client, other, timed) -> None:
    token = signed_in(client, "town_a")
    r = _compose(client, token, division_codes=[TOWN_A])
    warning_id = int(r.headers["location"].rsplit("/", 1)[1])
    b_token = signed_in(other, "town_b")
    assert other.get(f"/warnings/{warning_id}").status_code == 404
    r = other.post(
        f"/warnings/{warning_id}/submit", data={"csrf_token": b_token}, follow_redirects=False
    )
    assert r.status_code == 404
    assert "玉屏社区暴雨黄色预警" not in other.get("/warnings").text


def test_menu_lists_warning_pages(client) -> None:
    signed_in(client, "bureau")
    home = client.get("/").text
    assert 'href="/warnings"' in home
    assert 'href="/warnings/queue"' in home
