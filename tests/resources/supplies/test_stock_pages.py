"""Stock ledger pages: stock, alerts, ledger list, the movement form, scoping, idempotency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from support.district import POINT_A, POINT_B
from support.web import signed_in
from yingji.core.audit import AuditEntry
from yingji.resources.supplies.models import StockMovement

_REFERENCE = re.compile(r'name="reference" value="(web-[0-9a-f]{32})"')


@pytest.fixture
def setup(as_user) -> dict[str, Any]:
    """Two catalogue items, a warehouse in each township."""
    bureau = as_user("bureau")

    def post(url: str, body: dict[str, Any]) -> int:
        r = bureau.post(url, json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def wh(name: str, point: tuple[float, float]) -> int:
        body = {"name": name, "level": "township", "longitude": point[0], "latitude": point[1]}
        return post("/api/v1/warehouses", body)

    return {
        "quilt": post("/api/v1/supplies", {"code": "1010301", "name": "棉被", "unit": "床"}),
        "noodles": post(
            "/api/v1/supplies",
            {"code": "1020201", "name": "方便面", "unit": "箱", "shelf_life_days": 180},
        ),
        "a": wh("昌元街道储备点", POINT_A),
        "b": wh("昌州街道储备点", POINT_B),
    }


@pytest.fixture
def other(app: Any) -> Iterator[TestClient]:
    """Return a second browser (its own cookies) on the same app."""
    with TestClient(app) as second:
        yield second


def _api_move(as_user: Any, user: str = "bureau", **body: Any) -> dict[str, Any]:
    r = as_user(user).post("/api/v1/stock-movements", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _form(client: TestClient, **prefill: Any) -> tuple[str, str]:
    """Open the movement form; return its page and the reference it carries."""
    page = client.get("/stock-movements/new", params=prefill)
    assert page.status_code == 200, page.text[:500]
    found = _REFERENCE.search(page.text)
    assert found, "the form carries no reference"
    return page.text, found.group(1)


def _post(client: TestClient, token: str, reference: str, **data: Any) -> Any:
    body = {"csrf_token": token, "reference": reference, **{k: str(v) for k, v in data.items()}}
    return client.post("/stock-movements/new", data=body, follow_redirects=False)


def _field_block(html: str, name: str) -> str:
    # The markup of one form field: from its container to the next field's.
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 1)
    return html[start : end if end > 0 else len(html)]


def _rows(html: str) -> str:
    """Return the table bodies of a page (the filters' options list names too)."""
    return "".join(part.split("</tbody>")[0] for part in html.split("<tbody>")[1:])


def _counts(ctx: Any) -> tuple[int, int]:
    with ctx.session_factory() as s:
        movements = s.scalar(select(func.count()).select_from(StockMovement)) or 0
        audit = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return movements, audit


def test_stock_pages_render_for_bureau(client, as_user, setup):
    token = signed_in(client, "bureau")
    q, n, a = setup["quilt"], setup["noodles"], setup["a"]
    _api_move(as_user, kind="receipt", warehouse_id=a, item_id=q, quantity="40")
    _api_move(
        as_user,
        kind="receipt",
        warehouse_id=a,
        item_id=n,
        quantity="5",
        batch="B1",
        expires_on="2020-01-01",  # long expired
    )
    r = as_user("bureau").client.put(
        "/api/v1/stock-levels",
        json={"warehouse_id": a, "item_id": q, "minimum_quantity": "100"},
        headers=as_user("bureau").headers,
    )
    assert r.status_code == 200, r.text

    stock = client.get("/stock")
    assert stock.status_code == 200
    for text in ("库存台账", "昌元街道储备点", "棉被", "40 床", "方便面", "过期", 'href="/stock"'):
        assert text in stock.text, text
    assert 'href="/api/v1/stock/export.xlsx"' in stock.text
    assert "登记出入库" in stock.text
    # Filters: keyword, category, warehouse; the export link carries the same filters.
    by_name = client.get("/stock", params={"q": "棉被"}).text
    assert "棉被" in by_name
    assert "方便面" not in by_name
    assert "/api/v1/stock/export.xlsx?q=%E6%A3%89%E8%A2%AB" in by_name
    assert "方便面" in client.get("/stock", params={"category": "102"}).text
    assert "棉被" not in client.get("/stock", params={"category": "102"}).text
    filtered = client.get("/stock", params={"warehouse_id": a}).text
    assert f"/api/v1/stock/export.xlsx?warehouse_id={a}" in filtered
    export = client.get(f"/api/v1/stock/export.xlsx?q=%E6%A3%89%E8%A2%AB&warehouse_id={a}")
    assert export.status_code == 200
    bad = client.get("/stock", params={"warehouse_id": "x"})
    assert bad.status_code == 200
    assert "筛选条件“仓库”无效" in bad.text

    alerts = client.get("/stock/alerts")
    assert alerts.status_code == 200
    assert "低于最低储备" in alerts.text
    assert "60 床" in alerts.text
    assert "B1" in alerts.text
    assert "已过期" in alerts.text

    ledger = client.get("/stock-movements")
    assert ledger.status_code == 200
    assert ledger.text.count("RK") >= 2
    assert 'href="/stock-movements/new"' in ledger.text
    assert "方便面" not in _rows(client.get("/stock-movements", params={"item_id": q}).text)
    assert "暂无出入库记录" in client.get("/stock-movements", params={"kind": "issue"}).text

    html, _ = _form(client, kind="issue", warehouse_id=a, item_id=q)
    assert f'<option value="{a}" selected>' in html
    assert '<option value="issue" selected>' in html
    assert 'name="csrf_token"' in html
    assert token in html

    detail = client.get(f"/warehouses/{a}").text
    assert f'href="/stock?warehouse_id={a}"' in detail
    assert f'href="/stock-movements?warehouse_id={a}"' in detail


def test_receipt_then_over_issue_through_the_form(client, setup, ctx):
    token = signed_in(client, "bureau")
    q, a = setup["quilt"], setup["a"]
    _, reference = _form(client)
    answer = _post(
        client,
        token,
        reference,
        kind="receipt",
        warehouse_id=a,
        item_id=q,
        quantity=10,
        reason="区级下拨",
    )
    assert answer.status_code == 303, answer.text[:800]
    assert answer.headers["location"] == "/stock-movements"
    ledger = client.get("/stock-movements").text
    assert "已登记入库，单号 RK" in ledger
    assert "区级下拨" in ledger
    assert "+10 床" in ledger
    assert "10 床" in client.get("/stock").text
    before = _counts(ctx)

    _, reference = _form(client)
    refused = _post(client, token, reference, kind="issue", warehouse_id=a, item_id=q, quantity=11)
    assert refused.status_code == 422
    block = _field_block(refused.text, "quantity")
    assert "库存不足" in block
    assert 'class="field-error"' in block
    assert 'value="11"' in block  # what was typed is shown again
    assert f'name="reference" value="{reference}"' in refused.text  # same form, same reference
    assert _counts(ctx) == before  # nothing written, not even an audit row

    fixed = _post(client, token, reference, kind="issue", warehouse_id=a, item_id=q, quantity=4)
    assert fixed.status_code == 303
    assert "6 床" in client.get("/stock").text


def test_each_kind_reads_only_its_own_fields(client, setup, ctx):
    token = signed_in(client, "bureau")
    q, n, a, b = setup["quilt"], setup["noodles"], setup["a"], setup["b"]
    # A receipt with a leftover destination and count (fields hidden for receipts) is fine.
    _, ref = _form(client)
    ok = _post(
        client,
        token,
        ref,
        kind="receipt",
        warehouse_id=a,
        item_id=q,
        quantity=20,
        to_warehouse_id=b,
        counted=3,
    )
    assert ok.status_code == 303, ok.text[:800]
    _, ref = _form(client)
    moved = _post(
        client,
        token,
        ref,
        kind="transfer",
        warehouse_id=a,
        item_id=q,
        quantity=5,
        to_warehouse_id=b,
        counted=99,
    )
    assert moved.status_code == 303, moved.text[:800]
    _, ref = _form(client)
    counted = _post(
        client,
        token,
        ref,
        kind="stocktake",
        warehouse_id=a,
        item_id=q,
        quantity=7,
        counted=14,
        occurred_at="2026-01-02T09:30",
    )
    assert counted.status_code == 303, counted.text[:800]
    ledger = client.get("/stock-movements").text
    assert "调往 昌州街道储备点" in ledger
    assert "来自 昌元街道储备点" in ledger
    assert "2026-01-02 09:30" in ledger
    stock = client.get("/stock").text
    assert "14 床" in stock
    assert "5 床" in stock
    # Kind-specific needs are reported next to their fields.
    _, ref = _form(client)
    missing = _post(client, token, ref, kind="adjustment", warehouse_id=a, item_id=q)
    assert missing.status_code == 422
    assert "必填项" in _field_block(missing.text, "quantity")
    assert "必填项" in _field_block(missing.text, "reason")
    _, ref = _form(client)
    no_reason = _post(client, token, ref, kind="adjustment", warehouse_id=a, item_id=q, quantity=-1)
    assert "调整须填写原因" in _field_block(no_reason.text, "reason")
    _, ref = _form(client)
    no_expiry = _post(client, token, ref, kind="receipt", warehouse_id=a, item_id=n, quantity=1)
    assert "有效期" in _field_block(no_expiry.text, "expires_on")
    _, ref = _form(client)
    blank = _post(client, token, ref, kind="receipt", quantity="abc")
    assert blank.status_code == 422
    assert "必填项" in _field_block(blank.text, "warehouse_id")
    assert "应为数字" in _field_block(blank.text, "quantity")
    assert _counts(ctx)[0] == 4  # receipt, transfer (two lines), stocktake


def test_township_officer_sees_only_own_stock_and_cannot_move_others(
    client, other, as_user, setup, ctx
):
    q, a, b = setup["quilt"], setup["a"], setup["b"]
    _api_move(as_user, kind="receipt", warehouse_id=a, item_id=q, quantity="8", reason="甲")
    _api_move(as_user, kind="receipt", warehouse_id=b, item_id=q, quantity="9", reason="乙方入库")
    token = signed_in(client, "town_a")
    signed_in(other, "town_b")

    stock = client.get("/stock").text
    assert "昌元街道储备点" in stock
    assert "昌州街道储备点" not in stock
    assert "9 床" not in stock
    assert "暂无库存" in client.get("/stock", params={"warehouse_id": b}).text
    assert "昌州街道储备点" not in client.get("/stock/alerts").text
    ledger = client.get("/stock-movements").text
    assert "乙方入库" not in ledger
    assert "昌州街道储备点" not in ledger
    assert "暂无出入库记录" in client.get("/stock-movements", params={"warehouse_id": b}).text
    html, reference = _form(client)
    for name in ("warehouse_id", "to_warehouse_id"):
        block = _field_block(html, name)
        assert f'<option value="{a}"' in block
        assert f'<option value="{b}"' not in block
    assert "昌州街道储备点" not in html
    assert "昌州街道储备点" in other.get("/stock").text  # B's officer does see it

    before = _counts(ctx)
    refused = _post(client, token, reference, kind="issue", warehouse_id=b, item_id=q, quantity=1)
    assert refused.status_code in (404, 422)
    assert "不存在或不在您的管辖范围内" in _field_block(refused.text, "warehouse_id")
    assert _counts(ctx) == before
    assert client.get(f"/warehouses/{b}").status_code == 404


def test_readers_without_write_rights_get_no_form(client):
    signed_in(client, "inspector")
    ledger = client.get("/stock-movements")
    assert ledger.status_code == 200
    assert 'href="/stock-movements/new"' not in ledger.text
    assert client.get("/stock-movements/new").status_code == 403


def test_double_submit_with_the_same_reference_writes_once(client, setup, ctx):
    token = signed_in(client, "bureau")
    q, a = setup["quilt"], setup["a"]
    _, reference = _form(client)
    form = {"kind": "receipt", "warehouse_id": a, "item_id": q, "quantity": 12}
    first = _post(client, token, reference, **form)
    assert first.status_code == 303
    after_first = _counts(ctx)
    second = _post(client, token, reference, **form)
    assert second.status_code == 303
    assert _counts(ctx) == after_first
    ledger = client.get("/stock-movements").text
    assert "重复提交未再次记账" in ledger
    assert client.get("/stock").text.count("12 床") == 1
    # The same form sent again with different content is refused, with a fresh reference.
    changed = _post(client, token, reference, **{**form, "quantity": 13})
    assert changed.status_code == 409
    assert "业务参考号" in changed.text
    fresh = _REFERENCE.search(changed.text)
    assert fresh
    assert fresh.group(1) != reference
    assert _counts(ctx) == after_first


def test_csrf_is_required(client, setup, ctx):
    signed_in(client, "bureau")
    _, reference = _form(client)
    data = {"kind": "receipt", "warehouse_id": setup["a"], "item_id": setup["quilt"]}
    answer = client.post(
        "/stock-movements/new", data={**data, "quantity": "1", "reference": reference}
    )
    assert answer.status_code == 403
    assert _counts(ctx)[0] == 0
