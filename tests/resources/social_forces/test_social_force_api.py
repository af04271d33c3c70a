"""Social force registry through the API: CRUD, audit, unique registration, filters, scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support.district import POINT_A, POINT_B
from yingji.core.audit import AuditEntry

BASE = "/api/v1/social-forces"


def force(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "荣昌区棠城应急救援志愿服务队",
        "registration_no": "渝荣社登字第2017001号",
        "specialties": ["综合救援", "水域救援"],
        "members": 86,
        "contact_person": "叶玉兰",
        "phone": "13800000101",
        "equipment_summary": "冲锋舟 2 艘，无人机 1 架",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def test_create_read_update_retire_are_audited(as_user, ctx):
    api = as_user("bureau")
    r = api.post(BASE, json=force())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "active"
    assert body["division_code"].startswith("500153001")
    r = api.patch(f"{BASE}/{body['id']}", json={"status": "suspended", "members": 90})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["members"]) == ("suspended", 90)
    assert api.post(f"{BASE}/{body['id']}/retire", json={"reason": "注销"}).status_code == 200
    with ctx.session_factory() as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "resources_social_force")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "resources.social_force.create",
        "resources.social_force.update",
        "resources.social_force.retire",
    ]


def test_registration_number_is_required_and_unique(as_user):
    api = as_user("bureau")
    first = api.post(BASE, json=force()).json()["id"]
    for number in ("渝荣社登字第2017001号", " 渝荣社登字第 2017001号 "):
        r = api.post(BASE, json=force(name="另一支队伍", registration_no=number))
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "registration_no"
    for number in ("", "   "):
        r = api.post(BASE, json=force(registration_no=number))
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "registration_no"
    # Unique across townships and retired rows too, and a record keeps its own number.
    api.post(f"{BASE}/{first}/retire", json={"reason": "注销"})
    r = api.post(BASE, json=force(point=POINT_B, name="同号"))
    assert r.status_code == 422
    second = api.post(BASE, json=force(registration_no="渝荣社登字第2018002号")).json()["id"]
    assert (
        api.patch(f"{BASE}/{second}", json={"registration_no": "渝荣社登字第2018002号"}).status_code
        == 200
    )
    r = api.patch(f"{BASE}/{second}", json={"registration_no": "渝荣社登字第2017001号"})
    assert r.status_code == 422


def test_other_rules_name_the_field(as_user):
    api = as_user("bureau")
    cases = [
        (force(members=0), "members"),
        (force(phone="call me"), "phone"),
        (force(contact_person=""), "contact_person"),
        (force(status="banned"), "status"),
    ]
    for body, field in cases:
        r = api.post(BASE, json=body)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["field"] == field


def test_filters_specialty_and_status(as_user):
    api = as_user("bureau")
    api.post(BASE, json=force(name="水上队", registration_no="1", specialties=["水域救援 "]))
    api.post(
        BASE,
        json=force(
            name="山地队", registration_no="2", specialties=["山岳救援"], status="suspended"
        ),
    )

    def names(**params: Any) -> set[str]:
        return {i["name"] for i in api.get(BASE, params={"size": 200, **params}).json()["items"]}

    assert names(specialty="水域救援") == {"水上队"}
    assert names(specialty="山岳救援", status="suspended") == {"山地队"}
    assert names(status="active") == {"水上队"}
    assert names(q="2") == {"山地队"}  # the registration number is searchable


def test_township_scope(as_user):
    bureau, town_a = as_user("bureau"), as_user("town_a")
    a = bureau.post(BASE, json=force(name="甲", registration_no="A-1")).json()["id"]
    b = bureau.post(BASE, json=force(point=POINT_B, name="乙", registration_no="B-1")).json()["id"]
    assert town_a.get(f"{BASE}/{a}").status_code == 200
    assert town_a.get(f"{BASE}/{b}").status_code == 404
    assert {i["name"] for i in town_a.get(BASE).json()["items"]} == {"甲"}
    assert town_a.patch(f"{BASE}/{b}", json={"members": 1}).status_code == 404
    features = town_a.get(f"{BASE}.geojson").json()["features"]
    assert [f["properties"]["name"] for f in features] == ["甲"]
