"""Supply reads: the ledger, stock on hand and alerts, scoped by the warehouse's division.

A ledger line, a stock row or an alert is visible exactly when its warehouse is: the
warehouse's site lies in the actor's jurisdiction. The catalogue itself is unscoped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import division_filter, scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.core.pagination import Page, PageParams
from yingji.geo.models import Site
from yingji.registry.queries import check_readable
from yingji.resources.supplies.models import StockLevel, StockMovement, SupplyItem, Warehouse
from yingji.resources.supplies.registry import WAREHOUSES
from yingji.resources.supplies.rules import (
    MovementKind,
    below_minimum,
    expiry_status,
    tidy_quantity,
)
from yingji.resources.supplies.schemas import (
    BelowMinimumAlert,
    ExpiryAlert,
    MovementRead,
    StockAlerts,
    StockRow,
)

# Sums below half the ledger's last decimal are zero (SQLite sums floats, see tidy_quantity).
_ZERO_TOLERANCE = 0.0005


def _visible_warehouses(actor: Actor) -> ColumnElement[bool]:
    # Ledger lines of warehouses the actor may see: their site inside the jurisdiction.
    return StockMovement.warehouse_id.in_(
        select(Warehouse.id)
        .join(Site, Site.id == Warehouse.site_id)
        .where(scope_clause(actor, Site.division_code))
    )


def _warehouse_info(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.execute(
        select(Warehouse.id, Warehouse.name, Site.division_code)
        .join(Site, Site.id == Warehouse.site_id)
        .where(Warehouse.id.in_(set(ids)))
    )
    return {wid: (name, code) for wid, name, code in rows}


def _items(session: Session, ids: Sequence[int]) -> dict[int, SupplyItem]:
    if not ids:
        return {}
    return {i.id: i for i in session.scalars(select(SupplyItem).where(SupplyItem.id.in_(ids)))}


# --- ledger -------------------------------------------------------------------------------------


def to_movement_reads(session: Session, rows: Sequence[StockMovement]) -> list[MovementRead]:
    """Return the API view of ledger lines (warehouse and item details in one query each)."""
    warehouses = _warehouse_info(session, [r.warehouse_id for r in rows])
    items = _items(session, [r.item_id for r in rows])
    out = []
    for row in rows:
        name, division_code = warehouses[row.warehouse_id]
        item = items[row.item_id]
        out.append(
            MovementRead.of(
                row,
                kind=MovementKind(row.kind),
                warehouse_name=name,
                division_code=division_code,
                item_code=item.code,
                item_name=item.name,
                unit=item.unit,
                quantity_delta=tidy_quantity(row.quantity_delta),
                counted=tidy_quantity(row.counted) if row.counted is not None else None,
            )
        )
    return out


def _movement_select(actor: Actor, filters: dict[str, Any] | None) -> Select[tuple[StockMovement]]:
    check_readable(WAREHOUSES, actor)
    stmt = select(StockMovement).where(_visible_warehouses(actor))
    for key, value in (filters or {}).items():
        if value is None or value == "":
            continue
        if key == "division_code":
            stmt = stmt.where(
                StockMovement.warehouse_id.in_(
                    select(Warehouse.id)
                    .join(Site, Site.id == Warehouse.site_id)
                    .where(division_filter(Site.division_code, value))
                )
            )
        elif hasattr(StockMovement, key):
            stmt = stmt.where(getattr(StockMovement, key) == value)
    return stmt


def page_movements(
    session: Session, actor: Actor, params: PageParams, filters: dict[str, Any] | None = None
) -> Page[MovementRead]:
    """Return one page of the ledger the actor may see, newest first."""
    stmt = _movement_select(actor, filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    ordered = stmt.order_by(StockMovement.id.desc()).offset(params.offset).limit(params.size)
    rows = list(session.scalars(ordered))
    return Page(
        items=to_movement_reads(session, rows), total=total, page=params.page, size=params.size
    )


def get_movement(session: Session, actor: Actor, movement_id: int) -> MovementRead:
    """Return one ledger line the actor may see, or raise NotFound (never 403)."""
    row = session.scalar(_movement_select(actor, None).where(StockMovement.id == movement_id))
    if row is None:
        raise NotFound("出入库记录不存在")
    return to_movement_reads(session, [row])[0]


# --- stock on hand ------------------------------------------------------------------------------


def _stock_select(
    actor: Actor,
    warehouse_id: int | None = None,
    item_id: int | None = None,
    division_code: str | None = None,
    category: str | None = None,
    q: str | None = None,
) -> Select[Any]:
    check_readable(WAREHOUSES, actor)
    quantity = func.sum(StockMovement.quantity_delta)
    stmt = (
        select(
            StockMovement.warehouse_id,
            StockMovement.item_id,
            StockMovement.batch,
            func.max(StockMovement.expires_on).label("expires_on"),
            quantity.label("quantity"),
        )
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .join(Site, Site.id == Warehouse.site_id)
        .where(scope_clause(actor, Site.division_code))
        .group_by(StockMovement.warehouse_id, StockMovement.item_id, StockMovement.batch)
        .having(func.abs(quantity) > _ZERO_TOLERANCE)
    )
    if warehouse_id is not None:
        stmt = stmt.where(StockMovement.warehouse_id == warehouse_id)
    if item_id is not None:
        stmt = stmt.where(StockMovement.item_id == item_id)
    if division_code:
        stmt = stmt.where(division_filter(Site.division_code, division_code))
    if category:
        stmt = stmt.where(
            StockMovement.item_id.in_(
                select(SupplyItem.id).where(SupplyItem.code.startswith(category, autoescape=True))
            )
        )
    if q:
        # Item keyword: part of the name, or the start of the code (物资编码).
        stmt = stmt.where(
            StockMovement.item_id.in_(
                select(SupplyItem.id).where(
                    or_(
                        SupplyItem.name.contains(q, autoescape=True),
                        SupplyItem.code.startswith(q, autoescape=True),
                    )
                )
            )
        )
    return stmt


def _stock_rows(session: Session, rows: Sequence[Any]) -> list[StockRow]:
    warehouses = _warehouse_info(session, [r.warehouse_id for r in rows])
    items = _items(session, [r.item_id for r in rows])
    out = []
    for r in rows:
        name, division_code = warehouses[r.warehouse_id]
        item = items[r.item_id]
        out.append(
            StockRow.of(
                r,
                warehouse_name=name,
                division_code=division_code,
                item_code=item.code,
                item_name=item.name,
                unit=item.unit,
                specification=item.specification,
                quantity=tidy_quantity(r.quantity),
            )
        )
    return out


_STOCK_ORDER = (StockMovement.warehouse_id, StockMovement.item_id, StockMovement.batch)


def stock_on_hand(
    session: Session,
    actor: Actor,
    warehouse_id: int | None = None,
    item_id: int | None = None,
    division_code: str | None = None,
    category: str | None = None,
) -> list[StockRow]:
    """Return every non-zero stock row (warehouse, item, batch) the actor may see."""
    stmt = _stock_select(actor, warehouse_id, item_id, division_code, category)
    return _stock_rows(session, list(session.execute(stmt.order_by(*_STOCK_ORDER))))


def page_stock(
    session: Session, actor: Actor, params: PageParams, filters: dict[str, Any]
) -> Page[StockRow]:
    """Return one page of current stock (non-zero rows), ordered by warehouse, item, batch."""
    stmt = _stock_select(actor, **filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        session.execute(stmt.order_by(*_STOCK_ORDER).offset(params.offset).limit(params.size))
    )
    return Page(items=_stock_rows(session, rows), total=total, page=params.page, size=params.size)


def iter_stock(session: Session, actor: Actor, filters: dict[str, Any]) -> Iterator[StockRow]:
    """Yield every stock row the actor may see (for the export), in pages of 2,000."""
    stmt = _stock_select(actor, **filters).order_by(*_STOCK_ORDER)
    offset = 0
    while True:
        rows = list(session.execute(stmt.offset(offset).limit(2000)))
        if not rows:
            return
        yield from _stock_rows(session, rows)
        offset += len(rows)


# --- alerts -------------------------------------------------------------------------------------


def _below_minimum(
    session: Session, actor: Actor, warehouse_id: int | None, division_code: str | None
) -> list[BelowMinimumAlert]:
    totals = (
        select(
            StockMovement.warehouse_id,
            StockMovement.item_id,
            func.sum(StockMovement.quantity_delta).label("quantity"),
        )
        .group_by(StockMovement.warehouse_id, StockMovement.item_id)
        .subquery()
    )
    stmt = (
        select(StockLevel, totals.c.quantity, Warehouse.name, Site.division_code, SupplyItem)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .join(Site, Site.id == Warehouse.site_id)
        .join(SupplyItem, SupplyItem.id == StockLevel.item_id)
        .outerjoin(
            totals,
            and_(
                totals.c.warehouse_id == StockLevel.warehouse_id,
                totals.c.item_id == StockLevel.item_id,
            ),
        )
        .where(scope_clause(actor, Site.division_code))
        .where(StockLevel.minimum_quantity > 0)
        # A retired warehouse or item keeps no reserve.
        .where(Warehouse.retired_at.is_(None), SupplyItem.retired_at.is_(None))
        .order_by(StockLevel.warehouse_id, SupplyItem.code)
    )
    if warehouse_id is not None:
        stmt = stmt.where(StockLevel.warehouse_id == warehouse_id)
    if division_code:
        stmt = stmt.where(division_filter(Site.division_code, division_code))
    out = []
    # Compared in Python with the pure rule: exact decimals on both engines.
    for level, quantity, name, code, item in session.execute(stmt):
        on_hand, minimum = tidy_quantity(quantity), tidy_quantity(level.minimum_quantity)
        if below_minimum(on_hand, minimum):
            out.append(
                BelowMinimumAlert(
                    warehouse_id=level.warehouse_id,
                    warehouse_name=name,
                    division_code=code,
                    item_id=item.id,
                    item_code=item.code,
                    item_name=item.name,
                    unit=item.unit,
                    on_hand=on_hand,
                    minimum_quantity=minimum,
                    shortfall=tidy_quantity(minimum - on_hand),
                )
            )
    return out


def _expiry(
    session: Session,
    actor: Actor,
    today: date,
    warn_days: int,
    warehouse_id: int | None,
    division_code: str | None,
) -> list[ExpiryAlert]:
    horizon = today + timedelta(days=warn_days)
    stmt = _stock_select(actor, warehouse_id, None, division_code).having(
        func.max(StockMovement.expires_on) <= horizon
    )
    alerts = []
    for row in _stock_rows(session, list(session.execute(stmt.order_by(*_STOCK_ORDER)))):
        if row.expires_on is None or row.quantity <= 0:
            continue
        status = expiry_status(row.expires_on, today, warn_days)
        if status != "ok":
            alerts.append(ExpiryAlert(**row.model_dump(exclude={"specification"}), status=status))
    alerts.sort(key=lambda a: (a.expires_on, a.warehouse_id, a.item_code))
    return alerts


def stock_alerts(
    session: Session,
    actor: Actor,
    today: date,
    warn_days: int,
    *,
    warehouse_id: int | None = None,
    division_code: str | None = None,
) -> StockAlerts:
    """Return items under their reserve minimum and batches expired or expiring soon."""
    return StockAlerts(
        today=today,
        warn_days=warn_days,
        below_minimum=_below_minimum(session, actor, warehouse_id, division_code),
        expiry=_expiry(session, actor, today, warn_days, warehouse_id, division_code),
    )


def stock_level(session: Session, warehouse_id: int, item_id: int) -> StockLevel | None:
    """Return the reserve minimum row of an item at a warehouse, or None (unscoped)."""
    return session.scalar(
        select(StockLevel).where(
            StockLevel.warehouse_id == warehouse_id, StockLevel.item_id == item_id
        )
    )


def warehouses_with_sites(session: Session) -> list[tuple[Warehouse, Site]]:
    """Return every unretired warehouse with its site (unscoped: dispatch reads them all)."""
    rows = session.execute(
        select(Warehouse, Site)
        .join(Site, Site.id == Warehouse.site_id)
        .where(Warehouse.retired_at.is_(None))
    )
    return [(warehouse, site) for warehouse, site in rows]


def items_by_id(session: Session, ids: Iterable[int]) -> dict[int, SupplyItem]:
    """Return {id: catalogue item} for the given ids (the catalogue is unscoped)."""
    return _items(session, list(ids))


def find_warehouse(session: Session, warehouse_id: int) -> Warehouse | None:
    """Return the warehouse with ``warehouse_id`` (retired ones too), or None (unscoped)."""
    return session.get(Warehouse, warehouse_id)


def find_item(session: Session, item_id: int) -> SupplyItem | None:
    """Return the catalogue item with ``item_id``, or None."""
    return session.get(SupplyItem, item_id)
