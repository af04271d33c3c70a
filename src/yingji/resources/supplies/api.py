"""The stock ledger's JSON API: movements, current stock, alerts, reserve minimums.

The catalogue (``/api/v1/supplies``) and warehouses (``/api/v1/warehouses``) are served by
the registry kit (see ``registry.py``). Ledger lines are append-only: there is no PATCH and
no retire for ``/api/v1/stock-movements`` — a wrong movement is corrected by an adjustment,
so the ledger always explains how the stock got where it is. Everything here is scoped by
the warehouse's division: another township's movement answers 404 and is absent from lists.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from yingji.core.clock import local_today
from yingji.core.excel import Column, export_rows
from yingji.core.pagination import Page, PageParams
from yingji.resources.supplies import queries, service
from yingji.resources.supplies.rules import EXPIRY_STATUS_LABELS, expiry_status
from yingji.resources.supplies.schemas import (
    MovementCreate,
    MovementFilters,
    MovementRead,
    StockAlerts,
    StockFilters,
    StockLevelRead,
    StockLevelSet,
    StockRow,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MOVEMENTS = "/api/v1/stock-movements"

router = APIRouter(tags=["物资库存"])


def _given(params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.model_dump().items() if v not in (None, "")}


@router.get(
    MOVEMENTS, response_model=Page[MovementRead], summary="列出出入库记录（台账，最新在前）"
)
def list_movements(
    filters: Annotated[MovementFilters, Query()],
    actor: ApiActor,
    session: ReadSession,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Page[MovementRead]:
    """List the ledger lines the actor may see."""
    return queries.page_movements(session, actor, PageParams(page=page, size=size), _given(filters))


@router.post(
    MOVEMENTS,
    response_model=MovementRead,
    status_code=201,
    summary="登记出入库（入库、出库、调拨、调整、盘点）",
    responses={
        200: {"description": "replay: a movement with this kind and reference already exists"},
        409: {"description": "the reference was already used for a different movement"},
        422: {"description": "refused, e.g. stock would become negative (field quantity)"},
    },
)
def record_movement(
    body: MovementCreate, response: Response, actor: ApiActor, ctx: Ctx
) -> MovementRead:
    """Record a movement; a retry with the same reference answers 200 with the original."""
    with ctx.uow(actor) as uow:
        read, created = service.record_movement(uow, body)
        if created:
            uow.commit()
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"{MOVEMENTS}/{read.id}"
    return read


@router.get(f"{MOVEMENTS}/{{movement_id}}", response_model=MovementRead, summary="查看出入库记录")
def movement_detail(movement_id: int, actor: ApiActor, session: ReadSession) -> MovementRead:
    """Return one ledger line (404 outside the actor's jurisdiction)."""
    return queries.get_movement(session, actor, movement_id)


@router.get(
    "/api/v1/stock", response_model=Page[StockRow], summary="当前库存（按仓库、物资、批次）"
)
def list_stock(
    filters: Annotated[StockFilters, Query()],
    actor: ApiActor,
    session: ReadSession,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[StockRow]:
    """List current stock derived from the ledger (rows with a non-zero quantity)."""
    return queries.page_stock(session, actor, PageParams(page=page, size=size), _given(filters))


@router.get(
    "/api/v1/stock/alerts",
    response_model=StockAlerts,
    summary="库存预警（低于最低储备、临期、过期）",
)
def stock_alerts(
    actor: ApiActor,
    ctx: Ctx,
    session: ReadSession,
    warn_days: Annotated[int | None, Query(ge=0, le=3650, title="临期预警天数")] = None,
    warehouse_id: int | None = None,
    division_code: str | None = None,
) -> StockAlerts:
    """Return reserve-minimum and expiry alerts in the actor's jurisdiction."""
    days = warn_days if warn_days is not None else int(ctx.settings.stock_expiry_warn_days)
    return queries.stock_alerts(
        session,
        actor,
        local_today(ctx.settings.timezone, ctx.clock.now()),
        days,
        warehouse_id=warehouse_id,
        division_code=division_code,
    )


STOCK_COLUMNS = [
    Column("warehouse_name", "物资储备库"),
    Column("division_code", "行政区划代码"),
    Column("item_code", "物资编码"),
    Column("item_name", "物资名称"),
    Column("specification", "规格型号"),
    Column("unit", "计量单位"),
    Column("batch", "批次"),
    Column("expires_on", "有效期至", "date"),
    Column("quantity", "库存数量", "decimal"),
    Column("expiry_status", "有效期状态", choices=EXPIRY_STATUS_LABELS),
]


@router.get(
    "/api/v1/stock/export.xlsx",
    summary="导出当前库存",
    responses={200: {"content": {XLSX: {}}}},
)
def export_stock(
    filters: Annotated[StockFilters, Query()], actor: ApiActor, ctx: Ctx, session: ReadSession
) -> Response:
    """Return the current stock the actor may see as a workbook."""
    today = local_today(ctx.settings.timezone, ctx.clock.now())
    warn_days = int(ctx.settings.stock_expiry_warn_days)
    rows = (
        {**row.model_dump(), "expiry_status": expiry_status(row.expires_on, today, warn_days)}
        for row in queries.iter_stock(session, actor, _given(filters))
    )
    content = export_rows("当前库存", STOCK_COLUMNS, rows)
    disposition = f"attachment; filename=stock.xlsx; filename*=UTF-8''{quote('当前库存.xlsx')}"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.put("/api/v1/stock-levels", response_model=StockLevelRead, summary="设置最低储备量")
def set_stock_level(body: StockLevelSet, actor: ApiActor, ctx: Ctx) -> StockLevelRead:
    """Set the reserve minimum of an item at a warehouse."""
    with ctx.uow(actor) as uow:
        read = service.set_minimum(uow, body)
        uow.commit()
    return read


routers = [router]
