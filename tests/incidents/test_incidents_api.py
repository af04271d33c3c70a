"""Incident API: intake with grade and deadlines, idempotency, 422s, scoping, audit, reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from support.district import POINT_A, POINT_B, TOWN_A, TOWN_B
from yingji.core.audit import AuditEntry
from yingji.core.clock import FixedClock
from yingji.core.outbox import OutboxMessage
from yingji.incidents.models import Incident

BASE = "/api/v1/incidents"


def body(**over: Any) -> dict[str, Any]:
    """Return a valid intake body at point A (overridable)."""
    data: dict[str, Any] = {
        "category": "accident",
        "type": "hazmat",
        "occurred_at": "2026-06-01T09:30:00+08:00",
        "longitude": POINT_A[0],
        "latitude": POINT_A[1],
        "title": "某化工厂储罐泄漏爆炸",
        "deaths": 3,
        "missing": 0,
        "serious_injuries": 0,
        "injuries": 2,
        "direct_loss_wan_yuan": 120.5,
    }
    data.update(over)
    return data


def create(as_user: Any, user: str = "duty", **over: Any) -> dict[str, Any]:
    r = as_user(user).post(BASE, json=body(**over))
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_intake_grades_and_sets_deadlines(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user)
    assert inc["grade"] == "large"
    assert inc["grade_label"] == "较大事故"
    assert inc["division_code"].startswith(TOWN_A)
    assert inc["grade_by_criterion"]["deaths"] == "large"
    deadlines = {d["key"]: d for d in inc["reporting_deadlines"]}
    assert set(deadlines) == {"unit_report", "district_report", "city_report"}
    # The unit's report is the intake itself; the bureau owes the city within 2 hours.
    assert deadlines["unit_report"]["met_at"] is not None
    district = deadlines["district_report"]
    assert district["seconds_left"] == 7200
    assert district["state"] == "pending"
    got = as_user("duty").get(f"{BASE}/{inc['id']}").json()
    assert got["grade"] == "large"
    timeline = as_user("duty").get(f"{BASE}/{inc['id']}/timeline").json()
    assert [e["kind"] for e in timeline] == ["intake", "graded"]


def test_major_grade_reaches_the_state_council(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user, deaths=0, direct_loss_wan_yuan=5000)
    assert inc["grade"] == "major"
    keys = {d["key"] for d in inc["reporting_deadlines"]}
    assert "province_report" in keys


def test_non_accident_has_no_493_grade(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user, category="natural_disaster", type="flood", deaths=5)
    assert inc["grade"] is None
    assert {d["key"] for d in inc["reporting_deadlines"]} == {"district_report"}


def test_idempotent_by_external_ref(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    api = as_user("duty")
    first = api.post(BASE, json=body(external_ref="119-20260601-0042"))
    again = api.post(BASE, json=body(external_ref="119-20260601-0042", title="重复推送"))
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["title"] == "某化工厂储罐泄漏爆炸"
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count(Incident.id))) == 1
        assert (
            s.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.name == "incidents.reported"
                )
            )
            == 1
        )


def test_422_names_fields(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    api = as_user("duty")
    r = api.post(BASE, json=body(category="war", deaths=-1, title=""))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"category", "deaths", "title"} <= fields
    r = api.post(BASE, json=body(type="flood"))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["type"]
    r = api.post(BASE, json=body(longitude=None, latitude=None))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "longitude"
    r = api.post(BASE, json=body(longitude=110.0, latitude=20.0))
    assert r.json()["errors"][0]["field"] == "longitude"
    r = api.post(BASE, json=body(occurred_at="2026-06-02T09:30:00+08:00"))
    assert r.json()["errors"][0]["field"] == "occurred_at"
    r = api.post(BASE, json=body(grade="major"))
    assert r.json()["errors"][0]["field"] == "grade"


def test_scoping_town_b_gets_404(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user, "town_a")
    other = create(as_user, "duty", longitude=POINT_B[0], latitude=POINT_B[1], title="B 事件")
    town_b = as_user("town_b")
    url = f"{BASE}/{inc['id']}"
    assert town_b.get(url).status_code == 404
    assert town_b.get(f"{url}/timeline").status_code == 404
    assert town_b.get(f"{url}/reports").status_code == 404
    patch = {"deaths": 4, "reason": "核实"}
    assert town_b.patch(f"{url}/casualties", json=patch).status_code == 404
    assert town_b.post(f"{url}/close", json={"reason": "x"}).status_code == 404
    assert town_b.post(f"{url}/reports", json={"kind": "first"}).status_code == 404
    assert [i["id"] for i in town_b.get(BASE).json()] == [other["id"]]
    assert [i["id"] for i in as_user("town_a").get(BASE).json()] == [inc["id"]]
    assert {i["id"] for i in as_user("duty").get(BASE).json()} == {inc["id"], other["id"]}
    # A township officer cannot file an incident in the other township.
    r = as_user("town_b").post(BASE, json=body())
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "division_code"
    assert other["division_code"].startswith(TOWN_B)


def test_enterprise_officer_reports_for_own_enterprise(
    ctx: Any, clock: FixedClock, as_user: Any, ids: dict[str, int]
) -> None:
    ctx.clock = clock
    inc = create(as_user, "ent_a", longitude=None, latitude=None)
    assert inc["enterprise_id"] == ids["enterprise:A"]
    assert inc["source"] == "enterprise"
    assert inc["unit_name"] == "基准企业A"
    foreign = create(as_user, "duty", longitude=POINT_B[0], latitude=POINT_B[1])
    ent = as_user("ent_a")
    assert ent.get(f"{BASE}/{foreign['id']}").status_code == 404
    assert [i["id"] for i in ent.get(BASE).json()] == [inc["id"]]
    # The officer may report but not change the record.
    r = ent.post(f"{BASE}/{inc['id']}/close", json={"reason": "x"})
    assert r.status_code == 403


def _audits(ctx: Any) -> list[str]:
    with ctx.session_factory() as s:
        stmt = select(AuditEntry.action).where(AuditEntry.entity.like("incidents_%"))
        return list(s.scalars(stmt.order_by(AuditEntry.id)))


def test_reports_sign_off_send_and_audit(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    inc = create(as_user, "bureau")
    url = f"{BASE}/{inc['id']}"
    bureau, admin = as_user("bureau"), as_user("admin")
    r = bureau.post(f"{url}/reports", json={"kind": "first", "measures_taken": "已疏散周边群众"})
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["title"] == "初报"
    assert report["status"] == "draft"
    assert "死亡3人" in report["content"]["casualties_and_loss"]
    assert report["content"]["measures_taken"] == "已疏散周边群众"
    rid = report["id"]
    # Sending before sign-off is refused; the author may not sign; a duty officer may not sign.
    assert (
        bureau.post(f"/api/v1/incident-reports/{rid}/send", json={"sent_to": "市局"}).status_code
        == 409
    )
    refused = bureau.post(f"/api/v1/incident-reports/{rid}/sign")
    assert refused.status_code == 403
    assert "起草人" in refused.json()["detail"]
    assert as_user("duty").post(f"/api/v1/incident-reports/{rid}/sign").status_code == 403
    assert as_user("town_b").post(f"/api/v1/incident-reports/{rid}/sign").status_code == 404
    signed = admin.post(f"/api/v1/incident-reports/{rid}/sign")
    assert signed.status_code == 200
    assert signed.json()["signed_by_name"] == "admin"
    assert admin.post(f"/api/v1/incident-reports/{rid}/sign").status_code == 409
    doc = bureau.get(f"/api/v1/incident-reports/{rid}/document.docx")
    assert doc.status_code == 200
    assert doc.content[:2] == b"PK"
    clock.advance(timedelta(minutes=40))
    sent = bureau.post(f"/api/v1/incident-reports/{rid}/send", json={"sent_to": "重庆市应急管理局"})
    assert sent.status_code == 200
    assert sent.json()["status"] == "sent"
    deadlines = {d["key"]: d for d in bureau.get(url).json()["reporting_deadlines"]}
    assert deadlines["district_report"]["state"] == "met"
    # city_report is the city's duty, not the bureau's: the report does not tick it off.
    assert deadlines["city_report"]["met_at"] is None
    second = bureau.post(f"{url}/reports", json={"kind": "follow_up"}).json()
    assert second["title"] == "续报"
    assert (
        bureau.patch(f"{url}/casualties", json={"deaths": 4, "reason": "核实"}).status_code == 200
    )
    assert bureau.post(f"{url}/close", json={"reason": "处置完毕"}).json()["status"] == "closed"
    assert bureau.post(f"{url}/close", json={"reason": "again"}).status_code == 409
    assert bureau.post(f"{url}/reopen", json={"reason": "新线索"}).json()["status"] == "open"
    assert bureau.post(f"{url}/close", json={"reason": "处置完毕"}).status_code == 200
    assert _audits(ctx) == [
        "incidents.incident.intake",
        "incidents.report.draft",
        "incidents.report.sign",
        "incidents.report.send",
        "incidents.report.draft",
        "incidents.task.create",
        "incidents.incident.update_casualties",
        "incidents.incident.close",
        "incidents.incident.reopen",
        "incidents.incident.close",
    ]
    kinds = [e["kind"] for e in bureau.get(f"{url}/timeline").json()]
    assert kinds[-1] == "closed"
    assert "report_sent" in kinds
    assert "casualties_changed" in kinds
    with ctx.session_factory() as s:
        names = set(s.scalars(select(OutboxMessage.name)))
    assert {"incidents.reported", "incidents.graded", "incidents.closed"} <= names


def put(api: Any, url: str, json: dict[str, Any]) -> Any:
    """PUT as the user of ``api`` (the shared Api helper has no put)."""
    return api.client.put(url, headers=api.headers, json=json)


def test_reporting_rules_editable_by_admin_only(ctx: Any, clock: FixedClock, as_user: Any) -> None:
    ctx.clock = clock
    rule = {
        "label": "重大以上事故电话报告",
        "reports_to": "市应急管理局",
        "minutes": 15,
        "min_grade": "major",
        "remind_before_minutes": 5,
        "citation": "省级规定",
    }
    assert (
        put(as_user("bureau"), "/api/v1/incident-reporting-rules/phone_report", rule).status_code
        == 403
    )
    r = put(as_user("admin"), "/api/v1/incident-reporting-rules/phone_report", rule)
    assert r.status_code == 200
    rules = {x["key"]: x for x in r.json()}
    assert rules["phone_report"]["origin"] == "local"
    assert rules["district_report"]["origin"] == "national"
    inc = create(as_user, deaths=10)
    deadlines = {d["key"]: d for d in inc["reporting_deadlines"]}
    assert deadlines["phone_report"]["seconds_left"] == 900
    small = create(as_user, deaths=1, title="小事故")
    assert "phone_report" not in {d["key"] for d in small["reporting_deadlines"]}
    assert "incidents.reporting_rule.save" in _audits(ctx)
