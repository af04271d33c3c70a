"""Equipment registry through the API: CRUD, audit, owner team rules, filters, scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support.district import POINT_A, POINT_B
from yingji.core.audit import AuditEntry

BASE = "/api/v1/equipment"
TEAMS = "/api/v1/rescue-teams"


def equipment(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "大流量抽水泵",
        "kind": "抽水泵",
        "specification": "500m³/h",
        "quantity": 2,
        "unit": "台",
        "owner_department": "区应急管理局",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def make_team(api: Any, point: tuple[float, float] = POINT_A, name: str = "昌元救援队") -> int:
    r = api.post(
        TEAMS,
        json={
            "name": name,
            "kind": "comprehensive",
            "staffing": "full_time",
            "headcount": 20,
            "on_duty_phone": "023-00000105",
            "longitude": point[0],
            "latitude": point[1],
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_create_with_owner_team_shows_its_name_and_is_audited(as_user, ctx):
    api = as_user("bureau")
    tid = make_team(api)
    r = api.post(BASE, json=equipment(owner_team_id=tid, owner_department=None))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["owner_team_id"], body["owner_team_name"]) == (tid, "昌元救援队")
    assert body["status"] == "standby"
    assert api.get(f"{BASE}/{body['id']}").json()["owner_team_name"] == "昌元救援队"
    listed = api.get(BASE).json()["items"]
    assert [i["owner_team_name"] for i in listed] == ["昌元救援队"]

    r = api.patch(f"{BASE}/{body['id']}", json={"status": "maintenance", "quantity": 1})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["quantity"]) == ("maintenance", 1)
    r = api.post(f"{BASE}/{body['id']}/retire", json={"reason": "报废"})
    assert r.status_code == 200
    with ctx.session_factory() as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "resources_equipment")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "resources.equipment.create",
        "resources.equipment.update",
        "resources.equipment.retire",
    ]


def test_department_owned_equipment_has_no_team_name(as_user):
    r = as_user("bureau").post(BASE, json=equipment())
    assert r.status_code == 201, r.text
    assert (r.json()["owner_team_id"], r.json()["owner_team_name"]) == (None, None)
    assert r.json()["owner_department"] == "区应急管理局"


def test_owner_team_must_exist(as_user):
    r = as_user("bureau").post(BASE, json=equipment(owner_team_id=999999))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "owner_team_id", "reason": "救援队伍 999999 不存在"}]


def test_owner_team_must_be_visible_to_the_actor(as_user):
    bureau, town_a = as_user("bureau"), as_user("town_a")
    other_township_team = make_team(bureau, POINT_B, "昌州救援队")
    r = town_a.post(BASE, json=equipment(owner_team_id=other_township_team))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "owner_team_id"
    own_team = make_team(bureau, POINT_A)
    r = town_a.post(BASE, json=equipment(owner_team_id=own_team))
    assert r.status_code == 201, r.text
    # The bureau may attach equipment in township A to the district's team based in B.
    r = bureau.patch(f"{BASE}/{r.json()['id']}", json={"owner_team_id": other_township_team})
    assert r.status_code == 200
    assert r.json()["owner_team_name"] == "昌州救援队"


def test_retired_team_cannot_take_new_equipment(as_user):
    api = as_user("bureau")
    tid = make_team(api)
    kept = api.post(BASE, json=equipment(owner_team_id=tid)).json()["id"]
    api.post(f"{TEAMS}/{tid}/retire", json={"reason": "撤并"})
    r = api.post(BASE, json=equipment(owner_team_id=tid))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "owner_team_id"
    assert "已停用" in r.json()["errors"][0]["reason"]
    # Equipment already held by the retired team can still be edited (e.g. reassigned later).
    assert api.patch(f"{BASE}/{kept}", json={"quantity": 3}).status_code == 200


def test_owner_is_required_and_other_rules_name_the_field(as_user):
    api = as_user("bureau")
    cases = [
        (equipment(owner_department=None), "owner_team_id"),
        (equipment(owner_department="  "), "owner_team_id"),
        (equipment(quantity=0), "quantity"),
        (equipment(kind=""), "kind"),
        (equipment(status="broken"), "status"),
        (equipment(owner_team_id="abc"), "owner_team_id"),
    ]
    for body, field in cases:
        r = api.post(BASE, json=body)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["field"] == field
    eid = api.post(BASE, json=equipment()).json()["id"]
    r = api.patch(f"{BASE}/{eid}", json={"owner_department": None})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "owner_team_id"
    r = api.patch(f"{BASE}/{eid}", json={"quantity": None})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "quantity"


def test_filters(as_user):
    api = as_user("bureau")
    tid = make_team(api)
    api.post(BASE, json=equipment(name="泵1", owner_team_id=tid))
    api.post(BASE, json=equipment(name="舟1", kind="冲锋舟", status="deployed"))
    api.post(BASE, json=equipment(point=POINT_B, name="车1", kind="消防车"))

    def names(**params: Any) -> set[str]:
        return {i["name"] for i in api.get(BASE, params={"size": 200, **params}).json()["items"]}

    assert names(kind="冲锋舟") == {"舟1"}
    assert names(status="deployed") == {"舟1"}
    assert names(owner_team_id=tid) == {"泵1"}
    assert names(division_code="500153002") == {"车1"}


def test_township_scope_and_enterprise_scope(as_user, ids):
    bureau = as_user("bureau")
    a = bureau.post(BASE, json=equipment(name="甲")).json()["id"]
    b = bureau.post(BASE, json=equipment(point=POINT_B, name="乙")).json()["id"]
    ent = bureau.post(BASE, json=equipment(name="企业泵", enterprise_id=ids["enterprise:A"]))
    town_a = as_user("town_a")
    assert town_a.get(f"{BASE}/{b}").status_code == 404
    assert {i["name"] for i in town_a.get(BASE).json()["items"]} == {"甲", "企业泵"}
    assert town_a.patch(f"{BASE}/{b}", json={"quantity": 9}).status_code == 404
    officer = as_user("ent_a")
    assert [i["name"] for i in officer.get(BASE).json()["items"]] == ["企业泵"]
    assert officer.get(f"{BASE}/{a}").status_code == 404
    assert officer.get(f"{BASE}/{ent.json()['id']}").status_code == 200
