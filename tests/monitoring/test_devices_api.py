"""Device, rule-config, readings and stream endpoints: scoping, permissions, audit; pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from monitoring.helpers import put, send
from support.district import PASSWORD, TOWN_A
from yingji.core.audit import AuditEntry
from yingji.core.clock import FixedClock
from yingji.core.web.context import AppContext
from yingji.monitoring.rules import GAS_RULE


def test_register_device_audited_and_scoped(ctx: AppContext, as_user: Any) -> None:
    body = {
        "code": "TANK-A9",
        "name": "1号储罐",
        "kind": "tank",
        "division_code": TOWN_A,
        "linked_kind": "other",
        "linked_name": "罐区",
    }
    r = as_user("town_a").post("/api/v1/monitoring/devices", json=body)
    assert r.status_code == 201, r.text
    device = r.json()
    assert [m["code"] for m in device["metrics"]] == ["level", "temperature", "pressure"]
    assert device["online"] is False
    with ctx.session_factory() as session:
        audit = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "monitoring.device.create")
        )
    assert audit is not None
    assert audit.entity_id == str(device["id"])
    # Town B may not register in town A, nor reach town A's device.
    assert (
        as_user("town_b").post("/api/v1/monitoring/devices", json={**body, "code": "X"}).status_code
        == 422
    )
    url = f"/api/v1/monitoring/devices/{device['id']}"
    for call in (
        lambda: as_user("town_b").get(url),
        lambda: as_user("town_b").patch(url, json={"name": "改名"}),
        lambda: as_user("town_b").get(f"{url}/readings"),
        lambda: as_user("town_b").get(f"{url}/rule-states"),
        lambda: as_user("town_b").post(f"{url}/retire"),
        lambda: as_user("town_b").get(f"/api/v1/monitoring/rules/devices/{device['id']}"),
    ):
        assert call().status_code == 404
    assert as_user("town_b").get("/api/v1/monitoring/devices").json() == []
    assert [d["code"] for d in as_user("town_a").get("/api/v1/monitoring/devices").json()] == [
        "TANK-A9"
    ]
    assert (
        as_user("town_a").patch(url, json={"interval_seconds": 120}).json()["interval_seconds"]
        == 120
    )
    assert (
        as_user("grid_a").post("/api/v1/monitoring/devices", json={**body, "code": "Y"}).status_code
        == 403
    )
    assert (
        as_user("town_a")
        .post("/api/v1/monitoring/devices", json={**body, "kind": "laser"})
        .status_code
        == 422
    )


def test_enterprise_officer_sees_only_own_enterprise(
    ctx: AppContext, as_user: Any, ids: dict[str, int]
) -> None:
    r = as_user("ent_a").post(
        "/api/v1/monitoring/devices",
        json={"code": "ENT-GAS", "name": "企业探测器", "kind": "combustible_gas"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["enterprise_id"] == ids["enterprise:A"]
    assert r.json()["division_code"].startswith(TOWN_A)
    as_user("town_a").post(
        "/api/v1/monitoring/devices",
        json={"code": "PUB-1", "name": "公共", "kind": "wind", "division_code": TOWN_A},
    )
    assert [d["code"] for d in as_user("ent_a").get("/api/v1/monitoring/devices").json()] == [
        "ENT-GAS"
    ]


def test_rule_config_permissions_and_validation(
    ctx: AppContext, devices: dict[str, int], as_user: Any
) -> None:
    kind_url = "/api/v1/monitoring/rules/kinds/combustible_gas"
    got = as_user("town_a").get(kind_url).json()
    assert got["configured"] is None
    assert got["effective"][0]["key"] == "gas.setpoints"
    rule = GAS_RULE.model_copy(update={"for_seconds": 20}).model_dump(mode="json")
    assert put(as_user("town_a"), kind_url, json={"rules": [rule]}).status_code == 403
    r = put(as_user("bureau"), kind_url, json={"rules": [rule]})
    assert r.status_code == 200
    assert r.json()["effective"][0]["for_seconds"] == 20
    bad = {**rule, "levels": []}
    assert put(as_user("bureau"), kind_url, json={"rules": [bad]}).status_code == 422
    device_url = f"/api/v1/monitoring/rules/devices/{devices['GAS-A1']}"
    override = {**rule, "hysteresis": 4.0}
    assert put(as_user("town_a"), device_url, json={"rules": [override]}).status_code == 200
    assert put(as_user("town_b"), device_url, json={"rules": [override]}).status_code == 404
    eff = as_user("town_a").get(device_url).json()["effective"]
    assert eff[0]["hysteresis"] == 4.0
    with ctx.session_factory() as session:
        audits = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == "monitoring.rule_config.update")
            )
        )
    assert {a.entity_id for a in audits} == {"kind:combustible_gas", f"device:{devices['GAS-A1']}"}
    assert put(as_user("bureau"), kind_url, json={"rules": None}).json()["configured"] is None


def test_readings_and_stream(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int], as_user: Any
) -> None:
    ctx.clock = clock
    send(ctx, "GAS-A1", {"metric": "gas", "value": 3.5})
    url = f"/api/v1/monitoring/devices/{devices['GAS-A1']}"
    assert [r["value"] for r in as_user("town_a").get(f"{url}/readings").json()] == [3.5]
    r = as_user("town_a").get(f"{url}/stream?seconds=0")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert "event: readings" in r.text
    assert '"value": 3.5' in r.text
    assert as_user("town_b").get(f"{url}/stream?seconds=0").status_code == 404


def _login(client: Any, username: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert r.status_code in (200, 303), r.text


def test_pages_render_and_rule_editor_saves(
    ctx: AppContext, clock: FixedClock, devices: dict[str, int], client: Any
) -> None:
    ctx.clock = clock
    send(ctx, "GAS-A1", {"metric": "gas", "value": 30.0})
    send(ctx, "GAS-A1", b"not json")
    _login(client, "bureau")
    page = client.get("/monitoring/devices")
    assert page.status_code == 200
    assert "GAS-A1" in page.text
    assert "在线" in page.text
    assert "一级报警" in page.text
    detail = client.get(f"/monitoring/devices/{devices['GAS-A1']}")
    assert detail.status_code == 200
    assert "echarts.min.js" in detail.text
    assert "gas.setpoints" in detail.text
    rej = client.get("/monitoring/rejections")
    assert rej.status_code == 200
    assert "消息不是合法的 JSON" in rej.text
    editor = client.get("/monitoring/rules?kind=combustible_gas")
    assert editor.status_code == 200
    assert "GB/T 50493-2019" in editor.text
    csrf = editor.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    bad = client.post(
        "/monitoring/rules",
        data={"csrf_token": csrf, "kind": "combustible_gas", "rules": "[{", "action": "save"},
    )
    assert bad.status_code == 422
    assert "JSON" in bad.text
    rule = GAS_RULE.model_copy(update={"for_seconds": 45}).model_dump_json()
    ok = client.post(
        "/monitoring/rules",
        data={
            "csrf_token": csrf,
            "kind": "combustible_gas",
            "rules": f"[{rule}]",
            "action": "save",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "45 秒" in client.get("/monitoring/rules?kind=combustible_gas").text
    assert (
        client.post(
            "/monitoring/rules", data={"kind": "combustible_gas", "rules": "[]"}
        ).status_code
        == 403
    )
