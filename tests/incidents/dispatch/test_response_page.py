"""The incident command page: activate a matched plan, dispatch a team, step it, review."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from support.district import POINT_A, POINT_B, TOWN_A
from support.samples import equipment, rescue_team, shelter, warehouse
from support.web import signed_in
from yingji.incidents.dispatch import nearby
from yingji.incidents.dispatch.rules import TravelModel


def test_work_an_incident_from_the_command_page(client, as_user):
    bureau = as_user("bureau")
    plan = bureau.post(
        "/api/v1/plans",
        json={
            "name": "危化品事故专项应急预案",
            "kind": "special",
            "version": {
                "levels": [
                    {"level": 4, "criteria": {"event_types": ["hazmat"], "min_injuries": 1}}
                ],
                "templates": [
                    {
                        "level": 4,
                        "action": "疏散周边群众",
                        "role": "township_officer",
                        "deadline_minutes": 30,
                    }
                ],
            },
        },
    ).json()
    bureau.post(f"/api/v1/plans/{plan['id']}/publish")
    bureau.post("/api/v1/rescue-teams", json=rescue_team(POINT_A, "甲"))
    incident = (
        as_user("duty")
        .post(
            "/api/v1/incidents",
            json={
                "category": "accident",
                "type": "hazmat",
                "occurred_at": "2026-06-01T08:30:00+08:00",
                "longitude": POINT_A[0],
                "latitude": POINT_A[1],
                "title": "储罐泄漏",
                "injuries": 2,
            },
        )
        .json()
    )
    url = f"/incidents/{incident['id']}/response"
    token = signed_in(client, "duty")
    page = client.get(url)
    assert page.status_code == 200
    assert "危化品事故专项应急预案" in page.text
    client.post(f"{url}/activate", data={"csrf_token": token, "plan_id": plan["id"], "level": 4})
    again = client.post(
        f"{url}/activate",
        data={"csrf_token": token, "plan_id": plan["id"], "level": 4},
        follow_redirects=True,
    )
    assert "不能重复启动" in again.text
    team_id = re.search(r'name="team_id" value="(\d+)"', page.text).group(1)
    client.post(f"{url}/dispatch", data={"csrf_token": token, "team_id": team_id})
    page = client.get(url)
    assert "疏散周边群众" in page.text
    order_id = re.search(r"/response/orders/(\d+)/approve", page.text).group(1)
    for action in ("approve", "dispatch", "arrive"):
        client.post(f"{url}/orders/{order_id}/{action}", data={"csrf_token": token})
    assert "已到场" in client.get(url).text
    client.post(f"/incidents/{incident['id']}/close", data={"csrf_token": token, "reason": "排除"})
    reviewed = client.post(
        f"{url}/review", data={"csrf_token": token, "summary": "及时"}, follow_redirects=True
    )
    assert "下载复盘报告" in reviewed.text


def test_other_township_gets_404(client, as_user):
    incident = (
        as_user("duty")
        .post(
            "/api/v1/incidents",
            json={
                "category": "accident",
                "type": "hazmat",
                "occurred_at": "2026-06-01T08:30:00+08:00",
                "longitude": POINT_A[0],
                "latitude": POINT_A[1],
                "title": "储罐泄漏",
            },
        )
        .json()
    )
    signed_in(client, "town_b")
    assert client.get(f"/incidents/{incident['id']}/response").status_code == 404


# --- The map: incident, rescue rings, recommended teams and nearby resources ---------------

_ATTR = r"{name}='([^']*)'"


def _attr(html_text: str, name: str) -> Any:
    """Return the JSON of a single-quoted data attribute as the browser would read it."""
    found = re.search(_ATTR.format(name=name), html_text)
    assert found, f"page has no {name}"
    return json.loads(html.unescape(found.group(1)))


def _incident(as_user: Any, point: tuple[float, float] | None = POINT_A) -> int:
    body: dict[str, Any] = {
        "category": "accident",
        "type": "hazmat",
        "occurred_at": "2026-06-01T08:30:00+08:00",
        "title": "储罐泄漏",
    }
    if point is not None:
        body |= {"longitude": point[0], "latitude": point[1]}
    else:  # known only by its township: no point to draw rings around
        body |= {"division_code": TOWN_A}
    response = as_user("duty").post("/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _created(response: Any) -> int:
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_map_shows_rings_from_settings_teams_and_resources(client, as_user, ctx):
    # Not the defaults: the radii must come from the deployment's settings.
    ctx.settings.dispatch_speed_kmh = 60.0
    ctx.settings.dispatch_detour_factor = 1.5
    bureau = as_user("bureau")
    ready = _created(bureau.post("/api/v1/rescue-teams", json=rescue_team(POINT_A, "甲")))
    busy = _created(
        bureau.post(
            "/api/v1/rescue-teams", json=rescue_team(POINT_B, "乙") | {"status": "unavailable"}
        )
    )
    pump = _created(bureau.post("/api/v1/equipment", json=equipment(POINT_B, "泵")))
    open_shelter = _created(bureau.post("/api/v1/shelters", json=shelter(POINT_A, "开")))
    _created(bureau.post("/api/v1/shelters", json=shelter(POINT_A, "关") | {"status": "closed"}))
    item = _created(
        bureau.post("/api/v1/supplies", json={"code": "1010301", "name": "棉被", "unit": "床"})
    )
    store = _created(bureau.post("/api/v1/warehouses", json=warehouse(POINT_A, "甲")))
    _created(
        bureau.post(
            "/api/v1/stock-movements",
            json={"kind": "receipt", "warehouse_id": store, "item_id": item, "quantity": "40"},
        )
    )
    incident_id = _incident(as_user)
    signed_in(client, "duty")
    page = client.get(f"/incidents/{incident_id}/response")
    assert page.status_code == 200
    # radius = minutes / 60 × 60 km/h ÷ 1.5
    assert _attr(page.text, "data-rings") == [
        {"minutes": 15, "radius_km": 10.0},
        {"minutes": 30, "radius_km": 20.0},
        {"minutes": 60, "radius_km": 40.0},
    ]
    assert _attr(page.text, "data-incident") == {
        "lon": POINT_A[0],
        "lat": POINT_A[1],
        "title": "储罐泄漏",
    }
    teams = {t["id"]: t for t in _attr(page.text, "data-teams")}
    assert teams[ready]["available"] is True
    assert (teams[ready]["lon"], teams[ready]["lat"]) == POINT_A
    assert teams[ready]["name"] == "救援队甲"
    assert any("1 小时内可到达" in r for r in teams[ready]["reasons"])
    assert teams[busy]["available"] is False
    resources = _attr(page.text, "data-resources")
    assert [e["id"] for e in resources["equipment"]] == [pump]
    assert [s["id"] for s in resources["shelters"]] == [open_shelter]
    assert resources["shelters"][0]["capacity_persons"] == 2000
    (depot,) = resources["warehouses"]
    assert depot["id"] == store
    assert depot["stock"] == [{"item": "棉被", "quantity": "40", "unit": "床"}]
    # Only the available team counts as help that can arrive within the hour.
    assert "1 小时内可到达的救援队伍：1 支" in page.text
    assert "response-map.js" in page.text


def test_nearby_resources_stop_at_the_radius(ctx, as_user):
    bureau = as_user("bureau")
    near = _created(bureau.post("/api/v1/equipment", json=equipment(POINT_A, "近")))
    _created(bureau.post("/api/v1/equipment", json=equipment(POINT_B, "远")))
    model = TravelModel(detour_factor=1.4, speed_kmh=40.0)
    assert [r.radius_km for r in nearby.rings(model)] == [7.143, 14.286, 28.571]
    with ctx.session_factory() as session:
        # POINT_B is about 9.7 km east of POINT_A.
        found = nearby.nearby_resources(session, POINT_A[0], POINT_A[1], 5.0, model)
        assert [e["id"] for e in found.equipment] == [near]
        assert found.equipment[0]["distance_km"] == 0.0
        assert found.shelters == []
        assert found.warehouses == []


def test_incident_without_a_place_has_no_map(client, as_user):
    incident_id = _incident(as_user, point=None)
    signed_in(client, "duty")
    page = client.get(f"/incidents/{incident_id}/response")
    assert page.status_code == 200
    assert "事件没有位置，无法显示救援圈和周边资源" in page.text
    assert 'id="response-map"' not in page.text
