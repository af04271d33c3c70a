"""Dispatch through the API: recommendation, order lifecycle, team status, stock reservation."""

from __future__ import annotations

from sqlalchemy import select

from support.district import POINT_A, POINT_B
from support.samples import rescue_team
from yingji.core.audit import AuditEntry

SCENE = (POINT_A[0] + 0.01, POINT_A[1])


def _team(bureau, point, tag, specialties):
    body = rescue_team(point, tag) | {"specialties": specialties}
    response = bureau.post("/api/v1/rescue-teams", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _stock(bureau, quantity="10"):
    item = bureau.post("/api/v1/supplies", json={"code": "1010301", "name": "棉被", "unit": "床"})
    warehouse = bureau.post(
        "/api/v1/warehouses",
        json={
            "name": "昌元库",
            "level": "township",
            "longitude": POINT_A[0],
            "latitude": POINT_A[1],
        },
    )
    item_id, warehouse_id = item.json()["id"], warehouse.json()["id"]
    received = bureau.post(
        "/api/v1/stock-movements",
        json={
            "kind": "receipt",
            "warehouse_id": warehouse_id,
            "item_id": item_id,
            "quantity": quantity,
        },
    )
    assert received.status_code == 201, received.text
    return item_id, warehouse_id


def test_recommendation_ranks_by_specialty_then_arrival(as_user):
    bureau = as_user("bureau")
    near = _team(bureau, SCENE, "近", ["综合救援"])
    far_match = _team(bureau, POINT_B, "远", ["危化品处置"])
    body = {"longitude": SCENE[0], "latitude": SCENE[1], "specialties": ["危化品处置"]}
    result = as_user("duty").post("/api/v1/dispatch/recommendations", json=body).json()
    assert [t["id"] for t in result["teams"]] == [far_match, near]
    first = result["teams"][0]
    assert first["matched_specialties"] == ["危化品处置"]
    assert any("1 小时内可到达" in r for r in first["reasons"])
    assert result["teams_within_hour"] == 2
    assert "×" in result["travel_model"]


def test_order_lifecycle_moves_team_status_and_is_audited(as_user, ctx):
    bureau, duty = as_user("bureau"), as_user("duty")
    team_id = _team(bureau, POINT_A, "甲", ["综合救援"])
    body = {
        "incident_id": 1,
        "resource_kind": "team",
        "team_id": team_id,
        "longitude": SCENE[0],
        "latitude": SCENE[1],
    }
    order = duty.post("/api/v1/dispatch-orders", json=body)
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    assert order.json()["eta_minutes"] >= 1
    # The same team cannot be promised to a second order while this one is open.
    assert duty.post("/api/v1/dispatch-orders", json=body | {"incident_id": 2}).status_code == 409
    url = f"/api/v1/dispatch-orders/{order_id}"
    assert duty.post(f"{url}/arrive", json={}).status_code == 409
    for action, state in (
        ("approve", "approved"),
        ("dispatch", "dispatched"),
        ("depart", "en_route"),
        ("arrive", "on_scene"),
    ):
        answer = duty.post(f"{url}/{action}", json={})
        assert answer.json()["state"] == state, answer.text
    assert bureau.get(f"/api/v1/rescue-teams/{team_id}").json()["status"] == "deployed"
    assert duty.post(f"{url}/return", json={"note": "任务完成"}).json()["state"] == "returned"
    assert bureau.get(f"/api/v1/rescue-teams/{team_id}").json()["status"] == "standby"
    # Back on standby, the team can be sent again.
    assert duty.post("/api/v1/dispatch-orders", json=body | {"incident_id": 3}).status_code == 201
    with ctx.session_factory() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "dispatch_order", AuditEntry.entity_id == str(order_id))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "incidents.dispatch_order.request",
        "incidents.dispatch_order.approve",
        "incidents.dispatch_order.dispatch",
        "incidents.dispatch_order.depart",
        "incidents.dispatch_order.arrive",
        "incidents.dispatch_order.return",
    ]


def test_a_team_marked_unavailable_after_the_request_is_not_deployed(as_user):
    # The team machine: an unavailable team must be declared ready before it goes out.
    bureau, duty = as_user("bureau"), as_user("duty")
    team_id = _team(bureau, POINT_A, "丙", ["综合救援"])
    body = {
        "incident_id": 1,
        "resource_kind": "team",
        "team_id": team_id,
        "longitude": SCENE[0],
        "latitude": SCENE[1],
    }
    order = duty.post("/api/v1/dispatch-orders", json=body)
    assert order.status_code == 201, order.text
    url = f"/api/v1/dispatch-orders/{order.json()['id']}"
    assert duty.post(f"{url}/approve", json={}).status_code == 200
    team_url = f"/api/v1/rescue-teams/{team_id}"
    assert bureau.patch(team_url, json={"status": "unavailable"}).status_code == 200
    refused = duty.post(f"{url}/dispatch", json={})
    assert refused.status_code == 409
    assert refused.json()["code"] == "illegal_status_change"
    assert duty.get(url).json()["state"] == "approved"
    assert bureau.get(team_url).json()["status"] == "unavailable"


def test_supplies_are_reserved_then_issued_never_double_promised(as_user):
    bureau, duty = as_user("bureau"), as_user("duty")
    item_id, warehouse_id = _stock(bureau, "10")
    body = {
        "incident_id": 1,
        "resource_kind": "supply",
        "warehouse_id": warehouse_id,
        "item_id": item_id,
        "quantity": "8",
        "longitude": SCENE[0],
        "latitude": SCENE[1],
    }
    first = duty.post("/api/v1/dispatch-orders", json=body)
    assert first.status_code == 201, first.text
    second = duty.post("/api/v1/dispatch-orders", json=body | {"quantity": "3"})
    assert second.status_code == 422
    assert "可用" in second.json()["errors"][0]["reason"]
    # A plain issue cannot take reserved stock either.
    plain = bureau.post(
        "/api/v1/stock-movements",
        json={"kind": "issue", "warehouse_id": warehouse_id, "item_id": item_id, "quantity": "3"},
    )
    assert plain.status_code == 422
    recommended = duty.post(
        "/api/v1/dispatch/recommendations",
        json={"longitude": SCENE[0], "latitude": SCENE[1], "item_ids": [item_id]},
    ).json()["supplies"]
    assert recommended[0]["available"] == "2"
    assert recommended[0]["reserved"] == "8"
    url = f"/api/v1/dispatch-orders/{first.json()['id']}"
    duty.post(f"{url}/approve", json={})
    sent = duty.post(f"{url}/dispatch", json={})
    assert sent.status_code == 200, sent.text
    assert sent.json()["state"] == "dispatched"
    stock = bureau.get(f"/api/v1/stock?warehouse_id={warehouse_id}").json()
    assert stock["items"][0]["quantity"] == "2"


def test_cancel_releases_the_reservation(as_user):
    bureau, duty = as_user("bureau"), as_user("duty")
    item_id, warehouse_id = _stock(bureau, "5")
    body = {
        "incident_id": 1,
        "resource_kind": "supply",
        "warehouse_id": warehouse_id,
        "item_id": item_id,
        "quantity": "5",
        "longitude": SCENE[0],
        "latitude": SCENE[1],
    }
    order = duty.post("/api/v1/dispatch-orders", json=body).json()
    assert duty.post("/api/v1/dispatch-orders", json=body).status_code == 422
    duty.post(f"/api/v1/dispatch-orders/{order['id']}/cancel", json={"note": "已由邻区支援"})
    assert duty.post("/api/v1/dispatch-orders", json=body).status_code == 201


def test_scoping_and_roles(as_user):
    bureau = as_user("bureau")
    team_id = _team(bureau, POINT_A, "甲", ["综合救援"])
    order = as_user("town_a").post(
        "/api/v1/dispatch-orders",
        json={
            "incident_id": 1,
            "resource_kind": "team",
            "team_id": team_id,
            "longitude": SCENE[0],
            "latitude": SCENE[1],
        },
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    assert as_user("town_b").get(f"/api/v1/dispatch-orders/{order_id}").status_code == 404
    assert (
        as_user("town_b").post(f"/api/v1/dispatch-orders/{order_id}/cancel", json={}).status_code
        == 404
    )
    assert (
        as_user("town_a").post(f"/api/v1/dispatch-orders/{order_id}/approve", json={}).status_code
        == 403
    )
    assert (
        as_user("grid_a")
        .post(
            "/api/v1/dispatch-orders",
            json={
                "incident_id": 1,
                "resource_kind": "team",
                "team_id": team_id,
                "longitude": SCENE[0],
                "latitude": SCENE[1],
            },
        )
        .status_code
        == 403
    )
    outside = as_user("duty").post(
        "/api/v1/dispatch-orders",
        json={
            "incident_id": 1,
            "resource_kind": "team",
            "team_id": team_id,
            "longitude": 120.0,
            "latitude": 30.0,
        },
    )
    assert outside.status_code == 422
