"""Rescue team registry through the API: CRUD, audit, validation, transitions, filters, scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support.district import POINT_A, POINT_B, TOWN_A
from yingji.core.audit import AuditEntry

BASE = "/api/v1/rescue-teams"


def team(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "昌元街道综合应急救援队",
        "kind": "comprehensive",
        "staffing": "full_time",
        "specialties": ["综合救援", "水域救援"],
        "headcount": 24,
        "leader": "张队长",
        "on_duty_phone": "023-00000105",
        "owner_department": "昌元街道办事处",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def audit_actions(ctx: Any, record_id: int) -> list[tuple[str, str]]:
    with ctx.session_factory() as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "resources_rescue_team",
                AuditEntry.entity_id == str(record_id),
            )
            .order_by(AuditEntry.id)
        ).all()
        return [(a.action, a.actor_name) for a in rows]


def test_create_read_update_retire_are_audited(as_user, ctx):
    api = as_user("bureau")
    r = api.post(BASE, json=team())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["division_code"] == "500153001001"
    assert (body["kind"], body["staffing"], body["status"]) == (
        "comprehensive",
        "full_time",
        "standby",
    )
    assert body["enterprise_id"] is None
    assert r.headers["Location"] == f"{BASE}/{body['id']}"
    assert api.get(f"{BASE}/{body['id']}").json()["name"] == "昌元街道综合应急救援队"

    r = api.patch(f"{BASE}/{body['id']}", json={"headcount": 30, "status": "deployed"})
    assert r.status_code == 200, r.text
    assert (r.json()["headcount"], r.json()["status"]) == (30, "deployed")

    r = api.post(f"{BASE}/{body['id']}/retire", json={"reason": "队伍撤并"})
    assert r.status_code == 200
    assert r.json()["retired_reason"] == "队伍撤并"
    assert api.get(BASE).json()["total"] == 0
    assert api.get(BASE, params={"include_retired": True}).json()["total"] == 1
    assert audit_actions(ctx, body["id"]) == [
        ("resources.rescue_team.create", "bureau"),
        ("resources.rescue_team.update", "bureau"),
        ("resources.rescue_team.retire", "bureau"),
    ]


def test_specialties_are_trimmed_and_deduplicated_free_values_kept(as_user):
    api = as_user("bureau")
    r = api.post(BASE, json=team(specialties=[" 水域救援", "水域救援 ", "", "无人机侦察", "  "]))
    assert r.status_code == 201, r.text
    assert r.json()["specialties"] == ["水域救援", "无人机侦察"]
    r = api.patch(f"{BASE}/{r.json()['id']}", json={"specialties": ["综合救援", " 综合救援"]})
    assert r.json()["specialties"] == ["综合救援"]


def test_validation_errors_name_the_field(as_user):
    api = as_user("bureau")
    cases = [
        (team(headcount=0), "headcount"),
        (team(kind="police"), "kind"),
        (team(staffing="sometimes"), "staffing"),
        (team(status="lost"), "status"),
        (team(on_duty_phone="none"), "on_duty_phone"),
        (team(specialties=["x" * 51]), "specialties"),
        (team(enterprise_id=0), "enterprise_id"),
    ]
    for body, field in cases:
        r = api.post(BASE, json=body)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["field"] == field
    missing = team()
    del missing["on_duty_phone"]
    r = api.post(BASE, json=missing)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "on_duty_phone"


def test_clearing_a_required_field_is_422(as_user):
    api = as_user("bureau")
    tid = api.post(BASE, json=team()).json()["id"]
    r = api.patch(f"{BASE}/{tid}", json={"on_duty_phone": None})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "on_duty_phone"


def test_illegal_status_change_is_409_and_changes_nothing(as_user, ctx):
    api = as_user("bureau")
    tid = api.post(BASE, json=team(status="unavailable")).json()["id"]
    r = api.patch(f"{BASE}/{tid}", json={"status": "deployed", "headcount": 5})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "illegal_status_change"
    assert "待命" in r.json()["detail"]
    after = api.get(f"{BASE}/{tid}").json()
    assert (after["status"], after["headcount"]) == ("unavailable", 24)
    assert audit_actions(ctx, tid) == [("resources.rescue_team.create", "bureau")]
    # The allowed way round: unavailable → standby → deployed → standby.
    for status in ("standby", "deployed", "standby"):
        r = api.patch(f"{BASE}/{tid}", json={"status": status})
        assert r.status_code == 200, r.text
    # A PATCH that keeps the status (or leaves it out) is not a transition.
    assert api.patch(f"{BASE}/{tid}", json={"status": "standby"}).status_code == 200
    assert api.patch(f"{BASE}/{tid}", json={"leader": "李队长"}).status_code == 200


def test_filters_specialty_kind_status_staffing(as_user):
    api = as_user("bureau")
    api.post(BASE, json=team(name="水域队", specialties=["水域救援"]))
    api.post(
        BASE,
        json=team(
            name="消防站", kind="fire", specialties=["危化品救援", "水域救援"], status="deployed"
        ),
    )
    api.post(
        BASE,
        json=team(
            point=POINT_B,
            name="志愿队",
            kind="social",
            staffing="volunteer",
            specialties=["山岳救援"],
        ),
    )

    def names(**params: Any) -> set[str]:
        items = api.get(BASE, params={"size": 200, **params}).json()["items"]
        return {i["name"] for i in items}

    assert names(specialty="水域救援") == {"水域队", "消防站"}
    assert names(specialty=" 危化品救援 ") == {"消防站"}
    assert names(specialty="水域") == set()  # a whole label, not a substring
    assert names(specialty="%") == set()
    assert names(specialty="地震救援") == set()
    assert names(kind="fire") == {"消防站"}
    assert names(status="deployed") == {"消防站"}
    assert names(staffing="volunteer") == {"志愿队"}
    assert names(specialty="水域救援", kind="comprehensive") == {"水域队"}
    assert names(division_code=TOWN_A) == {"水域队", "消防站"}
    assert api.get(BASE, params={"specialty": "水域救援"}).json()["total"] == 2
    r = api.get(f"{BASE}.geojson", params={"specialty": "山岳救援"})
    assert [f["properties"]["name"] for f in r.json()["features"]] == ["志愿队"]
    assert api.get(BASE, params={"kind": "police"}).status_code == 422


def test_township_officer_sees_and_changes_only_own_township(as_user):
    bureau, town_a = as_user("bureau"), as_user("town_a")
    mine = bureau.post(BASE, json=team(name="甲队")).json()["id"]
    other = bureau.post(BASE, json=team(point=POINT_B, name="乙队")).json()["id"]
    assert town_a.get(f"{BASE}/{mine}").status_code == 200
    assert town_a.get(f"{BASE}/{other}").status_code == 404
    assert {i["name"] for i in town_a.get(BASE).json()["items"]} == {"甲队"}
    assert town_a.patch(f"{BASE}/{other}", json={"status": "deployed"}).status_code == 404
    assert town_a.post(f"{BASE}/{other}/retire", json={"reason": "x"}).status_code == 404
    # ... and cannot create one outside its township either.
    r = town_a.post(BASE, json=team(point=POINT_B))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "division_code"


def test_enterprise_officer_sees_only_own_enterprise_teams(as_user, ids):
    bureau, officer = as_user("bureau"), as_user("ent_a")
    own = bureau.post(BASE, json=team(name="企业A专职队", enterprise_id=ids["enterprise:A"]))
    other = bureau.post(BASE, json=team(name="企业B专职队", enterprise_id=ids["enterprise:B"]))
    public = bureau.post(BASE, json=team(name="街道队"))
    assert own.status_code == other.status_code == public.status_code == 201
    listed = officer.get(BASE).json()
    assert [i["name"] for i in listed["items"]] == ["企业A专职队"]
    assert officer.get(f"{BASE}/{own.json()['id']}").status_code == 200
    assert officer.get(f"{BASE}/{other.json()['id']}").status_code == 404
    assert officer.get(f"{BASE}/{public.json()['id']}").status_code == 404
    features = officer.get(f"{BASE}.geojson").json()["features"]
    assert [f["properties"]["name"] for f in features] == ["企业A专职队"]
    # Reading is all they do here: the bureau keeps the register.
    r = officer.patch(f"{BASE}/{own.json()['id']}", json={"headcount": 3})
    assert r.status_code == 403
    # Township staff still see an enterprise team in their township.
    assert as_user("town_a").get(f"{BASE}/{own.json()['id']}").status_code == 200
