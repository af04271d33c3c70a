"""A value the database cannot hold is bad input: 422 naming the field, never a 500.

Issue 15 (no server error on any input): a fuzz run found ids beyond 64 bits in paths, query
filters and bodies answering 500 on both engines. They now answer 422 with the field.
"""

from __future__ import annotations

import pytest

HUGE = 2**70


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/shelters/{HUGE}", "record_id"),
        (f"/api/v1/incidents/{HUGE}", "incident_id"),
        (f"/api/v1/hazards?enterprise_id={HUGE}", "enterprise_id"),
        (f"/api/v1/alarms/{HUGE}", "alarm_id"),
    ],
)
def test_an_id_beyond_64_bits_is_a_422_naming_it(as_user, url, field):
    answer = as_user("bureau").get(url)
    assert answer.status_code in {404, 422}, answer.text
    if answer.status_code == 422:
        assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_body_id_beyond_64_bits_writes_nothing(as_user):
    api = as_user("admin")
    body = {
        "username": "overflow_user",
        "display_name": "越界用户",
        "password": "Kx9-overflow-2026",
        "role": "bureau_staff",
        "department_id": HUGE,
    }
    answer = api.post("/api/v1/users", json=body)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["department_id"]
    names = [u["username"] for u in api.get("/api/v1/users").json()]
    assert "overflow_user" not in names


def test_a_page_with_an_id_beyond_64_bits_is_not_a_server_error(client):
    from support.web import signed_in

    signed_in(client, "bureau")
    answer = client.get(f"/incidents/{HUGE}")
    assert answer.status_code in {404, 422}
    assert "text/html" in answer.headers["content-type"]
