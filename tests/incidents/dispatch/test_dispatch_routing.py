"""Dispatch ETA from a road network: road times rank the kept candidates, failures fall back."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
from sqlalchemy import select

from support.samples import rescue_team
from yingji.adapters.bundle import Adapters
from yingji.adapters.routing import FakeRoadNetwork, OsrmRoadNetwork
from yingji.adapters.storage import MemoryStorage
from yingji.core.audit import AuditEntry
from yingji.incidents.dispatch.api import travel_model
from yingji.settings import Settings

SCENE = (105.56, 29.45)
# Straight line: DIAGONAL (≈4.4 km) is nearer than EAST (≈5.3 km); by road (Manhattan)
# EAST (≈5.3 km) is nearer than DIAGONAL (≈6.2 km). FAR (≈8.7 km) is outside an 8 km search.
DIAGONAL = (105.59, 29.48)
EAST = (105.615, 29.45)
FAR = (105.65, 29.45)
QUERY = {"longitude": SCENE[0], "latitude": SCENE[1], "radius_km": 8}


def _team(bureau: Any, point: tuple[float, float], tag: str) -> int:
    response = bureau.post("/api/v1/rescue-teams", json=rescue_team(point, tag))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _teams(as_user: Any) -> tuple[int, int]:
    bureau = as_user("bureau")
    diagonal, east = _team(bureau, DIAGONAL, "斜"), _team(bureau, EAST, "东")
    _team(bureau, FAR, "远")
    return diagonal, east


def _recommend(as_user: Any) -> dict[str, Any]:
    answer = as_user("duty").post("/api/v1/dispatch/recommendations", json=QUERY)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_without_network_straight_line_ranks(as_user):
    diagonal, east = _teams(as_user)
    result = _recommend(as_user)
    assert [t["id"] for t in result["teams"]] == [diagonal, east]
    assert {t["eta_source"] for t in result["teams"]} == {"straight_line"}
    assert result["travel_model"].startswith("直线距离 ×")


def test_road_network_ranks_and_marks_road(as_user, ctx):
    diagonal, east = _teams(as_user)
    fake = FakeRoadNetwork(speed_kmh=30)
    ctx.adapters.road_network = fake
    result = _recommend(as_user)
    assert [t["id"] for t in result["teams"]] == [east, diagonal]
    assert {t["eta_source"] for t in result["teams"]} == {"road"}
    first = result["teams"][0]
    assert first["eta_minutes"] == 11  # 5.3 km at 30 km/h, rounded up
    assert any(r.startswith("道路行程预计 11 分钟") for r in first["reasons"])
    assert "道路网络" in result["travel_model"]
    # Asked once, and only about the candidates the search kept (not FAR).
    assert len(fake.calls) == 1
    origin, targets = fake.calls[0]
    assert origin == SCENE
    assert sorted(targets) == sorted([DIAGONAL, EAST])


def test_failing_network_falls_back_to_straight_line(as_user, ctx):
    diagonal, east = _teams(as_user)
    ctx.adapters.road_network = FakeRoadNetwork(fail=True)
    result = _recommend(as_user)
    assert [t["id"] for t in result["teams"]] == [diagonal, east]
    assert {t["eta_source"] for t in result["teams"]} == {"straight_line"}

    class Broken:
        def durations(self, origin, targets):
            raise RuntimeError("routing down")

    ctx.adapters.road_network = Broken()
    assert {t["eta_source"] for t in _recommend(as_user)["teams"]} == {"straight_line"}


def test_fallback_is_per_target(as_user, ctx):
    diagonal, east = _teams(as_user)
    ctx.adapters.road_network = FakeRoadNetwork(speed_kmh=30, unreachable=[EAST])
    sources = {t["id"]: t["eta_source"] for t in _recommend(as_user)["teams"]}
    assert sources == {diagonal: "road", east: "straight_line"}


def test_equipment_and_supplies_use_the_road_network(as_user, ctx):
    bureau = as_user("bureau")
    from support.samples import equipment

    made = bureau.post("/api/v1/equipment", json=equipment(EAST, "泵"))
    assert made.status_code == 201, made.text
    item = bureau.post("/api/v1/supplies", json={"code": "1010301", "name": "棉被", "unit": "床"})
    warehouse = bureau.post(
        "/api/v1/warehouses",
        json={"name": "东库", "level": "township", "longitude": EAST[0], "latitude": EAST[1]},
    )
    item_id, warehouse_id = item.json()["id"], warehouse.json()["id"]
    received = bureau.post(
        "/api/v1/stock-movements",
        json={"kind": "receipt", "warehouse_id": warehouse_id, "item_id": item_id, "quantity": "5"},
    )
    assert received.status_code == 201, received.text
    ctx.adapters.road_network = FakeRoadNetwork(speed_kmh=30)
    result = as_user("duty").post(
        "/api/v1/dispatch/recommendations", json=QUERY | {"item_ids": [item_id]}
    )
    body = result.json()
    assert [(e["eta_minutes"], e["eta_source"]) for e in body["equipment"]] == [(11, "road")]
    assert [(s["eta_minutes"], s["eta_source"]) for s in body["supplies"]] == [(11, "road")]


def test_order_eta_comes_from_the_road_and_is_audited(as_user, ctx):
    _, east = _teams(as_user)
    ctx.adapters.road_network = FakeRoadNetwork(speed_kmh=30)
    body = {
        "incident_id": 1,
        "resource_kind": "team",
        "team_id": east,
        "longitude": SCENE[0],
        "latitude": SCENE[1],
    }
    order = as_user("duty").post("/api/v1/dispatch-orders", json=body)
    assert order.status_code == 201, order.text
    assert order.json()["eta_minutes"] == 11
    with ctx.session_factory() as session:
        after = session.scalar(
            select(AuditEntry.after).where(
                AuditEntry.entity == "dispatch_order",
                AuditEntry.entity_id == str(order.json()["id"]),
                AuditEntry.action == "request",
            )
        )
    assert after is not None
    assert after["eta_source"] == "road"
    assert after["eta_minutes"] == 11
    # The network goes down: the next order falls back to straight line (5.3 km × 1.4 at 40).
    ctx.adapters.road_network = FakeRoadNetwork(fail=True)
    again = as_user("duty").post(
        "/api/v1/dispatch-orders",
        json=body | {"team_id": _team(as_user("bureau"), EAST, "东三")},
    )
    assert again.status_code == 201, again.text
    assert again.json()["eta_minutes"] == 12


# --- the OSRM adapter --------------------------------------------------------------------------


def _osrm(handler: Any, **kwargs: Any) -> OsrmRoadNetwork:
    return OsrmRoadNetwork("http://osrm.test/", transport=httpx.MockTransport(handler), **kwargs)


def test_osrm_table_request_and_answer():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        count = len(request.url.params["destinations"].split(";"))
        row = [600.0 * (i + 1) for i in range(count)]
        if count == 2:
            row[1] = None  # unreachable
        return httpx.Response(200, json={"code": "Ok", "durations": [row]})

    network = _osrm(handler, batch=2)
    targets = [(105.6, 29.46), (105.61, 29.47), (105.62, 29.48)]
    assert network.durations((105.55, 29.45), targets) == [10.0, None, 10.0]
    first = seen[0]
    assert first.url.path == (
        "/table/v1/driving/105.550000,29.450000;105.600000,29.460000;105.610000,29.470000"
    )
    assert first.url.params["sources"] == "0"
    assert first.url.params["destinations"] == "1;2"
    assert first.url.params["annotations"] == "duration"
    assert len(seen) == 2  # batched
    assert network.durations((105.55, 29.45), []) == []
    network.close()


def test_osrm_failures_answer_none_for_all():
    targets = [(105.6, 29.46), (105.61, 29.47)]

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    answers = [
        lambda r: httpx.Response(500, text="boom"),
        lambda r: httpx.Response(200, json={"code": "NoTable", "message": "x"}),
        lambda r: httpx.Response(200, json={"code": "Ok", "durations": [[60.0]]}),
        lambda r: httpx.Response(200, text="not json"),
        down,
    ]
    for handler in answers:
        assert _osrm(handler).durations(SCENE, targets) == [None, None]


def test_travel_model_reads_the_adapters_chosen_from_the_routing_url():
    fake = FakeRoadNetwork()
    with_fake = SimpleNamespace(settings=Settings(), adapters=Adapters(MemoryStorage(), fake))
    assert travel_model(with_fake).road_network is fake  # type: ignore[arg-type]
    unset = Adapters.from_settings(Settings(routing_url=None))
    assert unset.road_network is None
    configured = Adapters.from_settings(Settings(routing_url="http://osrm:5000"))
    network = configured.road_network
    assert isinstance(network, OsrmRoadNetwork)
    assert network.base_url == "http://osrm:5000"
    ctx = SimpleNamespace(settings=Settings(), adapters=configured)
    assert travel_model(ctx).road_network is network  # built once, kept  # type: ignore[arg-type]
    network.close()
