"""Public reports (举报): no login, routing by location, dedupe against open hazards, tracking
code, scoping, the check → reply loop, rewards, rate limit, audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage
from yingji.patrols.models import PublicReport
from yingji.risks.hazards.models import Hazard

# Well inside village A1 (玉屏社区, lat 29.40–29.45), village A2 (大北社区) and village B1.
P_A1 = (105.55, 29.42)
P_A2 = (105.55, 29.47)
P_B1 = (105.65, 29.42)
OUTSIDE = (106.2, 29.42)
METRE_LAT = 1 / 111_195  # degrees of latitude per metre


def _body(point: tuple[float, float] = P_A1, **extra: Any) -> dict[str, Any]:
    body = {
        "kind": "fire",
        "title": "楼道堆放杂物堵塞消防通道",
        "description": "三楼楼道堆满纸箱",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def _report(client: Any, point: tuple[float, float] = P_A1, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/v1/public-reports", json=_body(point, **extra))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _north(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return (point[0], point[1] + metres * METRE_LAT)


def _hazard_of(ctx: Any, report_id: int) -> tuple[int | None, bool]:
    with ctx.session_factory() as s:
        row = s.get(PublicReport, report_id)
        assert row is not None
        return row.hazard_id, row.linked_existing


def test_anonymous_report_needs_no_login_and_is_tracked_by_code(client, ctx) -> None:
    receipt = _report(client, reporter_name="张三", reporter_phone="13800000000")
    assert receipt["township_code"] == "500153001"
    assert receipt["township_name"] == "昌元街道"
    assert receipt["state"] == "received"
    code = receipt["tracking_code"]
    assert len(code) == 12
    # Anonymous by default: a name typed anyway is not kept.
    with ctx.session_factory() as s:
        row = s.get(PublicReport, receipt["id"])
        assert row is not None
        assert row.anonymous
        assert row.reporter_name is None
        assert row.reporter_phone is None
        assert code not in row.tracking_hash  # only the hash is stored
    status = client.get("/api/v1/public-reports/track", params={"code": code.lower()})
    assert status.status_code == 200, status.text
    assert status.json()["state_label"] == "已受理"
    assert status.json()["reply"] is None
    assert "reporter_name" not in status.json()
    wrong = client.get("/api/v1/public-reports/track", params={"code": "ZZZZZZZZZZZZ"})
    assert wrong.status_code == 404


def test_named_report_keeps_contact(client, as_user) -> None:
    receipt = _report(client, anonymous=False, reporter_name="李四", reporter_phone="13900000000")
    seen = as_user("town_a").get(f"/api/v1/public-reports/{receipt['id']}").json()
    assert seen["anonymous"] is False
    assert seen["reporter_name"] == "李四"


def test_routed_by_location_to_the_right_township(client, as_user, ctx, ids) -> None:
    a = _report(client, P_A2)
    b = _report(client, P_B1)
    assert a["township_code"] == "500153001"
    assert b["township_code"] == "500153002"
    read = as_user("town_b").get(f"/api/v1/public-reports/{b['id']}").json()
    assert read["division_code"] == "500153002001"
    # The township's officers are told (through notify).
    with ctx.session_factory() as s:
        notices = {
            m.payload["source_id"]: m.payload["user_ids"]
            for m in s.scalars(
                select(OutboxMessage).where(OutboxMessage.name == "notice.requested")
            )
        }
    assert notices == {str(a["id"]): [ids["user:town_a"]], str(b["id"]): [ids["user:town_b"]]}


def test_outside_the_district_is_refused(client, ctx) -> None:
    r = client.post("/api/v1/public-reports", json=_body(OUTSIDE))
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"longitude", "latitude"}
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count(PublicReport.id))) == 0


def test_same_kind_within_50_m_is_linked_to_the_open_hazard(client, ctx) -> None:
    first = _report(client)
    first_hazard, linked = _hazard_of(ctx, first["id"])
    assert first_hazard is not None
    assert not linked
    second = _report(client, _north(P_A1, 40))
    assert _hazard_of(ctx, second["id"]) == (first_hazard, True)
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count(Hazard.id))) == 1
        hazard = s.get(Hazard, first_hazard)
        assert hazard is not None
        assert hazard.source == "public_report"


@pytest.mark.parametrize(
    "change",
    [
        {"point": _north(P_A1, 60)},  # too far
        {"kind": "electrical"},  # another kind
        {"closed": True},  # the hazard nearby is closed
    ],
    ids=["60m", "other-kind", "closed"],
)
def test_otherwise_a_new_hazard(client, ctx, change: dict[str, Any]) -> None:
    first = _report(client)
    first_hazard, _ = _hazard_of(ctx, first["id"])
    if change.get("closed"):
        with ctx.session_factory() as s:
            s.execute(update(Hazard).where(Hazard.id == first_hazard).values(state="closed"))
            s.commit()
    point = change.get("point", P_A1)
    second = _report(client, point, kind=change.get("kind", "fire"))
    second_hazard, linked = _hazard_of(ctx, second["id"])
    assert second_hazard is not None
    assert second_hazard != first_hazard
    assert not linked


def test_scoping_of_public_reports(client, as_user) -> None:
    a1 = _report(client, P_A1)
    a2 = _report(client, P_A2, kind="structure")
    b1 = _report(client, P_B1)
    town_b = as_user("town_b")
    assert town_b.get(f"/api/v1/public-reports/{a1['id']}").status_code == 404
    assert town_b.post(f"/api/v1/public-reports/{a1['id']}/verify", json={}).status_code == 404
    assert [r["id"] for r in town_b.get("/api/v1/public-reports").json()["items"]] == [b1["id"]]
    town_a = as_user("town_a")
    assert {r["id"] for r in town_a.get("/api/v1/public-reports").json()["items"]} == {
        a1["id"],
        a2["id"],
    }
    # A grid member sees only their own village (A1), and may not handle reports.
    grid = as_user("grid_a")
    assert [r["id"] for r in grid.get("/api/v1/public-reports").json()["items"]] == [a1["id"]]
    assert grid.get(f"/api/v1/public-reports/{a2['id']}").status_code == 404
    assert grid.post(f"/api/v1/public-reports/{a1['id']}/verify", json={}).status_code == 403
    # An enterprise officer has no business with public reports.
    assert as_user("ent_a").get("/api/v1/public-reports").status_code == 403
    # Officers need to sign in to the list.
    assert client.get("/api/v1/public-reports").status_code == 401


def test_check_reply_and_reward_loop_all_audited(client, as_user, ctx) -> None:
    receipt = _report(client)
    rid = receipt["id"]
    town_a, bureau = as_user("town_a"), as_user("bureau")
    # Replying before the check is refused: the state table decides.
    early = town_a.post(f"/api/v1/public-reports/{rid}/reply", json={"reply": "已处理完毕"})
    assert early.status_code == 409
    # No reward before the report is verified.
    assert (
        bureau.post(f"/api/v1/public-reports/{rid}/reward", json={"amount": "500"}).status_code
        == 422
    )
    verified = town_a.post(f"/api/v1/public-reports/{rid}/verify", json={"note": "现场核实属实"})
    assert verified.status_code == 200, verified.text
    assert verified.json()["state"] == "verified"
    assert verified.json()["verified"] is True
    assert town_a.post(f"/api/v1/public-reports/{rid}/dismiss", json={}).status_code == 409
    replied = town_a.post(
        f"/api/v1/public-reports/{rid}/reply", json={"reply": "经核查属实，已责令清理。"}
    )
    assert replied.status_code == 200, replied.text
    status = client.get(
        "/api/v1/public-reports/track", params={"code": receipt["tracking_code"]}
    ).json()
    assert status["state"] == "replied"
    assert status["reply"] == "经核查属实，已责令清理。"
    # Rewards are the bureau's business.
    assert (
        town_a.post(f"/api/v1/public-reports/{rid}/reward", json={"amount": "500"}).status_code
        == 403
    )
    too_much = bureau.post(f"/api/v1/public-reports/{rid}/reward", json={"amount": "300000.01"})
    assert too_much.status_code == 422
    assert bureau.post(f"/api/v1/public-reports/{rid}/reward/paid", json={}).status_code == 409
    granted = bureau.post(
        f"/api/v1/public-reports/{rid}/reward", json={"amount": "500", "note": "一般隐患举报"}
    )
    assert granted.status_code == 200
    assert granted.json()["reward_state"] == "granted"
    paid = bureau.post(f"/api/v1/public-reports/{rid}/reward/paid", json={"note": "转账"})
    assert paid.status_code == 200
    assert paid.json()["reward_state"] == "paid"
    again = bureau.post(f"/api/v1/public-reports/{rid}/reward", json={"amount": "800"})
    assert again.status_code == 409
    with ctx.session_factory() as s:
        actions = list(
            s.scalars(
                select(AuditEntry.action)
                .where(
                    AuditEntry.entity == "patrols_public_report", AuditEntry.entity_id == str(rid)
                )
                .order_by(AuditEntry.id)
            )
        )
    assert actions == [
        "patrols.public_report.create",
        "patrols.public_report.verify",
        "patrols.public_report.reply",
        "patrols.public_report.reward_grant",
        "patrols.public_report.reward_pay",
    ]


def test_dismissed_report_cannot_be_rewarded(client, as_user) -> None:
    rid = _report(client)["id"]
    town_a = as_user("town_a")
    assert (
        town_a.post(f"/api/v1/public-reports/{rid}/dismiss", json={"note": "无此情况"}).status_code
        == 200
    )
    r = as_user("bureau").post(f"/api/v1/public-reports/{rid}/reward", json={"amount": "100"})
    assert r.status_code == 422


def test_rate_limited_per_client(client, ctx) -> None:
    for i in range(5):
        _report(client, _north(P_A1, 200 * i))
    r = client.post("/api/v1/public-reports", json=_body(_north(P_A1, 1500)))
    assert r.status_code == 429
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count(PublicReport.id))) == 5


def test_hazard_check_verifies_or_dismisses_the_reports_behind_it(client, as_user, ctx) -> None:
    first = _report(client)
    linked = _report(client, _north(P_A1, 20))  # same place: linked to the same hazard
    other = _report(client, P_A2, kind="structure")
    hazard_id, _ = _hazard_of(ctx, first["id"])
    other_hazard, _ = _hazard_of(ctx, other["id"])
    town_a = as_user("town_a")
    confirmed = town_a.post(f"/api/v1/hazards/{hazard_id}/actions/confirm", json={})
    assert confirmed.status_code == 200, confirmed.text
    rejected = town_a.post(
        f"/api/v1/hazards/{other_hazard}/actions/reject", json={"reason": "现场无此情况"}
    )
    assert rejected.status_code == 200, rejected.text
    states = {
        r["id"]: (r["state"], r["verified"])
        for r in town_a.get("/api/v1/public-reports").json()["items"]
    }
    assert states == {
        first["id"]: ("verified", True),
        linked["id"]: ("verified", True),
        other["id"]: ("unfounded", False),
    }
