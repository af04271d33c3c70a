"""Disaster-report pages: open a process, report from the phone form, see the standing."""

from __future__ import annotations

from support.district import TOWN_A, TOWN_B
from support.web import signed_in


def test_open_report_and_see_standing(client):
    token = signed_in(client, "duty")
    opened = client.post(
        "/disaster-reports",
        data={
            "csrf_token": token,
            "name": "演练暴雨",
            "hazard_type": "flood",
            "started_at": "2026-06-01T08:00",
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text
    url = opened.headers["location"]
    client.post("/logout", data={"csrf_token": token})
    token = signed_in(client, "town_a")
    form = client.get(f"{url}/report")
    assert form.status_code == 200
    assert 'inputmode="numeric"' in form.text
    assert "mobile-form" in form.text
    assert TOWN_B not in form.text  # only the officer's own township is offered
    bad = client.post(
        f"{url}/report",
        data={
            "csrf_token": token,
            "division_code": TOWN_A,
            "kind": "initial",
            "affected_population": "10",
            "deaths": "20",
        },
    )
    assert bad.status_code == 422
    assert "因灾死亡人口不能超过受灾人口" in bad.text
    good = client.post(
        f"{url}/report",
        data={
            "csrf_token": token,
            "division_code": TOWN_A,
            "kind": "initial",
            "affected_population": "10",
            "deaths": "1",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    page = client.get(url)
    assert "初报" in page.text
    assert "受灾人口" in page.text
