"""Evacuation pages: the form lists only villages in scope; a posted plan is shown with its map."""

from __future__ import annotations

from support.district import POINT_A, VILLAGE_A1, VILLAGE_B1
from support.samples import shelter
from support.web import signed_in


def test_plan_through_the_form(client, as_user):
    assert (
        as_user("bureau").post("/api/v1/shelters", json=shelter(POINT_A, "甲")).status_code == 201
    )
    token = signed_in(client, "town_a")
    form = client.get("/evacuation")
    assert form.status_code == 200
    assert VILLAGE_A1 in form.text
    assert VILLAGE_B1 not in form.text  # another township's villages are not offered
    answer = client.post(
        "/evacuation",
        data={
            "csrf_token": token,
            "title": "演练方案",
            "village": [VILLAGE_A1],
            f"pop_{VILLAGE_A1}": "300",
            "detour_factor": "1.3",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert "演练方案" in page.text
    assert 'id="placed">300<' in page.text
    assert "evacuation-map" in page.text


def test_bad_form_shows_the_reasons(client):
    token = signed_in(client, "town_a")
    answer = client.post("/evacuation", data={"csrf_token": token, "village": [VILLAGE_B1]})
    assert answer.status_code == 422
    assert "village_codes.0" in answer.text


def test_grid_member_has_no_planning_page(client):
    signed_in(client, "grid_a")
    assert client.get("/evacuation").status_code == 403
