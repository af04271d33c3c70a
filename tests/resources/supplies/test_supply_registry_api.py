"""The catalogue and warehouse registries: the unscoped catalogue, codes, scoping, summary."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from support.district import DISTRICT, POINT_A, POINT_B, TOWN_A
from yingji.core.actor import system_actor
from yingji.core.audit import AuditEntry
from yingji.resources.supplies.models import SupplyItem
from yingji.resources.supplies.service import ensure_catalogue_items


def item(code: str = "1010301", **extra: Any) -> dict[str, Any]:
    body = {"code": code, "name": "棉被", "unit": "床", "specification": "2m×1.8m"}
    body.update(extra)
    return body


def warehouse(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "昌元街道物资储备点",
        "level": "township",
        "manager": "李明",
        "phone": "023-46731234",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def test_catalogue_is_district_wide_read_by_all_written_by_bureau(as_user, ctx):
    r = as_user("bureau").post("/api/v1/supplies", json=item())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["division_code"] == DISTRICT  # filed under the district, not a township
    assert body["category"] == ["基本生活保障物资", "住宿类", "被服"]
    sid = body["id"]
    # A township officer, a grid member and a department officer all read the whole catalogue.
    for user in ("town_a", "town_b", "grid_a", "dept", "duty"):
        api = as_user(user)
        assert api.get("/api/v1/supplies").json()["total"] == 1, user
        assert api.get(f"/api/v1/supplies/{sid}").status_code == 200, user
    # ... but only admin and bureau staff maintain it.
    town = as_user("town_a")
    assert town.post("/api/v1/supplies", json=item("1010302")).status_code == 403
    assert town.patch(f"/api/v1/supplies/{sid}", json={"name": "x"}).status_code == 403
    assert town.post(f"/api/v1/supplies/{sid}/retire", json={"reason": "x"}).status_code == 403
    r = as_user("admin").patch(f"/api/v1/supplies/{sid}", json={"specification": "单人"})
    assert r.status_code == 200, r.text
    with ctx.session_factory() as s:
        actions = [
            (a.action, a.actor_name)
            for a in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "resources_supply_item")
                .order_by(AuditEntry.id)
            )
        ]
    assert actions == [("resources.supply.create", "bureau"), ("resources.supply.update", "admin")]


def test_supply_code_must_be_a_gbt38565_leaf_and_unique(as_user):
    api = as_user("bureau")
    for code, reason in [
        ("10103", "应为7位细类编码"),
        ("4010101", "大类代码应为1、2或3"),
        ("1000101", "中类代码不能为00"),
        ("10a0301", "物资编码应只含数字"),
    ]:
        r = api.post("/api/v1/supplies", json=item(code))
        assert r.status_code == 422, code
        assert r.json()["errors"] == [{"field": "code", "reason": reason}], code
    assert api.post("/api/v1/supplies", json=item()).status_code == 201
    r = api.post("/api/v1/supplies", json=item(name="另一个棉被"))
    assert r.status_code == 422
    assert r.json()["errors"][0] == {"field": "code", "reason": "物资编码 1010301 已存在"}
    # A locally allocated code may be remapped later; not onto a code already in use.
    other = api.post("/api/v1/supplies", json=item("1010302", name="毛毯", unit="条")).json()
    r = api.patch(f"/api/v1/supplies/{other['id']}", json={"code": "1010301"})
    assert r.status_code == 422
    assert api.patch(f"/api/v1/supplies/{other['id']}", json={"code": "1019901"}).status_code == 200


def test_catalogue_filters_by_category_prefix_and_keyword(as_user):
    api = as_user("bureau")
    api.post("/api/v1/supplies", json=item())
    api.post("/api/v1/supplies", json=item("2010101", name="救生衣", unit="件"))
    assert api.get("/api/v1/supplies", params={"category": "101"}).json()["total"] == 1
    assert api.get("/api/v1/supplies", params={"category": "2"}).json()["total"] == 1
    assert api.get("/api/v1/supplies", params={"q": "救生"}).json()["total"] == 1
    assert api.get("/api/v1/supplies", params={"q": "2010"}).json()["total"] == 1


def test_catalogue_import_and_export(as_user):
    api = as_user("bureau")
    wb = Workbook()
    ws = wb.active
    ws.title = "应急物资"
    ws.append(["物资编码", "名称", "计量单位", "规格型号", "保质期(天)"])
    ws.append([1020201, "方便面", "箱", "24桶/箱", 180])
    ws.append(["2010101", "救生衣", "件", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    files = {"file": ("s.xlsx", buf.getvalue(), "application/octet-stream")}
    r = api.post("/api/v1/supplies/import", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    # Every role that reads the catalogue exports all of it.
    r = as_user("town_b").get("/api/v1/supplies/export.xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][:5] == ("1020201", "方便面", "箱", "24桶/箱", 180)
    assert len(rows) == 3


def test_ensure_catalogue_items_registers_every_leaf_once(ctx):
    with ctx.uow(system_actor("seed")) as uow:
        created = ensure_catalogue_items(uow)
        uow.commit()
    assert created > 50
    with ctx.uow(system_actor("seed")) as uow:
        assert ensure_catalogue_items(uow) == 0
        uow.commit()
    with ctx.session_factory() as s:
        tent = s.scalar(select(SupplyItem).where(SupplyItem.code == "1010101"))
        assert tent is not None
        assert (tent.name, tent.unit, tent.division_code) == ("单帐篷", "顶", DISTRICT)


def test_warehouses_are_scoped_by_township(as_user):
    town_a, town_b = as_user("town_a"), as_user("town_b")
    r = town_a.post("/api/v1/warehouses", json=warehouse())
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    assert r.json()["division_code"].startswith(TOWN_A)
    assert (r.json()["item_kinds"], r.json()["below_minimum"]) == (0, 0)
    assert town_b.get(f"/api/v1/warehouses/{wid}").status_code == 404
    assert town_b.get("/api/v1/warehouses").json()["total"] == 0
    assert town_b.get("/api/v1/warehouses.geojson").json()["features"] == []
    assert town_b.patch(f"/api/v1/warehouses/{wid}", json={"name": "x"}).status_code == 404
    assert town_a.get("/api/v1/warehouses.geojson").json()["features"][0]["id"] == wid
    assert as_user("bureau").get("/api/v1/warehouses").json()["total"] == 1
    # A township officer cannot register a warehouse in another township.
    r = town_a.post("/api/v1/warehouses", json=warehouse(POINT_B))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "division_code"


def test_warehouse_refuses_unknown_owner_department_and_level(as_user):
    api = as_user("bureau")
    r = api.post("/api/v1/warehouses", json=warehouse(owner_department_id=999999))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "owner_department_id"
    r = api.post("/api/v1/warehouses", json=warehouse(level="province"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "level"


def test_catalogue_refuses_a_division(as_user):
    r = as_user("bureau").post("/api/v1/supplies", json=item(division_code="500153001"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "division_code"
