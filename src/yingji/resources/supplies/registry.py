"""The supply catalogue and warehouse registries' declarations for the registry kit.

The catalogue (``/api/v1/supplies``) is district-wide reference data: it is unscoped
(``RegistrySpec.scoped = False``), so every role that reads registries sees every item —
a township officer must be able to pick 棉被 when receiving stock — while only admin and
bureau staff maintain it. Warehouses (``/api/v1/warehouses``) are sited and scoped like
every other registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.queries import department_exists
from yingji.accounts.rules import Role
from yingji.core.errors import FieldError
from yingji.core.excel import Column
from yingji.registry.columns import LOCATION_COLUMNS
from yingji.registry.spec import RegistrySpec
from yingji.resources.supplies.ledger import item_totals, minimums
from yingji.resources.supplies.models import SupplyItem, Warehouse
from yingji.resources.supplies.rules import (
    WAREHOUSE_LEVEL_LABELS,
    below_minimum,
    validate_supply_code,
)
from yingji.resources.supplies.schemas import (
    SupplyCreate,
    SupplyFilters,
    SupplyRead,
    SupplyUpdate,
    WarehouseCreate,
    WarehouseFilters,
    WarehouseRead,
    WarehouseUpdate,
)

CATALOGUE_WRITERS = frozenset({Role.ADMIN, Role.BUREAU_STAFF})


def _validate_supply(session: Session, values: dict[str, Any], row: Any) -> list[FieldError]:
    code = str(values.get("code") or "")
    # Stock is held against 细类 items only (GB/T 38565-2020 §5.2: 7 digits, 4 levels).
    problem = validate_supply_code(code, require_leaf=True)
    if problem is not None:
        return [FieldError("code", problem)]
    clash = select(SupplyItem.id).where(SupplyItem.code == code)
    if row is not None:
        clash = clash.where(SupplyItem.id != row.id)
    if session.scalar(clash) is not None:
        return [FieldError("code", f"物资编码 {code} 已存在")]
    return []


def _validate_warehouse(session: Session, values: dict[str, Any], _row: Any) -> list[FieldError]:
    department_id = values.get("owner_department_id")
    if department_id is not None and not department_exists(session, department_id):
        return [FieldError("owner_department_id", f"部门 {department_id} 不存在")]
    return []


def _stock_summary(session: Session, rows: Sequence[Any]) -> dict[int, dict[str, Any]]:
    # Two grouped queries for the whole page, not two per warehouse.
    ids = [row.id for row in rows]
    totals = item_totals(session, ids)
    mins = minimums(session, ids)
    out: dict[int, dict[str, Any]] = {wid: {"item_kinds": 0, "below_minimum": 0} for wid in ids}
    for (wid, _), quantity in totals.items():
        if quantity > 0:
            out[wid]["item_kinds"] += 1
    for (wid, iid), minimum in mins.items():
        if minimum > 0 and below_minimum(totals.get((wid, iid), Decimal(0)), minimum):
            out[wid]["below_minimum"] += 1
    return out


SUPPLY_COLUMNS = [
    Column("code", "物资编码", required=True, example="1010301", note="GB/T 38565 七位细类编码"),
    Column("name", "名称", required=True, example="棉被"),
    Column("unit", "计量单位", required=True, example="床"),
    Column("specification", "规格型号", example="2m×1.8m 真空包装"),
    Column("shelf_life_days", "保质期(天)", "int", note="无保质期留空"),
]

SUPPLIES = RegistrySpec(
    name="supplies",
    entity="supply",
    title="应急物资",
    model=SupplyItem,
    read_schema=SupplyRead,
    create_schema=SupplyCreate,
    update_schema=SupplyUpdate,
    filter_schema=SupplyFilters,
    columns=SUPPLY_COLUMNS,
    sited=False,
    scoped=False,
    writer_roles=CATALOGUE_WRITERS,
    nav_group="services",
    filters={"category": lambda prefix, _s: SupplyItem.code.startswith(prefix, autoescape=True)},
    search_attrs=("name", "code"),
    order_by="code",
    validate=_validate_supply,
    list_fields=("code", "name", "unit", "specification"),
)

WAREHOUSE_COLUMNS = [
    Column("name", "名称", required=True, example="昌元街道应急物资储备点"),
    Column("level", "级别", required=True, choices=WAREHOUSE_LEVEL_LABELS),
    Column("manager", "管理人"),
    Column("phone", "联系电话"),
    Column("capacity_m2", "库房面积(平方米)", "decimal", example=200),
    Column("owner_department_id", "权属部门编号", "int", note="系统中的部门编号，可留空"),
    *LOCATION_COLUMNS,
]

WAREHOUSES = RegistrySpec(
    name="warehouses",
    entity="warehouse",
    title="物资储备库",
    model=Warehouse,
    read_schema=WarehouseRead,
    create_schema=WarehouseCreate,
    update_schema=WarehouseUpdate,
    filter_schema=WarehouseFilters,
    columns=WAREHOUSE_COLUMNS,
    nav_group="services",
    validate=_validate_warehouse,
    list_fields=("name", "level", "manager", "phone", "item_kinds", "below_minimum"),
    choice_labels={"level": WAREHOUSE_LEVEL_LABELS},
    extra_read=_stock_summary,
    detail_links=(
        ("库存", "/stock?warehouse_id={id}"),
        ("出入库记录", "/stock-movements?warehouse_id={id}"),
    ),
    personal_fields=frozenset({"phone"}),
)

REGISTRIES = [SUPPLIES, WAREHOUSES]
