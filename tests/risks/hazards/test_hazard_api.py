"""Hazards through the API: the loop by two users, refusals, 五到位, scoping, filters, photos."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from risks.hazards.helpers import FULL_PLAN, HAZARDS, PATHS, report_body
from support.district import POINT_A, POINT_B, TOWN_A, TOWN_B
from yingji.accounts.service import ensure_department
from yingji.core.actor import system_actor
from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage
from yingji.risks.hazards.rules import HazardAction

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def act(api: Any, hazard_id: int, action: str, **body: Any) -> Any:
    return api.post(f"{HAZARDS}/{hazard_id}/actions/{action}", json=body)


def put(api: Any, url: str, body: dict[str, Any]) -> Any:
    return api.client.put(url, json=body, headers=api.headers)


def ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return dict(answer.json())


def audits(ctx: Any, hazard_id: int) -> list[str]:
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "risks_hazard", AuditEntry.entity_id == str(hazard_id))
            .order_by(AuditEntry.id)
        )
        return list(rows)


def event_names(ctx: Any) -> list[str]:
    with ctx.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.name).order_by(OutboxMessage.id)))


# --- the loop ------------------------------------------------------------------------------------


def test_loop_report_confirm_rectify_accept_by_two_users(as_user, ids, ctx):
    ent, town = as_user("ent_a"), as_user("town_a")
    created = ok(
        ent.post(
            HAZARDS,
            json=report_body(
                source="self_check",
                kind="electrical",
                longitude=None,
                latitude=None,
                title="配电柜接地线断开",
            ),
        ),
        201,
    )
    hazard_id = created["id"]
    assert created["state"] == "reported"
    assert created["enterprise_id"] == ids["enterprise:A"]
    assert created["division_code"].startswith(TOWN_A)
    assert created["industry_code"] == "2614"
    assert created["longitude"] == pytest.approx(POINT_A[0])
    assert "confirm" not in created["available_actions"]  # the enterprise does not confirm

    confirmed = ok(
        act(
            town,
            hazard_id,
            "confirm",
            owner_user_id=ids["user:ent_a"],
            deadline="2099-01-31",
            reason="属实",
        )
    )
    assert confirmed["state"] == "confirmed"
    assert confirmed["deadline"] == "2099-01-31"
    assert confirmed["owner_user_id"] == ids["user:ent_a"]
    assert ok(ent.get(f"{HAZARDS}/{hazard_id}"))["available_actions"] == ["start"]

    ok(act(ent, hazard_id, "start", reason="已停用该配电柜"))
    photo = ok(ent.post(f"{HAZARDS}/photos", files={"file": ("a.png", PNG, "image/png")}), 201)
    submitted = ok(act(ent, hazard_id, "submit", reason="已重新接地", photo_keys=[photo["key"]]))
    assert submitted["state"] == "submitted"
    assert submitted["submitted_by"] == ids["user:ent_a"]
    assert ok(ent.get(f"{HAZARDS}/{hazard_id}"))["available_actions"] == []

    closed = ok(act(town, hazard_id, "accept", reason="现场复核合格"))
    assert closed["state"] == "closed"
    assert closed["state_label"] == "已销号"
    assert closed["closed_at"] is not None
    steps = [
        (t["action"], t["from_state"], t["to_state"], t["actor_name"])
        for t in closed["transitions"]
    ]
    assert steps == [
        ("report", None, "reported", "ent_a"),
        ("confirm", "reported", "confirmed", "town_a"),
        ("start", "confirmed", "rectifying", "ent_a"),
        ("submit", "rectifying", "submitted", "ent_a"),
        ("accept", "submitted", "closed", "town_a"),
    ]
    assert closed["transitions"][3]["photo_keys"] == [photo["key"]]
    assert closed["transitions"][4]["reason"] == "现场复核合格"
    assert photo["key"] in closed["photo_keys"]
    # Every transition audited in its own transaction; each state change announced.
    assert audits(ctx, hazard_id) == [
        "risks.hazard.report",
        "risks.hazard.confirm",
        "risks.hazard.start",
        "risks.hazard.submit",
        "risks.hazard.accept",
    ]
    names = event_names(ctx)
    assert names.count("risks.hazard_state_changed") == 4
    assert names.count("risks.hazard_reported") == 1
    assert names.count("risks.hazard_closed") == 1
    # The photo is served to readers of the hazard.
    got = ent.get(f"{HAZARDS}/{hazard_id}/photos/{photo['key']}")
    assert got.status_code == 200
    assert got.content == PNG


def test_return_for_rework_and_reopen(as_user, make_hazard):
    town = as_user("town_a")
    hazard_id = make_hazard("submitted")
    missing = act(town, hazard_id, "return")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"
    back = ok(act(town, hazard_id, "return", reason="照片不清晰，补充整改"))
    assert back["state"] == "rectifying"
    assert back["submitted_by"] is None
    closed_id = make_hazard("closed")
    again = ok(act(town, closed_id, "reopen", reason="复查发现再次堵塞", deadline="2099-02-01"))
    assert again["state"] == "rectifying"
    assert again["closed_at"] is None
    rejected_id = make_hazard("rejected")
    assert ok(act(town, rejected_id, "reopen", reason="误驳回"))["state"] == "reported"


# --- refusals ------------------------------------------------------------------------------------


def test_every_illegal_transition_is_refused_with_409_and_the_reason(as_user, make_hazard, ctx):
    admin = as_user("admin")
    by_state = {state: make_hazard(state) for state in PATHS}
    checked = 0
    for state, hazard_id in by_state.items():
        for action in HazardAction:
            if (state, action.value) in {
                ("reported", "confirm"),
                ("reported", "reject"),
                ("confirmed", "start"),
                ("rectifying", "submit"),
                ("submitted", "accept"),
                ("submitted", "return"),
                ("rejected", "reopen"),
                ("closed", "reopen"),
            }:
                continue
            answer = act(admin, hazard_id, action.value, reason="x")
            assert answer.status_code == 409, (state, action, answer.text)
            problem = answer.json()
            assert problem["code"] == "illegal_transition"
            assert "隐患当前状态为" in problem["detail"]
            checked += 1
    assert checked == 6 * 7 - 8
    # Nothing moved, nothing audited by the refusals.
    for state, hazard_id in by_state.items():
        assert ok(admin.get(f"{HAZARDS}/{hazard_id}"))["state"] == state
        assert len(audits(ctx, hazard_id)) == 1 + len(PATHS[state])


def test_unknown_action_is_404(as_user, make_hazard):
    assert act(as_user("admin"), make_hazard(), "explode").status_code == 404


def test_the_submitter_cannot_accept(as_user, make_hazard):
    town = as_user("town_a")
    hazard_id = make_hazard("confirmed")  # a public place: the township rectifies it
    ok(act(town, hazard_id, "start"))
    ok(act(town, hazard_id, "submit", reason="已清理"))
    assert "accept" not in ok(town.get(f"{HAZARDS}/{hazard_id}"))["available_actions"]
    refused = act(town, hazard_id, "accept")
    assert refused.status_code == 403
    assert "提交人不能验收" in refused.json()["detail"]
    assert ok(act(as_user("inspector"), hazard_id, "accept"))["state"] == "closed"


def test_major_hazard_needs_a_complete_five_in_place_plan(as_user, ids, make_hazard):
    ent = as_user("ent_a")
    hazard_id = make_hazard(
        "confirmed", level="major", source="inspection", enterprise_id=ids["enterprise:A"]
    )
    refused = act(ent, hazard_id, "start")
    assert refused.status_code == 422
    fields = [e["field"] for e in refused.json()["errors"]]
    assert fields == [
        "plan.measures",
        "plan.responsible_person",
        "plan.funds",
        "plan.time_limit",
        "plan.contingency_plan",
    ]
    partial = {k: v for k, v in FULL_PLAN.items() if k != "funds"}
    refused = act(ent, hazard_id, "start", plan=partial)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "plan.funds", "reason": "重大隐患整改方案缺少“资金”（五到位）"}
    ]
    assert ok(ent.get(f"{HAZARDS}/{hazard_id}"))["state"] == "confirmed"
    # The plan can also be stored first, then the start needs nothing more.
    ok(put(ent, f"{HAZARDS}/{hazard_id}/plan", FULL_PLAN))
    started = ok(act(ent, hazard_id, "start"))
    assert started["state"] == "rectifying"
    assert started["plan"]["funds"] == FULL_PLAN["funds"]


def test_roles(as_user, ids, make_hazard):
    grid = as_user("grid_a")
    assert grid.post(HAZARDS, json=report_body(source="self_check")).status_code == 403
    reported = ok(grid.post(HAZARDS, json=report_body()), 201)
    assert reported["division_code"].startswith(TOWN_A)
    assert act(grid, reported["id"], "confirm").status_code == 403
    ent = as_user("ent_a")
    assert ent.post(HAZARDS, json=report_body(source="grid_patrol")).status_code == 403
    other = ent.post(
        HAZARDS, json=report_body(source="self_check", enterprise_id=ids["enterprise:B"])
    )
    assert other.status_code == 422
    # A public-place hazard: the enterprise officer is neither its unit nor its owner.
    confirmed = ok(act(as_user("town_a"), reported["id"], "confirm"))
    assert confirmed["deadline"] is not None  # default by level
    assert act(as_user("ent_a"), reported["id"], "start").status_code == 404  # not visible
    assert act(as_user("dept"), reported["id"], "start").status_code == 403
    # Rejecting needs a reason.
    fresh = ok(grid.post(HAZARDS, json=report_body()), 201)
    assert act(as_user("town_a"), fresh["id"], "reject").status_code == 422
    assert ok(act(as_user("town_a"), fresh["id"], "reject", reason="非隐患"))["state"] == "rejected"


def test_grid_member_cannot_report_outside_their_village(as_user):
    answer = as_user("grid_a").post(HAZARDS, json=report_body(point=POINT_B))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "division_code"


def test_same_source_ref_returns_the_first_hazard(as_user, ctx):
    api = as_user("inspector")
    first = ok(api.post(HAZARDS, json=report_body(source="inspection", source_ref="insp:7")), 201)
    again = ok(api.post(HAZARDS, json=report_body(source="inspection", source_ref="insp:7")), 201)
    assert again["id"] == first["id"]
    assert event_names(ctx).count("risks.hazard_reported") == 1


# --- scoping -------------------------------------------------------------------------------------


def test_town_b_gets_404_everywhere_on_a_town_a_hazard(as_user, make_hazard):
    hazard_id = make_hazard("submitted")
    other = as_user("town_b")
    assert other.get(f"{HAZARDS}/{hazard_id}").status_code == 404
    for action in HazardAction:
        assert act(other, hazard_id, action.value, reason="x").status_code == 404
    upload = other.post(
        f"{HAZARDS}/{hazard_id}/photos", files={"file": ("a.png", PNG, "image/png")}
    )
    assert upload.status_code == 404
    assert put(other, f"{HAZARDS}/{hazard_id}/plan", FULL_PLAN).status_code == 404
    assert other.get(HAZARDS).json()["total"] == 0
    assert as_user("town_a").get(HAZARDS).json()["total"] == 1
    assert as_user("town_a").get(f"{HAZARDS}/{hazard_id}").status_code == 200


def test_enterprise_officer_sees_only_their_enterprise(as_user, ids, make_hazard):
    own = make_hazard(enterprise_id=ids["enterprise:A"], source="inspection")
    theirs = make_hazard(enterprise_id=ids["enterprise:B"], source="inspection", point=POINT_B)
    public = make_hazard()
    ent = as_user("ent_a")
    listed = ent.get(HAZARDS).json()
    assert [h["id"] for h in listed["items"]] == [own]
    assert ent.get(f"{HAZARDS}/{theirs}").status_code == 404
    assert ent.get(f"{HAZARDS}/{public}").status_code == 404
    assert ent.get(f"{HAZARDS}/{own}").status_code == 200
    assert {h["id"] for h in as_user("bureau").get(HAZARDS).json()["items"]} == {
        own,
        theirs,
        public,
    }


# --- list, filters, statistics -----------------------------------------------------------------


def test_list_filters_and_overdue_first(as_user, ids, make_hazard, ctx):
    late = make_hazard("rectifying", deadline="2020-01-01", title="逾期的")
    soon = make_hazard("confirmed", deadline="2099-01-01", title="未到期")
    major = make_hazard(
        "reported", level="major", enterprise_id=ids["enterprise:A"], source="inspection"
    )
    done = make_hazard("closed", deadline="2020-01-01")
    b = make_hazard(point=POINT_B)
    api = as_user("bureau")

    def listed(**params: Any) -> list[int]:
        return [h["id"] for h in ok(api.get(HAZARDS, params=params))["items"]]

    assert listed()[0] == late
    assert ok(api.get(HAZARDS))["items"][0]["overdue"] is True
    assert listed(overdue="true") == [late]
    assert set(listed(overdue="false")) == {soon, major, done, b}
    assert listed(state="closed") == [done]
    assert listed(level="major") == [major]
    assert listed(enterprise_id=ids["enterprise:A"]) == [major]
    assert set(listed(division_code=TOWN_B)) == {b}
    assert done not in listed(open_only="true")
    assert api.get(HAZARDS, params={"state": "bogus"}).status_code == 422


def test_statistics_by_township_industry_and_department(as_user, ids, make_hazard, ctx):
    with ctx.uow(system_actor("test")) as uow:
        dept = ensure_department(uow, "区经济和信息化委员会", "500153").id
        uow.commit()
    make_hazard("closed", enterprise_id=ids["enterprise:A"], source="inspection")
    make_hazard("rectifying", deadline="2020-01-01")
    make_hazard("rejected")
    make_hazard("reported", point=POINT_B, level="major")
    bureau = as_user("bureau")
    stats = ok(bureau.get(f"{HAZARDS}/statistics", params={"by": "township"}))
    rows = {r["key"]: r for r in stats["rows"]}
    assert rows[TOWN_A]["found"] == 2  # the rejected report is no hazard
    assert rows[TOWN_A]["closed"] == 1
    assert rows[TOWN_A]["overdue"] == 1
    assert rows[TOWN_A]["rectification_rate"] == 50.0
    assert rows[TOWN_A]["label"] == "昌元街道"
    assert rows[TOWN_B]["major"] == 1
    assert stats["total"]["found"] == 3
    industry = ok(bureau.get(f"{HAZARDS}/statistics", params={"by": "industry"}))
    keys = {r["key"]: r for r in industry["rows"]}
    assert keys["26"]["found"] == 1
    assert keys["26"]["label"].startswith("26 ")
    assert keys[""]["found"] == 2
    # A department appears once a hazard is supervised_listing by it.
    major = make_hazard("confirmed", level="major")
    ok(
        bureau.post(
            f"{HAZARDS}/{major}/supervision", json={"department_id": dept, "note": "限期整改"}
        )
    )
    by_dept = ok(bureau.get(f"{HAZARDS}/statistics", params={"by": "department"}))
    assert {r["label"]: r["found"] for r in by_dept["rows"]}["区经济和信息化委员会"] == 1
    # Scoped: town_b counts only its own.
    town_b = ok(as_user("town_b").get(f"{HAZARDS}/statistics"))
    assert [r["key"] for r in town_b["rows"]] == [TOWN_B]


def test_supervision_only_for_major_by_the_bureau(as_user, make_hazard, ctx):
    with ctx.uow(system_actor("test")) as uow:
        dept = ensure_department(uow, "区住房城乡建委", "500153").id
        uow.commit()
    major = make_hazard("rectifying", level="major")
    general = make_hazard("rectifying")
    body = {"department_id": dept, "note": "挂牌督办，30 日内完成"}
    assert as_user("town_a").post(f"{HAZARDS}/{major}/supervision", json=body).status_code == 403
    assert as_user("bureau").post(f"{HAZARDS}/{general}/supervision", json=body).status_code == 409
    missing = as_user("bureau").post(
        f"{HAZARDS}/{major}/supervision", json={"department_id": 999999}
    )
    assert missing.status_code == 422
    done = ok(as_user("bureau").post(f"{HAZARDS}/{major}/supervision", json=body))
    assert done["supervised_listing"] is True
    assert done["department_id"] == dept
    assert done["transitions"][-1]["action"] == "supervise"
    assert "risks.hazard.supervise" in audits(ctx, major)
    listed = as_user("bureau").get(HAZARDS, params={"supervised_listing": "true"}).json()
    assert [h["id"] for h in listed["items"]] == [major]


def test_deadline_change_is_reviewer_work_and_needs_a_reason(as_user, make_hazard):
    hazard_id = make_hazard("rectifying")
    body = {"deadline": "2099-03-01", "reason": "需采购配件"}
    assert as_user("grid_a").post(f"{HAZARDS}/{hazard_id}/deadline", json=body).status_code == 403
    changed = ok(as_user("town_a").post(f"{HAZARDS}/{hazard_id}/deadline", json=body))
    assert changed["deadline"] == "2099-03-01"


def test_photo_upload_checks_the_file(as_user, make_hazard):
    hazard_id = make_hazard()
    api = as_user("town_a")
    bad = api.post(f"{HAZARDS}/{hazard_id}/photos", files={"file": ("a.txt", b"hi", "text/plain")})
    assert bad.status_code == 422
    good = ok(
        api.post(f"{HAZARDS}/{hazard_id}/photos", files={"file": ("a.png", PNG, "image/png")}), 201
    )
    detail = ok(api.get(f"{HAZARDS}/{hazard_id}"))
    assert good["key"] in detail["photo_keys"]
    assert detail["transitions"][-1]["action"] == "photo"
    assert api.get(f"{HAZARDS}/{hazard_id}/photos/nope.png").status_code == 404


def test_find_open_hazards_near_is_a_system_lookup(ctx, make_hazard):
    from yingji.risks.hazards.queries import find_open_hazards_near

    near = make_hazard("rectifying", kind="hazmat")
    make_hazard("closed", kind="hazmat")  # closed: not open
    far = make_hazard("reported", point=(POINT_A[0] + 0.02, POINT_A[1]))  # about 1.9 km east
    with ctx.session_factory() as session:
        found = find_open_hazards_near(
            session, longitude=POINT_A[0] + 0.001, latitude=POINT_A[1], radius_m=500
        )
        assert [h.id for h in found] == [near]
        wide = find_open_hazards_near(
            session, longitude=POINT_A[0], latitude=POINT_A[1], radius_m=3000
        )
        assert [h.id for h in wide] == [near, far]
        only = find_open_hazards_near(
            session, longitude=POINT_A[0], latitude=POINT_A[1], radius_m=3000, kind="fire"
        )
        assert [h.id for h in only] == [far]


def test_risk_point_gives_enterprise_place_and_division(as_user, ids):
    point = as_user("bureau").post(
        "/api/v1/risk-points",
        json={
            "name": "液氨储罐区",
            "kind": "installation",
            "enterprise_id": ids["enterprise:A"],
            "longitude": POINT_A[0] + 0.01,
            "latitude": POINT_A[1] - 0.02,
        },
    )
    assert point.status_code == 201, point.text
    body = report_body(source="inspection", risk_point_id=point.json()["id"])
    del body["longitude"], body["latitude"]
    created = ok(as_user("inspector").post(HAZARDS, json=body), 201)
    assert created["enterprise_id"] == ids["enterprise:A"]
    assert created["risk_point_id"] == point.json()["id"]
    assert created["longitude"] == pytest.approx(POINT_A[0] + 0.01)
    assert created["division_code"] == "500153001001"  # the point's village, not the firm's
    # A point of another enterprise than the one named is refused.
    body["enterprise_id"] = ids["enterprise:B"]
    body["source_ref"] = "other"
    wrong = as_user("inspector").post(HAZARDS, json=body)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "risk_point_id"
    unknown = report_body(source="inspection", risk_point_id=999999)
    missing = as_user("inspector").post(HAZARDS, json=unknown)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "risk_point_id"


def test_unknown_photo_keys_are_refused(as_user, make_hazard):
    api = as_user("town_a")
    bad = api.post(HAZARDS, json=report_body(photo_keys=["deadbeef.png"]))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "photo_keys.0"
    hazard_id = make_hazard()
    assert act(api, hazard_id, "confirm", photo_keys=["nope.jpg"]).status_code == 422
