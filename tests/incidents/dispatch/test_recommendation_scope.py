"""Recommendations are scoped (issue 15): the command post sees the district's resources, a
township officer their own township's and the district's, an enterprise officer none."""

from __future__ import annotations

from support.district import POINT_A, POINT_B
from support.samples import SAMPLES

URL = "/api/v1/dispatch/recommendations"


def _team(as_user, point, tag) -> int:
    answer = as_user("bureau").post(
        "/api/v1/rescue-teams", json=SAMPLES["rescue-teams"](point, tag)
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_a_township_officer_is_not_shown_another_townships_teams(as_user):
    own = _team(as_user, POINT_A, "甲")
    other = _team(as_user, POINT_B, "乙")
    body = {"longitude": POINT_A[0], "latitude": POINT_A[1], "radius_km": 80, "limit": 50}
    command = {t["id"] for t in as_user("duty").post(URL, json=body).json()["teams"]}
    town = {t["id"] for t in as_user("town_a").post(URL, json=body).json()["teams"]}
    assert {own, other} <= command
    assert own in town
    assert other not in town


def test_an_enterprise_officer_gets_no_recommendation(as_user):
    body = {"longitude": POINT_A[0], "latitude": POINT_A[1]}
    assert as_user("ent_a").post(URL, json=body).status_code == 403
    assert as_user("grid_a").post(URL, json=body).status_code == 403
