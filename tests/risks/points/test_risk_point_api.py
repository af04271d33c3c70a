"""Risk points through the API: calculators, CRUD, assessment history, scoping, 四色图."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from support.district import POINT_A, POINT_B
from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage

POINTS = "/api/v1/risk-points"


def risk_point(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "液氨储罐区",
        "kind": "installation",
        "description": "液氨储罐 2 个，单罐 20 立方米",
        "accident_types": ["中毒和窒息", "容器爆炸"],
        "responsible_person": "周建国",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def create(api: Any, **extra: Any) -> dict[str, Any]:
    r = api.post(POINTS, json=risk_point(**extra))
    assert r.status_code == 201, r.text
    return dict(r.json())


def assess(api: Any, point_id: int, **body: Any) -> Any:
    return api.post(f"{POINTS}/{point_id}/assessments", json=body)


# --- calculators -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"l": 3, "e": 6, "c": 15}, (270, "significant", "orange", "较大风险")),
        ({"l": 10, "e": 1, "c": 7}, (70, "general", "yellow", "一般风险")),
        ({"l": 0.5, "e": 6, "c": 40}, (120, "general", "yellow", "一般风险")),
        ({"l": 3, "e": 3, "c": 40}, (360, "major", "red", "重大风险")),
        ({"l": 0.1, "e": 0.5, "c": 1}, (0.05, "low", "blue", "低风险")),
    ],
)
def test_lec_calculator(as_user, body, expected):
    r = as_user("grid_a").post("/api/v1/risk-assessments/lec", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["score"], out["level"], out["color"], out["label"]) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"l": 4, "s": 4}, (16, "significant", "orange", "较大风险")),
        ({"l": 4, "s": 5}, (20, "major", "red", "重大风险")),
        ({"l": 3, "s": 3}, (9, "general", "yellow", "一般风险")),
        ({"l": 2, "s": 4}, (8, "low", "blue", "低风险")),
    ],
)
def test_ls_calculator(as_user, body, expected):
    r = as_user("ent_a").post("/api/v1/risk-assessments/ls", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["score"], out["level"], out["color"], out["label"]) == expected


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("lec", {"l": 3, "e": 4, "c": 15}, "e"),
        ("lec", {"l": 2, "e": 6, "c": 15}, "l"),
        ("lec", {"l": 3, "e": 6, "c": 50}, "c"),
        ("lec", {"l": 3, "e": 6}, "c"),
        ("ls", {"l": 6, "s": 3}, "l"),
        ("ls", {"l": 3, "s": 0}, "s"),
        ("ls", {"l": 2.5, "s": 3}, "l"),
    ],
)
def test_calculator_value_off_the_table_is_422_naming_the_field(as_user, url, body, field):
    r = as_user("bureau").post(f"/api/v1/risk-assessments/{url}", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_calculator_needs_a_signed_in_user(client):
    r = client.post("/api/v1/risk-assessments/ls", json={"l": 1, "s": 1})
    assert r.status_code == 401


# --- the registry and its assessments -----------------------------------------------------


def test_point_crud_through_the_kit(as_user):
    api = as_user("town_a")
    point = create(api)
    assert point["division_code"].startswith("500153001")
    assert point["level"] is None  # never assessed
    r = api.patch(f"{POINTS}/{point['id']}", json={"responsible_person": "李明"})
    assert r.status_code == 200, r.text
    assert r.json()["responsible_person"] == "李明"
    assert api.post(POINTS, json=risk_point(kind="warehouse")).status_code == 422
    r = api.post(f"{POINTS}/{point['id']}/retire", json={"reason": "设施拆除"})
    assert r.status_code == 200
    assert api.get(POINTS).json()["total"] == 0


def test_assessment_history_is_kept_and_current_level_is_the_latest(as_user, ctx):
    api = as_user("bureau")
    point = create(api)
    first = assess(api, point["id"], method="lec", l=3, e=6, c=15, remarks="首次辨识")
    assert first.status_code == 201, first.text
    assert (first.json()["score"], first.json()["level"]) == (270, "significant")
    assert first.json()["inputs"] == {"l": 3, "e": 6, "c": 15}
    assert first.json()["assessor"] == "bureau"
    second = assess(api, point["id"], method="ls", l=2, s=3, assessor="安全科")
    assert second.status_code == 201, second.text
    # A back-dated assessment is history, not the current grading.
    old = assess(api, point["id"], method="ls", l=5, s=5, assessed_at="2020-01-01T09:00:00")
    assert old.status_code == 201, old.text

    detail = api.get(f"{POINTS}/{point['id']}").json()
    assert (detail["level"], detail["color"], detail["level_label"]) == ("low", "blue", "低风险")
    assert (detail["score"], detail["method"]) == (6, "ls")
    history = api.get(f"{POINTS}/{point['id']}/assessments").json()
    assert [a["id"] for a in history] == [
        second.json()["id"],
        first.json()["id"],
        old.json()["id"],
    ]
    assert history[2]["assessed_at"].startswith("2020-01-01T01:00:00")  # 09:00 Beijing time
    listed = api.get(POINTS).json()["items"]
    assert [(i["id"], i["level"]) for i in listed] == [(point["id"], "low")]

    with ctx.session_factory() as s:
        changes = s.scalars(
            select(OutboxMessage).where(OutboxMessage.name == "risks.risk_level_changed")
        ).all()
        assert [(e.payload["previous_level"], e.payload["level"]) for e in changes] == [
            (None, "significant"),
            ("significant", "low"),
        ]
        audit = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "risks_risk_assessment")
        ).all()
        assert audit == ["risks.risk_assessment.create"] * 3


def test_same_level_again_announces_nothing(as_user, ctx):
    api = as_user("bureau")
    point = create(api)
    assess(api, point["id"], method="ls", l=3, s=3)
    assess(api, point["id"], method="lec", l=10, e=1, c=7)  # 70: still 一般
    with ctx.session_factory() as s:
        names = s.scalars(select(OutboxMessage.name)).all()
    assert names.count("risks.risk_level_changed") == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "lec", "l": 3, "e": 5, "c": 15}, "e"),
        ({"method": "lec", "l": 3, "e": 6}, "c"),
        ({"method": "ls", "l": 3}, "s"),
        ({"method": "ls", "l": 3, "s": 2.5}, "s"),
        ({"method": "ls", "l": 7, "s": 2}, "l"),
        ({"method": "ls", "l": 1, "s": 2, "assessed_at": "2999-01-01T00:00:00Z"}, "assessed_at"),
    ],
)
def test_bad_assessment_is_422_naming_the_field(as_user, body, field):
    api = as_user("bureau")
    point = create(api)
    r = api.post(f"{POINTS}/{point['id']}/assessments", json=body)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert api.get(f"{POINTS}/{point['id']}/assessments").json() == []


def test_control_measures_with_tiers(as_user, ctx):
    api = as_user("town_a")
    point = create(api)
    url = f"{POINTS}/{point['id']}/control-measures"
    r = api.post(url, json={"measure": "设置泄漏报警仪", "tier": "company"})
    assert r.status_code == 201, r.text
    api.post(url, json={"measure": "每班巡检", "tier": "post", "responsible_person": "操作工"})
    assert api.post(url, json={"measure": "x", "tier": "district"}).status_code == 422
    measures = api.get(url).json()
    assert [(m["tier"], m["tier_label"]) for m in measures] == [
        ("company", "公司"),
        ("post", "岗位"),
    ]
    with ctx.session_factory() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "risks_control_measure")
        ).all()
    assert actions == ["risks.control_measure.create"] * 2


def test_other_township_gets_404_for_assessments_and_measures(as_user):
    point = create(as_user("bureau"), point=POINT_B)
    town_a = as_user("town_a")
    pid = point["id"]
    assert assess(town_a, pid, method="ls", l=1, s=1).status_code == 404
    assert town_a.get(f"{POINTS}/{pid}/assessments").status_code == 404
    assert town_a.get(f"{POINTS}/{pid}/control-measures").status_code == 404
    r = town_a.post(f"{POINTS}/{pid}/control-measures", json={"measure": "x", "tier": "team"})
    assert r.status_code == 404
    assert as_user("town_b").get(f"{POINTS}/{pid}/assessments").status_code == 200


def test_reading_roles_cannot_assess(as_user):
    point = create(as_user("bureau"))
    assert assess(as_user("duty"), point["id"], method="ls", l=1, s=1).status_code == 403
    assert as_user("duty").get(f"{POINTS}/{point['id']}/assessments").status_code == 200


def test_enterprise_officer_sees_and_assesses_only_their_enterprise(as_user, ids):
    bureau, officer = as_user("bureau"), as_user("ent_a")
    own = create(bureau, enterprise_id=ids["enterprise:A"], name="本企业储罐区")
    other = create(bureau, enterprise_id=ids["enterprise:B"], name="他企业储罐区")
    public = create(bureau, name="广场")
    listed = {i["id"] for i in officer.get(POINTS).json()["items"]}
    assert listed == {own["id"]}
    for hidden in (other, public):
        assert officer.get(f"{POINTS}/{hidden['id']}").status_code == 404
        assert assess(officer, hidden["id"], method="ls", l=1, s=1).status_code == 404
    geo = officer.get(f"{POINTS}.geojson").json()
    assert [f["properties"]["id"] for f in geo["features"]] == [own["id"]]

    r = assess(officer, own["id"], method="ls", l=4, s=4)
    assert r.status_code == 201, r.text
    r = officer.patch(f"{POINTS}/{own['id']}", json={"responsible_person": "企业安全员"})
    assert r.status_code == 200, r.text
    r = officer.patch(f"{POINTS}/{own['id']}", json={"enterprise_id": ids["enterprise:B"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "enterprise_id"
    # Registering and retiring stay with government writers.
    assert (
        officer.post(POINTS, json=risk_point(enterprise_id=ids["enterprise:A"])).status_code == 403
    )
    assert officer.post(f"{POINTS}/{own['id']}/retire", json={"reason": "x"}).status_code == 403


def test_enterprise_must_be_visible_to_the_writer(as_user, ids):
    town_a = as_user("town_a")
    r = town_a.post(POINTS, json=risk_point(enterprise_id=ids["enterprise:B"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "enterprise_id"
    r = town_a.post(POINTS, json=risk_point(enterprise_id=999_999))
    assert r.json()["errors"][0]["field"] == "enterprise_id"
    assert (
        town_a.post(POINTS, json=risk_point(enterprise_id=ids["enterprise:A"])).status_code == 201
    )


# --- 四色图 ---------------------------------------------------------------------------------


def test_four_colour_map_layer(as_user):
    api = as_user("bureau")
    red = create(api, name="红点")
    blue = create(api, name="蓝点", point=POINT_B)
    grey = create(api, name="未评价")
    assess(api, red["id"], method="ls", l=5, s=5)
    assess(api, blue["id"], method="lec", l=1, e=1, c=1)

    geo = api.get(f"{POINTS}.geojson").json()
    props = {f["properties"]["id"]: f["properties"] for f in geo["features"]}
    assert props[red["id"]]["color"] == "red"
    assert props[red["id"]]["level"] == "重大风险"
    assert props[blue["id"]]["color"] == "blue"
    assert props[grey["id"]]["color"] is None
    only_red = api.get(f"{POINTS}.geojson", params={"level": "major"}).json()
    assert [f["properties"]["id"] for f in only_red["features"]] == [red["id"]]
    listed = api.get(POINTS, params={"level": "low"}).json()["items"]
    assert [i["id"] for i in listed] == [blue["id"]]
    assert api.get(POINTS, params={"level": "purple"}).status_code == 422
    town_a = as_user("town_a").get(f"{POINTS}.geojson").json()
    assert blue["id"] not in {f["properties"]["id"] for f in town_a["features"]}


def test_level_filter_follows_the_latest_assessment(as_user):
    api = as_user("bureau")
    point = create(api)
    assess(api, point["id"], method="ls", l=5, s=5)
    assess(api, point["id"], method="ls", l=1, s=1)
    assert api.get(POINTS, params={"level": "major"}).json()["total"] == 0
    assert api.get(POINTS, params={"level": "low"}).json()["total"] == 1
