"""Shelter registry through the API: create, read, update, retire, audit, validation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support.district import POINT_A, POINT_B, TOWN_A
from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage


def shelter(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "玉屏广场避难场所",
        "shelter_class": "emergency",
        "effective_area_m2": "5000",
        "capacity_persons": 2000,
        "facilities": ["应急供水", "应急照明"],
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def test_create_resolves_division_from_point_and_audits(as_user, ctx):
    api = as_user("bureau")
    r = api.post("/api/v1/shelters", json=shelter())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["division_code"] == "500153001001"  # the village holding the point
    assert body["division_name"] == "玉屏社区"
    assert body["area_per_person_m2"] == "2.50"
    assert r.headers["Location"] == f"/api/v1/shelters/{body['id']}"
    with ctx.session_factory() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.entity == "resources_shelter")).all()
        assert [(a.action, a.actor_name, a.entity_id) for a in audit] == [
            ("resources.shelter.create", "bureau", str(body["id"]))
        ]
        events = s.scalars(select(OutboxMessage)).all()
        assert [e.name for e in events] == ["registry.record_created"]
        assert events[0].dispatched_at is not None  # relayed in-process after commit


def test_capacity_beyond_area_is_422_naming_the_field(as_user):
    r = as_user("bureau").post("/api/v1/shelters", json=shelter(capacity_persons=20000))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert errors[0]["field"] == "capacity_persons"
    assert "10000" in errors[0]["reason"]


def test_schema_error_is_422_with_field(as_user):
    r = as_user("bureau").post("/api/v1/shelters", json=shelter(shelter_class="bunker"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "shelter_class"


def test_point_outside_district_needs_division(as_user):
    r = as_user("bureau").post("/api/v1/shelters", json=shelter(point=(100.0, 20.0)))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "longitude"


def test_update_moves_site_and_retire_hides_from_list(as_user, ctx):
    api = as_user("bureau")
    sid = api.post("/api/v1/shelters", json=shelter()).json()["id"]
    r = api.patch(f"/api/v1/shelters/{sid}", json={"longitude": POINT_B[0], "status": "closed"})
    assert r.status_code == 200, r.text
    assert r.json()["division_code"].startswith("500153002")
    assert r.json()["status"] == "closed"
    r = api.post(f"/api/v1/shelters/{sid}/retire", json={"reason": "场地改建"})
    assert r.status_code == 200
    assert r.json()["retired_at"]
    assert api.get("/api/v1/shelters").json()["total"] == 0
    assert api.get("/api/v1/shelters?include_retired=true").json()["total"] == 1
    assert api.patch(f"/api/v1/shelters/{sid}", json={"name": "x"}).status_code == 422
    with ctx.session_factory() as s:
        actions = [
            a.action
            for a in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "resources_shelter")
                .order_by(AuditEntry.id)
            )
        ]
    assert actions == [
        "resources.shelter.create",
        "resources.shelter.update",
        "resources.shelter.retire",
    ]


def test_list_filters_and_paging(as_user):
    api = as_user("bureau")
    for i in range(3):
        api.post("/api/v1/shelters", json=shelter(name=f"A{i}"))
    api.post(
        "/api/v1/shelters",
        json=shelter(point=POINT_B, name="B0", shelter_class="long_term", capacity_persons=1500),
    )
    page = api.get("/api/v1/shelters", params={"size": 2, "page": 2}).json()
    assert (page["total"], page["page"], page["size"], len(page["items"])) == (4, 2, 2, 2)
    assert api.get("/api/v1/shelters", params={"division_code": TOWN_A}).json()["total"] == 3
    assert api.get("/api/v1/shelters", params={"shelter_class": "long_term"}).json()["total"] == 1
    assert api.get("/api/v1/shelters", params={"q": "B"}).json()["total"] == 1


def test_unauthenticated_api_is_401_problem(client):
    r = client.get("/api/v1/shelters")
    assert r.status_code == 401
    assert r.json()["status"] == 401


def test_health_needs_no_login(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"
