"""Writes across jurisdictions at intake (issue 15): an enterprise reports on its own
premises, a grid member's event stays in the member's grid, and the handlers' external
references cannot be claimed by a client."""

from __future__ import annotations

from support.district import POINT_A, POINT_B, TOWN_A

BASE = {
    "category": "accident",
    "type": "fire",
    "title": "仓库起火",
    "occurred_at": "2026-01-05T08:00:00+08:00",
}


def _incidents(as_user) -> list[dict]:
    return as_user("admin").get("/api/v1/incidents?size=200").json()


def test_an_enterprise_cannot_open_an_incident_in_another_township(as_user):
    before = len(_incidents(as_user))
    answer = as_user("ent_a").post(
        "/api/v1/incidents", json={**BASE, "longitude": POINT_B[0], "latitude": POINT_B[1]}
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["longitude"]
    assert len(_incidents(as_user)) == before


def test_an_enterprise_opens_an_incident_on_its_own_premises(as_user):
    answer = as_user("ent_a").post("/api/v1/incidents", json=BASE)
    assert answer.status_code == 201, answer.text
    assert answer.json()["division_code"].startswith(TOWN_A)


def test_a_client_cannot_claim_a_handler_reference(as_user):
    for ref in ("grid:1", "alarm:7", "GRID:3"):
        answer = as_user("bureau").post(
            "/api/v1/incidents",
            json={**BASE, "longitude": POINT_A[0], "latitude": POINT_A[1], "external_ref": ref},
        )
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == ["external_ref"]
    ok = as_user("bureau").post(
        "/api/v1/incidents",
        json={**BASE, "longitude": POINT_A[0], "latitude": POINT_A[1], "external_ref": "110:88"},
    )
    assert ok.status_code == 201, ok.text


def test_a_grid_event_beyond_the_members_grid_stays_in_the_grid(as_user):
    answer = as_user("grid_a").post(
        "/api/v1/grid-reports",
        json={
            "report_type": "event",
            "category": "flood",
            "title": "越界积水",
            "longitude": POINT_B[0],
            "latitude": POINT_B[1],
        },
    )
    assert answer.status_code == 201, answer.text
    opened = [i for i in _incidents(as_user) if i["title"] == "越界积水"]
    assert len(opened) == 1
    assert opened[0]["division_code"] == answer.json()["division_code"]
    assert opened[0]["division_code"].startswith(TOWN_A)
    assert as_user("town_b").get(f"/api/v1/incidents/{opened[0]['id']}").status_code == 404
