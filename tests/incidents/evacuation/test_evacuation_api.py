"""Evacuation plans through the API: solved, stored, audited and scoped (both engines)."""

from __future__ import annotations

from sqlalchemy import select

from support.district import POINT_A, VILLAGE_A1, VILLAGE_B1
from support.samples import shelter
from yingji.core.audit import AuditEntry

VILLAGE_A2 = "500153001002"


def _shelters(as_user):
    bureau = as_user("bureau")
    near = shelter(POINT_A, "甲")
    near["capacity_persons"] = 1200
    far = shelter((POINT_A[0] + 0.03, POINT_A[1] + 0.03), "乙")
    far["capacity_persons"] = 1000
    closed = shelter(POINT_A, "丙") | {"status": "closed"}
    for payload in (near, far, closed):
        response = bureau.post("/api/v1/shelters", json=payload)
        assert response.status_code == 201, response.text


def test_township_plans_its_villages(as_user, ctx):
    _shelters(as_user)
    town_a = as_user("town_a")
    response = town_a.post(
        "/api/v1/evacuation-plans",
        json={
            "title": "洪水转移",
            "village_codes": [VILLAGE_A1, VILLAGE_A2],
            "populations": {VILLAGE_A1: 1500, VILLAGE_A2: 500},
        },
    )
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["total_persons"] == 2000
    assert plan["placed_persons"] == 2000
    assert plan["unplaced"] == []
    assert plan["division_code"] == "500153001"
    assert sum(m["persons"] for m in plan["moves"]) == 2000
    # The closed shelter is never used.
    assert {s["name"] for s in plan["shelters"]} <= {"避难场所甲", "避难场所乙"}
    assert all(s["persons"] <= s["capacity"] for s in plan["shelters"])
    with ctx.session_factory() as session:
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "evacuation_plan", AuditEntry.entity_id == str(plan["id"])
            )
        ).one()
        assert audit.actor_name == "town_a"
    assert town_a.get(f"/api/v1/evacuation-plans/{plan['id']}").json()["id"] == plan["id"]


def test_unplaced_people_are_reported(as_user):
    _shelters(as_user)
    response = as_user("bureau").post(
        "/api/v1/evacuation-plans",
        json={"village_codes": [VILLAGE_A1], "populations": {VILLAGE_A1: 3000}},
    )
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["placed_persons"] == 2200
    assert plan["unplaced"] == [
        {"village_code": VILLAGE_A1, "village_name": "玉屏社区", "persons": 800}
    ]


def test_other_townships_villages_and_plans_are_out_of_reach(as_user):
    _shelters(as_user)
    town_a, town_b = as_user("town_a"), as_user("town_b")
    refused = town_a.post("/api/v1/evacuation-plans", json={"village_codes": [VILLAGE_B1]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "village_codes.0"
    created = town_a.post(
        "/api/v1/evacuation-plans",
        json={"village_codes": [VILLAGE_A1], "populations": {VILLAGE_A1: 10}},
    ).json()
    assert town_b.get(f"/api/v1/evacuation-plans/{created['id']}").status_code == 404
    assert all(p["id"] != created["id"] for p in town_b.get("/api/v1/evacuation-plans").json())


def test_bad_input_names_the_field(as_user):
    bureau = as_user("bureau")
    township = bureau.post("/api/v1/evacuation-plans", json={"village_codes": ["500153001"]})
    assert township.status_code == 422
    assert township.json()["errors"][0]["field"] == "village_codes.0"
    stray = bureau.post(
        "/api/v1/evacuation-plans",
        json={"village_codes": [VILLAGE_A1], "populations": {VILLAGE_B1: 5}},
    )
    assert stray.status_code == 422
    assert stray.json()["errors"][0]["field"] == f"populations.{VILLAGE_B1}"
    empty = bureau.post("/api/v1/evacuation-plans", json={"village_codes": []})
    assert empty.status_code == 422


def test_roles_that_do_not_plan_are_refused(as_user, ctx):
    with ctx.session_factory() as session:
        before = session.query(AuditEntry).count()
    response = as_user("grid_a").post(
        "/api/v1/evacuation-plans", json={"village_codes": [VILLAGE_A1]}
    )
    assert response.status_code == 403
    with ctx.session_factory() as session:
        assert session.query(AuditEntry).count() == before


def test_a_plan_answers_only_an_incident_the_planner_may_see(as_user):
    incident = as_user("town_b").post(
        "/api/v1/incidents",
        json={
            "category": "natural_disaster",
            "type": "flood",
            "title": "乙镇内涝",
            "occurred_at": "2026-01-05T08:00:00+08:00",
            "division_code": "500153002",
        },
    )
    assert incident.status_code == 201, incident.text
    town_a = as_user("town_a")
    before = town_a.get("/api/v1/evacuation-plans").json()
    for incident_id in (incident.json()["id"], 987654):
        refused = town_a.post(
            "/api/v1/evacuation-plans",
            json={"village_codes": [VILLAGE_A1], "incident_id": incident_id},
        )
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["incident_id"]
    assert town_a.get("/api/v1/evacuation-plans").json() == before
