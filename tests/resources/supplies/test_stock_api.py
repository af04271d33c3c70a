"""The stock ledger through the API: movements, balances, refusals, idempotency, alerts, scope."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from support.district import POINT_A, POINT_B
from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage
from yingji.resources.supplies.models import StockMovement

MOVES = "/api/v1/stock-movements"


@pytest.fixture
def setup(as_user) -> dict[str, Any]:
    """Two catalogue items, a warehouse in each township and a district warehouse."""
    bureau = as_user("bureau")

    def post(url: str, body: dict[str, Any]) -> int:
        r = bureau.post(url, json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def wh(name: str, point: tuple[float, float], level: str) -> int:
        body = {"name": name, "level": level, "longitude": point[0], "latitude": point[1]}
        return post("/api/v1/warehouses", body)

    return {
        "quilt": post("/api/v1/supplies", {"code": "1010301", "name": "棉被", "unit": "床"}),
        "noodles": post(
            "/api/v1/supplies",
            {"code": "1020201", "name": "方便面", "unit": "箱", "shelf_life_days": 180},
        ),
        "a": wh("昌元街道储备点", POINT_A, "township"),
        "b": wh("昌州街道储备点", POINT_B, "township"),
        "district": wh("区级物资储备库", POINT_A, "district"),
    }


def move(api: Any, expect: int = 201, **body: Any) -> dict[str, Any]:
    for key in ("quantity", "counted"):
        if key in body:
            body[key] = str(body[key])
    r = api.post(MOVES, json=body)
    assert r.status_code == expect, r.text
    return dict(r.json())


def stock(api: Any, **params: Any) -> dict[tuple[int, int, str], str]:
    r = api.get("/api/v1/stock", params={"size": 200, **params})
    assert r.status_code == 200, r.text
    return {(s["warehouse_id"], s["item_id"], s["batch"]): s["quantity"] for s in r.json()["items"]}


def set_level(api: Any, body: dict[str, Any]) -> Any:
    """PUT a reserve minimum as this user."""
    return api.client.put("/api/v1/stock-levels", json=body, headers=api.headers)


def today() -> Any:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_receipt_issue_transfer_stocktake_balances(as_user, setup, ctx):
    api = as_user("bureau")
    q, a, b = setup["quilt"], setup["a"], setup["b"]
    r = move(api, kind="receipt", warehouse_id=a, item_id=q, quantity=100, reason="区级下拨")
    assert r["quantity_delta"] == "100"
    assert r["movement_no"].startswith("RK")
    assert r["movement_no"].endswith(f"{r['id']:06d}")
    move(api, kind="issue", warehouse_id=a, item_id=q, quantity="30.5", reason="安置点发放")
    t = move(api, kind="transfer", warehouse_id=a, item_id=q, quantity=20, to_warehouse_id=b)
    assert (t["quantity_delta"], t["counterpart_warehouse_id"], t["leg"]) == ("-20", b, 0)
    assert stock(api) == {(a, q, ""): "49.5", (b, q, ""): "20"}
    # The transfer wrote two lines under one number: out of A, into B.
    legs = api.get(MOVES, params={"movement_no": t["movement_no"]}).json()["items"]
    assert sorted((m["warehouse_id"], m["quantity_delta"], m["leg"]) for m in legs) == sorted(
        [(a, "-20", 0), (b, "20", 1)]
    )
    s = move(api, kind="stocktake", warehouse_id=a, item_id=q, counted=47, reason="季度盘点")
    assert (s["quantity_delta"], s["counted"]) == ("-2.5", "47")
    move(api, kind="adjustment", warehouse_id=b, item_id=q, quantity=-1, reason="鼠咬损坏")
    assert stock(api) == {(a, q, ""): "47", (b, q, ""): "19"}
    assert stock(api, warehouse_id=b) == {(b, q, ""): "19"}
    assert stock(api, category="2") == {}
    # A stocktake that finds what the ledger says is still on record (delta 0).
    zero = move(api, kind="stocktake", warehouse_id=b, item_id=q, counted=19)
    assert zero["quantity_delta"] == "0"
    page = api.get(MOVES, params={"warehouse_id": b, "size": 2}).json()
    assert (page["total"], len(page["items"])) == (3, 2)
    assert page["items"][0]["id"] == zero["id"]  # newest first
    with ctx.session_factory() as sess:
        kinds = list(sess.scalars(select(StockMovement.kind).order_by(StockMovement.id)))
        assert kinds == [
            "receipt",
            "issue",
            "transfer",
            "transfer",
            "stocktake",
            "adjustment",
            "stocktake",
        ]
        audit = list(
            sess.execute(
                select(AuditEntry.action, AuditEntry.actor_name).where(
                    AuditEntry.entity == "resources_stock_movement"
                )
            )
        )
        assert len(audit) == 7
        assert {name for _, name in audit} == {"bureau"}
        events = list(sess.scalars(select(OutboxMessage.name)))
        assert events.count("supplies.stock_moved") == 7


def test_issue_beyond_stock_is_422_naming_quantity_and_writes_nothing(as_user, setup, ctx):
    api = as_user("bureau")
    q, a, b = setup["quilt"], setup["a"], setup["b"]
    move(api, kind="receipt", warehouse_id=a, item_id=q, quantity=10)
    with ctx.session_factory() as sess:
        before = (
            sess.scalar(select(func.count()).select_from(StockMovement)),
            sess.scalar(select(func.count()).select_from(AuditEntry)),
            sess.scalar(select(func.count()).select_from(OutboxMessage)),
        )
    for body in (
        {"kind": "issue", "quantity": "10.001"},
        {"kind": "transfer", "quantity": "11", "to_warehouse_id": b},
        {"kind": "adjustment", "quantity": "-11", "reason": "损耗"},
    ):
        r = api.post(MOVES, json={"warehouse_id": a, "item_id": q, **body})
        assert r.status_code == 422, body
        assert r.headers["content-type"].startswith("application/problem+json")
        error = r.json()["errors"][0]
        assert error["field"] == "quantity"
        assert "库存不足" in error["reason"]
    # A different batch has nothing on hand, whatever the item holds in total.
    r = api.post(
        MOVES,
        json={"kind": "issue", "warehouse_id": a, "item_id": q, "quantity": "1", "batch": "B2"},
    )
    assert r.status_code == 422
    with ctx.session_factory() as sess:
        after = (
            sess.scalar(select(func.count()).select_from(StockMovement)),
            sess.scalar(select(func.count()).select_from(AuditEntry)),
            sess.scalar(select(func.count()).select_from(OutboxMessage)),
        )
    assert after == before
    assert stock(api) == {(a, q, ""): "10"}
    move(api, kind="issue", warehouse_id=a, item_id=q, quantity=10)  # exactly emptying is fine
    assert stock(api) == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "receipt", "quantity": "0"}, "quantity"),
        ({"kind": "receipt", "quantity": "-1"}, "quantity"),
        ({"kind": "receipt"}, "quantity"),
        ({"kind": "issue", "quantity": "1.0001"}, "quantity"),
        ({"kind": "receipt", "quantity": "1", "to_warehouse_id": "{b}"}, "to_warehouse_id"),
        ({"kind": "transfer", "quantity": "1"}, "to_warehouse_id"),
        ({"kind": "transfer", "quantity": "1", "to_warehouse_id": "{a}"}, "to_warehouse_id"),
        ({"kind": "transfer", "quantity": "1", "to_warehouse_id": 999999}, "to_warehouse_id"),
        ({"kind": "stocktake", "quantity": "1", "counted": "1"}, "quantity"),
        ({"kind": "stocktake", "counted": "-1"}, "counted"),
        ({"kind": "adjustment", "quantity": "1"}, "reason"),
        ({"kind": "move", "quantity": "1"}, "kind"),
        ({"kind": "receipt", "quantity": "1", "warehouse_id": 999999}, "warehouse_id"),
        ({"kind": "receipt", "quantity": "1", "item_id": 999999}, "item_id"),
        ({"kind": "receipt", "quantity": "1", "expires_on": "2030-01-01"}, "batch"),
        (
            {"kind": "receipt", "quantity": "1", "occurred_at": "2099-01-01T00:00:00Z"},
            "occurred_at",
        ),
    ],
)
def test_invalid_movements_are_422_naming_the_field(as_user, setup, body, field):
    payload = {"warehouse_id": setup["a"], "item_id": setup["quilt"], **body}
    for key in ("to_warehouse_id",):
        if isinstance(payload.get(key), str):
            payload[key] = setup[payload[key].strip("{}")]
    r = as_user("bureau").post(MOVES, json=payload)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field


def test_batches_keep_their_expiry_and_shelf_life_items_need_one(as_user, setup):
    api = as_user("bureau")
    n, a, b = setup["noodles"], setup["a"], setup["b"]
    r = api.post(MOVES, json={"kind": "receipt", "warehouse_id": a, "item_id": n, "quantity": "5"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "expires_on"
    expiry = (today() + timedelta(days=200)).isoformat()
    move(api, kind="receipt", warehouse_id=a, item_id=n, quantity=5, batch="L1", expires_on=expiry)
    # The batch's expiry is fixed once recorded: later lines inherit it, a different one is refused.
    r = api.post(
        MOVES,
        json={
            "kind": "receipt",
            "warehouse_id": a,
            "item_id": n,
            "quantity": "1",
            "batch": "L1",
            "expires_on": "2031-01-01",
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "expires_on"
    move(api, kind="receipt", warehouse_id=b, item_id=n, quantity=1, batch="L1")
    t = move(
        api, kind="transfer", warehouse_id=a, item_id=n, quantity=2, batch="L1", to_warehouse_id=b
    )
    assert t["expires_on"] == expiry
    rows = api.get("/api/v1/stock", params={"item_id": n}).json()["items"]
    assert {(r["warehouse_id"], r["quantity"], r["expires_on"]) for r in rows} == {
        (a, "3", expiry),
        (b, "3", expiry),
    }


def test_same_reference_is_written_once(as_user, setup, ctx):
    api = as_user("town_a")
    q, a = setup["quilt"], setup["a"]
    body = {"kind": "receipt", "warehouse_id": a, "item_id": q, "quantity": "8", "reference": "R-1"}
    first = api.post(MOVES, json=body)
    assert first.status_code == 201, first.text
    again = api.post(MOVES, json=body)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers["Location"] == f"{MOVES}/{first.json()['id']}"
    # Same reference, different content: refused rather than silently ignored.
    r = api.post(MOVES, json={**body, "quantity": "9"})
    assert r.status_code == 409
    # The reference is per kind: an issue may carry the same business reference.
    move(api, kind="issue", warehouse_id=a, item_id=q, quantity=3, reference="R-1")
    transfer = {
        "kind": "transfer",
        "warehouse_id": a,
        "item_id": q,
        "quantity": "2",
        "to_warehouse_id": setup["b"],
        "reference": "T-1",
    }
    assert api.post(MOVES, json=transfer).status_code == 201
    assert api.post(MOVES, json=transfer).status_code == 200
    assert stock(as_user("bureau")) == {(a, q, ""): "3", (setup["b"], q, ""): "2"}
    with ctx.session_factory() as sess:
        assert sess.scalar(select(func.count()).select_from(StockMovement)) == 4
        audits = sess.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "resources_stock_movement")
        )
        assert audits == 4


def test_minimum_stock_and_expiry_alerts(as_user, setup, ctx):
    api = as_user("bureau")
    q, n, a, b = setup["quilt"], setup["noodles"], setup["a"], setup["b"]
    move(api, kind="receipt", warehouse_id=a, item_id=q, quantity=50)
    r = set_level(api, {"warehouse_id": a, "item_id": q, "minimum_quantity": "40"})
    assert r.status_code == 200, r.text
    assert (r.json()["on_hand"], r.json()["below_minimum"]) == ("50", False)
    assert api.get("/api/v1/stock/alerts").json()["below_minimum"] == []
    move(api, kind="issue", warehouse_id=a, item_id=q, quantity=15)
    move(api, kind="issue", warehouse_id=a, item_id=q, quantity=5)  # still under: no new event
    # A minimum set where there is no stock at all is an alert too.
    set_level(api, {"warehouse_id": b, "item_id": n, "minimum_quantity": 10})
    d = today()
    move(
        api,
        kind="receipt",
        warehouse_id=a,
        item_id=n,
        quantity=3,
        batch="OLD",
        expires_on=(d - timedelta(days=1)).isoformat(),
    )
    move(
        api,
        kind="receipt",
        warehouse_id=a,
        item_id=n,
        quantity=4,
        batch="SOON",
        expires_on=(d + timedelta(days=10)).isoformat(),
    )
    move(
        api,
        kind="receipt",
        warehouse_id=a,
        item_id=n,
        quantity=5,
        batch="FRESH",
        expires_on=(d + timedelta(days=100)).isoformat(),
    )
    move(
        api,
        kind="receipt",
        warehouse_id=a,
        item_id=n,
        quantity=1,
        batch="GONE",
        expires_on=(d - timedelta(days=5)).isoformat(),
    )
    move(api, kind="issue", warehouse_id=a, item_id=n, quantity=1, batch="GONE")  # none left

    alerts = api.get("/api/v1/stock/alerts").json()
    assert alerts["warn_days"] == 30
    assert [
        (x["warehouse_id"], x["item_id"], x["on_hand"], x["minimum_quantity"], x["shortfall"])
        for x in alerts["below_minimum"]
    ] == [(a, q, "30", "40", "10"), (b, n, "0", "10", "10")]
    assert [(x["batch"], x["status"], x["quantity"]) for x in alerts["expiry"]] == [
        ("OLD", "expired", "3"),
        ("SOON", "expiring", "4"),
    ]
    wide = api.get("/api/v1/stock/alerts", params={"warn_days": 120}).json()
    assert [x["batch"] for x in wide["expiry"]] == ["OLD", "SOON", "FRESH"]
    # The township sees only its own warehouses' alerts.
    mine = as_user("town_b").get("/api/v1/stock/alerts").json()
    assert [x["warehouse_id"] for x in mine["below_minimum"]] == [b]
    assert mine["expiry"] == []
    # The warehouse list carries a small summary.
    wh = api.get(f"/api/v1/warehouses/{a}").json()
    assert (wh["item_kinds"], wh["below_minimum"]) == (2, 1)
    # Restocking clears the alert; a minimum of 0 removes it.
    move(api, kind="receipt", warehouse_id=a, item_id=q, quantity=10)
    set_level(api, {"warehouse_id": b, "item_id": n, "minimum_quantity": 0})
    assert api.get("/api/v1/stock/alerts").json()["below_minimum"] == []
    with ctx.session_factory() as sess:
        below = [
            m.payload
            for m in sess.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.name == "supplies.stock_below_minimum")
                .order_by(OutboxMessage.id)
            )
        ]
    assert [(e["warehouse_id"], e["on_hand"], e["minimum_quantity"]) for e in below] == [
        (a, "35", "40"),
        (b, "0", "10"),
    ]
    assert below[0]["movement_no"].startswith("CK")
    assert below[1]["movement_no"] is None


def test_township_officer_moves_only_their_own_stock(as_user, setup, ctx):
    town_a, town_b, bureau = as_user("town_a"), as_user("town_b"), as_user("bureau")
    q, a, b = setup["quilt"], setup["a"], setup["b"]
    mine = move(town_a, kind="receipt", warehouse_id=a, item_id=q, quantity=10)
    theirs = move(town_b, kind="receipt", warehouse_id=b, item_id=q, quantity=7)
    # Another township's warehouse is not theirs to move stock in (same answer as a missing one).
    r = town_a.post(MOVES, json={"kind": "issue", "warehouse_id": b, "item_id": q, "quantity": "1"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "warehouse_id"
    assert "不存在或不在您的管辖范围内" in r.json()["errors"][0]["reason"]
    r = set_level(town_a, {"warehouse_id": b, "item_id": q, "minimum_quantity": "1"})
    assert r.status_code == 422
    # Detail answers 404, lists, stock and export leave it out.
    assert town_a.get(f"{MOVES}/{theirs['id']}").status_code == 404
    assert town_a.get(f"{MOVES}/{mine['id']}").status_code == 200
    assert [m["id"] for m in town_a.get(MOVES).json()["items"]] == [mine["id"]]
    assert town_a.get(MOVES, params={"warehouse_id": b}).json()["total"] == 0
    assert stock(town_a) == {(a, q, ""): "10"}
    assert stock(town_a, warehouse_id=b) == {}
    # A transfer may send stock to another township; each side sees its own line.
    t = move(town_a, kind="transfer", warehouse_id=a, item_id=q, quantity=4, to_warehouse_id=b)
    inbound = town_b.get(MOVES, params={"movement_no": t["movement_no"]}).json()["items"]
    assert [
        (m["warehouse_id"], m["quantity_delta"], m["counterpart_warehouse_id"]) for m in inbound
    ] == [(b, "4", a)]
    assert town_b.get(f"{MOVES}/{t['id']}").status_code == 404  # the outbound leg is A's
    assert stock(town_b) == {(b, q, ""): "11"}
    assert len(bureau.get(MOVES).json()["items"]) == 4
    # Roles that do not keep stock may read it but not move it.
    assert as_user("grid_a").get(MOVES).status_code == 200
    r = as_user("grid_a").post(
        MOVES, json={"kind": "receipt", "warehouse_id": a, "item_id": q, "quantity": "1"}
    )
    assert r.status_code == 403
    assert (
        as_user("dept")
        .post(MOVES, json={"kind": "receipt", "warehouse_id": a, "item_id": q, "quantity": "1"})
        .status_code
        == 403
    )


def test_ledger_lines_are_never_changed_or_removed(as_user, setup):
    api = as_user("bureau")
    m = move(api, kind="receipt", warehouse_id=setup["a"], item_id=setup["quilt"], quantity=1)
    assert api.patch(f"{MOVES}/{m['id']}", json={"quantity_delta": "5"}).status_code == 405
    assert api.client.delete(f"{MOVES}/{m['id']}", headers=api.headers).status_code == 405
    assert api.post(f"{MOVES}/{m['id']}/retire", json={"reason": "x"}).status_code == 404


def test_stock_export_lists_what_the_actor_sees(as_user, setup):
    bureau = as_user("bureau")
    q, n, a, b = setup["quilt"], setup["noodles"], setup["a"], setup["b"]
    move(bureau, kind="receipt", warehouse_id=a, item_id=q, quantity=12)
    move(bureau, kind="receipt", warehouse_id=b, item_id=q, quantity=3)
    expiry = (today() + timedelta(days=5)).isoformat()
    move(
        bureau, kind="receipt", warehouse_id=a, item_id=n, quantity=2, batch="L9", expires_on=expiry
    )
    r = as_user("town_a").get("/api/v1/stock/export.xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "物资储备库"
    body = sorted((row[2], row[6], row[8], row[9]) for row in rows[1:])
    assert body == [("1010301", None, 12, "正常"), ("1020201", "L9", 2, "临期")]
