"""Major hazards through the API: the GB 18218 calculator and the register (重大危险源)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support.district import POINT_A, POINT_B
from yingji.core.audit import AuditEntry


def hazard(
    enterprise_id: int, point: tuple[float, float] = POINT_A, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "液氯储罐区",
        "enterprise_id": enterprise_id,
        "unit_kind": "storage",
        "substances": [{"name": "氯", "quantity_t": 30}],
        "exposed_population": 120,
        "principal_name": "张主任",
        "principal_phone": "13800000401",
        "technical_name": "李工",
        "technical_phone": "13800000402",
        "operations_name": "王班长",
        "operations_phone": "13800000403",
        "assessed_on": "2026-03-01",
        "filed_with": "区应急管理局",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


# --- calculator ------------------------------------------------------------------------


def test_assess_example_a(as_user):
    r = as_user("duty").post(
        "/api/v1/major-hazards/assess",
        json={
            "unit_kind": "storage",
            "substances": [{"name": "氯", "quantity_t": 30}],
            "exposed_population": 120,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"] == [
        {
            "name": "氯",
            "cas": "7782-50-5",
            "category": None,
            "table1_row": 12,
            "q": "30",
            "threshold_quantity": "5",
            "beta": "4",
            "ratio": "6",
        }
    ]
    assert (body["sum_ratio"], body["is_major_hazard"], body["alpha"]) == ("6", True, "2")
    assert (body["r_value"], body["grade"], body["grade_label"]) == ("48", 3, "三级")


def test_assess_example_b2_mixed_lookups(as_user):
    r = as_user("bureau").post(
        "/api/v1/major-hazards/assess",
        json={
            "unit_kind": "production",
            "substances": [
                {"cas": "7664-41-7", "quantity_t": "8"},
                {"name": "氢气", "category": "W2", "quantity_t": 1},
                "甲烷|W2:3",
            ],
            "exposed_population": 40,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [i["ratio"] for i in body["items"]] == ["0.8", "0.2", "0.06"]
    assert (body["sum_ratio"], body["alpha"], body["r_value"], body["grade"]) == (
        "1.06",
        "1.2",
        "2.388",
        4,
    )


def test_assess_below_one_has_no_r_or_grade(as_user):
    r = as_user("bureau").post(
        "/api/v1/major-hazards/assess",
        json={
            "unit_kind": "storage",
            "substances": [{"category": "W5.3", "quantity_t": "999.999"}],
            "exposed_population": 0,
        },
    )
    body = r.json()
    assert (body["sum_ratio"], body["is_major_hazard"]) == ("0.999999", False)
    assert (body["r_value"], body["grade"], body["alpha"]) == (None, None, "0.5")


def test_assess_edge_s_one_and_r_hundred(as_user):
    r = as_user("bureau").post(
        "/api/v1/major-hazards/assess",
        json={
            "unit_kind": "storage",
            "substances": [{"name": "碳酰氯", "quantity_t": "1.5"}],
            "exposed_population": 100,
        },
    )
    body = r.json()  # 1.5/0.3 = 5; R = 2.0 × 20 × 5 = 200
    assert (body["sum_ratio"], body["r_value"], body["grade"]) == ("5", "200", 1)
    r = as_user("bureau").post(
        "/api/v1/major-hazards/assess",
        json={
            "unit_kind": "storage",
            "substances": [{"name": "氯", "quantity_t": "62.5"}],
            "exposed_population": 29,
        },
    )
    assert (r.json()["r_value"], r.json()["grade"]) == ("50", 2)


def test_assess_unknown_substance_is_422_naming_it(as_user):
    r = as_user("bureau").post(
        "/api/v1/major-hazards/assess",
        json={
            "unit_kind": "storage",
            "substances": [{"name": "氯", "quantity_t": 1}, {"name": "神秘液体", "quantity_t": 3}],
            "exposed_population": 0,
        },
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["substances.1.name"]
    assert "神秘液体" in errors[0]["reason"]


def test_assess_schema_errors_are_422(as_user):
    api = as_user("bureau")
    bad_kind = {"unit_kind": "tank", "substances": ["氯:1"], "exposed_population": 0}
    assert api.post("/api/v1/major-hazards/assess", json=bad_kind).status_code == 422
    zero = {"unit_kind": "storage", "substances": ["氯:0"], "exposed_population": 0}
    r = api.post("/api/v1/major-hazards/assess", json=zero)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"].startswith("substances.0")
    negative = {"unit_kind": "storage", "substances": ["氯:1"], "exposed_population": -1}
    assert api.post("/api/v1/major-hazards/assess", json=negative).status_code == 422


def test_assess_needs_a_login(client):
    body = {"unit_kind": "storage", "substances": ["氯:1"], "exposed_population": 0}
    assert client.post("/api/v1/major-hazards/assess", json=body).status_code == 401


# --- register --------------------------------------------------------------------------


def test_create_computes_s_r_grade_and_due_date(as_user, ids, ctx):
    r = as_user("bureau").post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["sum_ratio"], body["is_major_hazard"], body["alpha"]) == ("6", True, "2")
    assert (body["r_value"], body["grade"]) == ("48", 3)
    assert body["next_due_on"] == "2029-03-01"
    assert body["items"][0]["beta"] == "4"
    assert body["table_version"] == "GB 18218-2018"
    assert body["substances"] == [{"name": "氯", "cas": None, "category": None, "quantity_t": "30"}]
    with ctx.session_factory() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.entity == "risks_major_hazard"))
        (entry,) = audit.all()
        assert entry.action == "risks.major_hazard.create"


def test_computed_fields_cannot_be_typed_in(as_user, ids):
    api = as_user("bureau")
    body = hazard(
        ids["enterprise:A"], grade=1, r_value="999", sum_ratio="100", next_due_on="2099-01-01"
    )
    rec = api.post("/api/v1/major-hazards", json=body).json()
    assert (rec["grade"], rec["r_value"], rec["next_due_on"]) == (3, "48", "2029-03-01")
    r = api.patch(f"/api/v1/major-hazards/{rec['id']}", json={"grade": 1})
    assert r.status_code == 200
    assert r.json()["grade"] == 3


def test_update_recomputes(as_user, ids):
    api = as_user("bureau")
    rec = api.post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"])).json()
    r = api.patch(
        f"/api/v1/major-hazards/{rec['id']}",
        json={"substances": ["氯:125"], "exposed_population": 10, "assessed_on": "2024-02-29"},
    )
    assert r.status_code == 200, r.text
    body = r.json()  # R = 1.0 × 4 × 25 = 100 → 一级
    assert (body["sum_ratio"], body["alpha"], body["r_value"], body["grade"]) == (
        "25",
        "1",
        "100",
        1,
    )
    assert body["next_due_on"] == "2027-02-28"
    r = api.patch(f"/api/v1/major-hazards/{rec['id']}", json={"exposed_population": 0})
    assert (r.json()["r_value"], r.json()["grade"]) == ("50", 2)


def test_a_unit_below_one_is_refused(as_user, ids):
    r = as_user("bureau").post(
        "/api/v1/major-hazards", json=hazard(ids["enterprise:A"], substances=["氯:4.9"])
    )
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["field"] == "substances"
    assert "0.98" in error["reason"]


def test_unknown_substance_in_the_register_is_named(as_user, ids):
    body = hazard(ids["enterprise:A"], substances=["氯:30", {"name": "神秘液体", "quantity_t": 1}])
    r = as_user("bureau").post("/api/v1/major-hazards", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "substances.1.name"


def test_three_accountable_persons_are_required(as_user, ids):
    body = hazard(ids["enterprise:A"])
    del body["technical_name"]
    r = as_user("bureau").post("/api/v1/major-hazards", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "technical_name"
    rec = as_user("bureau").post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"])).json()
    r = as_user("bureau").patch(
        f"/api/v1/major-hazards/{rec['id']}", json={"operations_name": None}
    )
    assert r.status_code == 422


def test_enterprise_is_required_and_must_exist(as_user, ids):
    body = hazard(ids["enterprise:A"])
    del body["enterprise_id"]
    r = as_user("bureau").post("/api/v1/major-hazards", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "enterprise_id"
    r = as_user("bureau").post("/api/v1/major-hazards", json=hazard(999999))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "enterprise_id", "reason": "企业 999999 不存在"}]


def test_township_cannot_attach_another_townships_enterprise(as_user, ids):
    # The place is township A's, but enterprise B is not visible to township A.
    r = as_user("town_a").post("/api/v1/major-hazards", json=hazard(ids["enterprise:B"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "enterprise_id"
    ok = as_user("town_a").post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"]))
    assert ok.status_code == 201, ok.text


def test_enterprise_officer_sees_only_their_own_hazards(as_user, ids):
    bureau, ent = as_user("bureau"), as_user("ent_a")
    own = bureau.post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"])).json()
    other = bureau.post(
        "/api/v1/major-hazards", json=hazard(ids["enterprise:B"], POINT_B, name="乙罐区")
    ).json()
    listed = {i["id"] for i in ent.get("/api/v1/major-hazards").json()["items"]}
    assert listed == {own["id"]}
    assert ent.get(f"/api/v1/major-hazards/{own['id']}").status_code == 200
    assert ent.get(f"/api/v1/major-hazards/{other['id']}").status_code == 404
    # Read-only for enterprise officers: the government side registers major hazards.
    assert ent.patch(f"/api/v1/major-hazards/{own['id']}", json={"name": "x"}).status_code == 403
    assert ent.post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"])).status_code == 403


def test_township_gets_404_for_another_townships_hazard(as_user, ids):
    bureau = as_user("bureau")
    rec_b = bureau.post(
        "/api/v1/major-hazards", json=hazard(ids["enterprise:B"], POINT_B, name="乙罐区")
    ).json()
    town_a = as_user("town_a")
    assert town_a.get(f"/api/v1/major-hazards/{rec_b['id']}").status_code == 404
    assert town_a.patch(f"/api/v1/major-hazards/{rec_b['id']}", json={}).status_code == 404
    assert as_user("town_b").get(f"/api/v1/major-hazards/{rec_b['id']}").status_code == 200


def test_list_by_enterprise_grade_and_due_date(as_user, ids):
    api = as_user("bureau")
    a = api.post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"])).json()
    b = api.post(
        "/api/v1/major-hazards",
        json=hazard(
            ids["enterprise:B"], POINT_B, name="乙罐区", substances=["氯:125"],
            exposed_population=10, assessed_on="2023-05-01",
        ),
    ).json()  # fmt: skip

    def listed(**params: Any) -> set[int]:
        r = api.get("/api/v1/major-hazards", params=params)
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert listed(enterprise_id=ids["enterprise:A"]) == {a["id"]}
    assert listed(enterprise_id=ids["enterprise:B"]) == {b["id"]}
    assert listed(grade=1) == {b["id"]}
    assert listed(due_before="2026-12-31") == {b["id"]}
    assert listed(unit_kind="storage") == {a["id"], b["id"]}


def test_retire_keeps_the_record(as_user, ids):
    api = as_user("bureau")
    rec = api.post("/api/v1/major-hazards", json=hazard(ids["enterprise:A"])).json()
    r = api.post(f"/api/v1/major-hazards/{rec['id']}/retire", json={"reason": "装置拆除"})
    assert r.status_code == 200
    assert api.get(f"/api/v1/major-hazards/{rec['id']}").json()["retired_reason"] == "装置拆除"


def test_enterprise_profile_links_its_major_hazards_and_risk_points(client, ids):
    from support.web import signed_in

    signed_in(client, "bureau")
    enterprise_id = ids["enterprise:A"]
    html = client.get(f"/enterprises/{enterprise_id}").text
    assert f"/major-hazards?enterprise_id={enterprise_id}" in html
    assert f"/risk-points?enterprise_id={enterprise_id}" in html
    assert client.get(f"/major-hazards?enterprise_id={enterprise_id}").status_code == 200


def test_assess_lpg_without_a_category(as_user):
    r = as_user("duty").post(
        "/api/v1/major-hazards/assess",
        json={
            "unit_kind": "storage",
            "substances": [{"name": "液化石油气", "quantity_t": 100}],
            "exposed_population": 0,
        },
    )
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]
    assert (item["category"], item["beta"], item["threshold_quantity"]) == ("W2", "1.5", "50")
    assert r.json()["r_value"] == "1.5"
