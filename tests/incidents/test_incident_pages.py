"""Incident pages: duty desk, intake form (CSRF, errors by field), incident page, scoping."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from support.district import POINT_A
from support.web import signed_in
from yingji.core.clock import FixedClock
from yingji.incidents.models import Incident

from .test_incidents_api import create

FORM = {
    "category": "accident",
    "type": "hazmat",
    "occurred_at": "2026-06-01T09:40",
    "title": "储罐泄漏",
    "longitude": str(POINT_A[0]),
    "latitude": str(POINT_A[1]),
    "deaths": "3",
    "serious_injuries": "",
    "direct_loss_wan_yuan": "12.5",
}


def test_intake_form_creates_and_shows_incident(
    ctx: Any, clock: FixedClock, client: TestClient
) -> None:
    ctx.clock = clock
    csrf = signed_in(client, "duty")
    page = client.get("/incidents/new")
    assert page.status_code == 200
    assert "事件接报" in page.text
    r = client.post("/incidents/new", data={**FORM, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    with ctx.session_factory() as s:
        inc = s.scalars(select(Incident)).one()
    assert inc.source == "duty_desk"
    assert inc.grade == "large"
    # The form's local time (UTC+8) is stored in UTC.
    assert inc.occurred_at.isoformat() == "2026-06-01T01:40:00+00:00"
    detail = client.get(url)
    assert detail.status_code == 200
    for text in ("较大事故", "区应急管理局上报市级", "countdown", "接报", 'id="incident-map"'):
        assert text in detail.text
    desk = client.get("/duty-desk")
    assert desk.status_code == 200
    assert "储罐泄漏" in desk.text
    assert "当前没有排班" in desk.text
    assert 'href="/duty-desk"' in desk.text  # menu entry


def test_intake_form_errors_by_field(ctx: Any, clock: FixedClock, client: TestClient) -> None:
    ctx.clock = clock
    csrf = signed_in(client, "duty")
    r = client.post("/incidents/new", data={**FORM, "title": "", "csrf_token": csrf})
    assert r.status_code == 422
    assert re.search(r'has-error">\s*<label for="f-title"', r.text)
    r = client.post("/incidents/new", data={**FORM, "type": "flood", "csrf_token": csrf})
    assert r.status_code == 422
    assert "不属于事故灾难" in r.text
    r = client.post("/incidents/new", data={**FORM, "csrf_token": "wrong"})
    assert r.status_code == 403


def test_page_actions_report_sign_close(
    ctx: Any, clock: FixedClock, client: TestClient, app: Any, as_user: Any
) -> None:
    ctx.clock = clock
    inc = create(as_user, "bureau")
    csrf = signed_in(client, "bureau")
    url = f"/incidents/{inc['id']}"
    r = client.post(
        f"{url}/reports", data={"kind": "first", "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    report = as_user("bureau").get(f"/api/v1/incidents/{inc['id']}/reports").json()[0]
    # The author's own sign-off is refused with a message; another signer succeeds.
    refused = client.post(f"/incident-reports/{report['id']}/sign", data={"csrf_token": csrf})
    assert "签发人不能是报告起草人" in refused.text
    with TestClient(app) as other:
        csrf_admin = signed_in(other, "admin")
        other.post(f"/incident-reports/{report['id']}/sign", data={"csrf_token": csrf_admin})
    client.post(
        f"/incident-reports/{report['id']}/send",
        data={"sent_to": "重庆市应急管理局", "csrf_token": csrf},
    )
    client.post(
        f"{url}/casualties",
        data={"deaths": "4", "direct_loss_wan_yuan": "120.5", "reason": "核实", "csrf_token": csrf},
    )
    client.post(f"{url}/close", data={"reason": "处置完毕", "csrf_token": csrf})
    got = as_user("bureau").get(f"/api/v1/incidents/{inc['id']}").json()
    assert got["status"] == "closed"
    assert got["deaths"] == 4
    assert [t["kind"] for t in got["tasks"]] == ["supplementary_report"]
    page = client.get(url).text
    assert "已报送" in page
    assert "已结案" in page


def test_pages_scoped(ctx: Any, clock: FixedClock, client: TestClient, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user, "town_a")
    signed_in(client, "town_b")
    assert client.get(f"/incidents/{inc['id']}").status_code == 404
    assert inc["title"] not in client.get("/incidents").text
    assert inc["title"] not in client.get("/duty-desk").text


def test_rules_page_admin_edits(ctx: Any, clock: FixedClock, client: TestClient, app: Any) -> None:
    ctx.clock = clock
    csrf = signed_in(client, "admin")
    page = client.get("/incident-reporting-rules")
    assert page.status_code == 200
    assert "区应急管理局上报市级" in page.text
    assert 'id="rule-form"' in page.text
    form = {
        "key": "phone_report",
        "label": "重大以上事故电话报告",
        "reports_to": "市应急管理局",
        "minutes": "15",
        "anchor": "received",
        "min_grade": "major",
        "categories": "accident",
        "remind_before_minutes": "5",
        "remind": "on",
        "active": "on",
        "csrf_token": csrf,
    }
    saved = client.post("/incident-reporting-rules", data=form)
    assert "已保存规则 phone_report" in saved.text
    assert "重大以上事故电话报告" in saved.text
    bad = client.post("/incident-reporting-rules", data={**form, "minutes": "0"})
    assert "规则填写不正确" in bad.text
    with TestClient(app) as other:
        duty_csrf = signed_in(other, "duty")
        assert 'id="rule-form"' not in other.get("/incident-reporting-rules").text
        refused = other.post("/incident-reporting-rules", data={**form, "csrf_token": duty_csrf})
        assert "只有系统管理员" in refused.text
