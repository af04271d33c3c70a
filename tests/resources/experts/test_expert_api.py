"""Expert registry through the API: CRUD, audit, validation, filters, district-wide reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support.district import DISTRICT, TOWN_A, TOWN_B
from yingji.core.audit import AuditEntry

BASE = "/api/v1/experts"


def expert(**extra: Any) -> dict[str, Any]:
    body = {
        "name": "罗小林",
        "gender": "male",
        "expertise": ["危险化学品", "消防"],
        "title": "高级工程师",
        "employer": "重庆渝安安全技术咨询有限公司",
        "phone": "13800000207",
        "email": "luo@example.com",
        "division_code": DISTRICT,
    }
    body.update(extra)
    return body


def test_create_read_update_retire_are_audited(as_user, ctx):
    api = as_user("bureau")
    r = api.post(BASE, json=expert())
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["division_code"], body["division_name"]) == (DISTRICT, "荣昌区")
    assert body["available"] is True
    assert "longitude" not in body  # experts have no point
    assert api.get(f"{BASE}/{body['id']}").json()["expertise"] == ["危险化学品", "消防"]

    r = api.patch(f"{BASE}/{body['id']}", json={"available": False, "division_code": TOWN_A})
    assert r.status_code == 200, r.text
    assert (r.json()["available"], r.json()["division_code"]) == (False, TOWN_A)
    assert api.get(f"{BASE}/{body['id']}").json()["division_code"] == TOWN_A

    r = api.post(f"{BASE}/{body['id']}/retire", json={"reason": "退休"})
    assert r.status_code == 200
    assert api.get(BASE).json()["total"] == 0
    with ctx.session_factory() as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "resources_expert")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "resources.expert.create",
        "resources.expert.update",
        "resources.expert.retire",
    ]


def test_validation_errors_name_the_field(as_user):
    api = as_user("bureau")
    cases = [
        (expert(expertise=[]), "expertise"),
        (expert(expertise=["  "]), "expertise"),
        (expert(phone="abc"), "phone"),
        (expert(email="not-an-email"), "email"),
        (expert(gender="x"), "gender"),
        (expert(division_code="12"), "division_code"),
        (expert(division_code="500153999"), "division_code"),  # well-formed, not a division
        (expert(name=""), "name"),
    ]
    for body, field in cases:
        r = api.post(BASE, json=body)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["field"] == field
    body = expert()
    del body["division_code"]
    assert api.post(BASE, json=body).json()["errors"][0]["field"] == "division_code"
    eid = api.post(BASE, json=expert()).json()["id"]
    r = api.patch(f"{BASE}/{eid}", json={"division_code": "500153999"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "division_code"


def test_expertise_is_cleaned(as_user):
    r = as_user("bureau").post(BASE, json=expert(expertise=[" 气象", "气象", "无人机测绘 "]))
    assert r.json()["expertise"] == ["气象", "无人机测绘"]


def test_filters_field_available_and_search(as_user):
    api = as_user("bureau")
    api.post(BASE, json=expert(name="甲", expertise=["危险化学品"]))
    api.post(BASE, json=expert(name="乙", expertise=["地质灾害", "防汛抗旱"], available=False))
    api.post(BASE, json=expert(name="丙", expertise=["危险化学品", "工贸"], employer="区安监站"))

    def names(**params: Any) -> set[str]:
        return {i["name"] for i in api.get(BASE, params={"size": 200, **params}).json()["items"]}

    assert names(field="危险化学品") == {"甲", "丙"}
    assert names(field="防汛抗旱") == {"乙"}
    assert names(field="化学") == set()
    assert names(available=False) == {"乙"}
    assert names(available=True, field="工贸") == {"丙"}
    assert names(q="安监") == {"丙"}


def test_every_staff_role_reads_the_whole_district(as_user):
    bureau = as_user("bureau")
    at_district = bureau.post(BASE, json=expert(name="区级专家")).json()["id"]
    in_b = bureau.post(BASE, json=expert(name="昌州专家", division_code=TOWN_B)).json()["id"]
    for username in ("town_a", "grid_a", "dept", "duty", "inspector"):
        api = as_user(username)
        assert api.get(f"{BASE}/{at_district}").status_code == 200, username
        assert api.get(f"{BASE}/{in_b}").status_code == 200, username
        assert api.get(BASE).json()["total"] == 2, username
    # ?division_code= still narrows the list to a division.
    assert as_user("town_a").get(BASE, params={"division_code": TOWN_B}).json()["total"] == 1


def test_only_the_bureau_maintains_experts(as_user):
    eid = as_user("bureau").post(BASE, json=expert()).json()["id"]
    town_a = as_user("town_a")
    assert town_a.post(BASE, json=expert(division_code=TOWN_A)).status_code == 403
    assert town_a.patch(f"{BASE}/{eid}", json={"available": False}).status_code == 403
    assert town_a.post(f"{BASE}/{eid}/retire", json={"reason": "x"}).status_code == 403
    assert as_user("admin").patch(f"{BASE}/{eid}", json={"available": False}).status_code == 200


def test_enterprise_officers_do_not_read_experts(as_user):
    assert as_user("ent_a").get(BASE).status_code == 403
