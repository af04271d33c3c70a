"""A device is registered where its owner may act (issue 15: writes across jurisdictions),
and a PATCH cannot null a required field."""

from __future__ import annotations

from support.district import POINT_A, POINT_B, TOWN_A, TOWN_B

DEVICE = {"code": "ENT-GAS-1", "name": "储罐区可燃气体", "kind": "combustible_gas"}


def test_an_enterprise_device_cannot_be_placed_in_another_township(as_user):
    ent = as_user("ent_a")
    answer = ent.post("/api/v1/monitoring/devices", json={**DEVICE, "division_code": TOWN_B})
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["division_code"]
    far = {**DEVICE, "longitude": POINT_B[0], "latitude": POINT_B[1]}
    answer = ent.post("/api/v1/monitoring/devices", json=far)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["longitude"]
    assert as_user("town_b").get("/api/v1/monitoring/devices").json() == []


def test_an_enterprise_device_on_its_premises_is_registered(as_user):
    near = {**DEVICE, "longitude": POINT_A[0], "latitude": POINT_A[1]}
    answer = as_user("ent_a").post("/api/v1/monitoring/devices", json=near)
    assert answer.status_code == 201, answer.text
    assert answer.json()["division_code"].startswith(TOWN_A)


def test_a_device_cannot_be_moved_out_of_its_township(as_user):
    town = as_user("town_a")
    made = town.post(
        "/api/v1/monitoring/devices",
        json={**DEVICE, "code": "T-1", "division_code": TOWN_A},
    )
    assert made.status_code == 201, made.text
    moved = town.patch(
        f"/api/v1/monitoring/devices/{made.json()['id']}",
        json={"longitude": POINT_B[0], "latitude": POINT_B[1]},
    )
    assert moved.status_code == 422, moved.text
    assert town.get(f"/api/v1/monitoring/devices/{made.json()['id']}").json()["longitude"] is None


def test_patch_null_on_a_required_field_is_a_422(as_user):
    town = as_user("town_a")
    made = town.post(
        "/api/v1/monitoring/devices", json={**DEVICE, "code": "T-2", "division_code": TOWN_A}
    )
    device_id = made.json()["id"]
    for field in ("name", "metrics", "interval_seconds"):
        answer = town.patch(f"/api/v1/monitoring/devices/{device_id}", json={field: None})
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    cleared = town.patch(f"/api/v1/monitoring/devices/{device_id}", json={"site_name": None})
    assert cleared.status_code == 200, cleared.text
