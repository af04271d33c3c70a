"""Ledger arithmetic in SQL: balances, minimums, batch expiry and the warehouse row locks.

Unscoped building blocks for ``queries`` (which scope by the actor first), ``service`` and the
warehouse stock summary. Every quantity leaves here through ``rules.tidy_quantity``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.resources.supplies.models import (
    StockLevel,
    StockMovement,
    StockReservation,
    Warehouse,
)
from yingji.resources.supplies.rules import tidy_quantity

Key = tuple[int, int]  # (warehouse_id, item_id)


def lock_warehouses(session: Session, warehouse_ids: Collection[int]) -> None:
    """Lock the warehouse rows a movement touches until the transaction ends.

    PostgreSQL: ``SELECT ... FOR UPDATE`` in id order (two transfers in opposite directions
    then queue instead of deadlocking). A second movement on the same warehouse waits here and,
    under READ COMMITTED, its next statement — the on-hand sum — sees the first one's rows.
    SQLite renders no FOR UPDATE: the unit of work began with BEGIN IMMEDIATE (core.db), which
    already serializes every write transaction.
    """
    session.execute(
        select(Warehouse.id)
        .where(Warehouse.id.in_(sorted(set(warehouse_ids))))
        .order_by(Warehouse.id)
        .with_for_update()
    ).all()


def batch_on_hand(session: Session, warehouse_id: int, item_id: int, batch: str) -> Decimal:
    """Return the quantity of one item batch held at one warehouse."""
    total = session.scalar(
        select(func.sum(StockMovement.quantity_delta)).where(
            StockMovement.warehouse_id == warehouse_id,
            StockMovement.item_id == item_id,
            StockMovement.batch == batch,
        )
    )
    return tidy_quantity(total)


def item_on_hand(session: Session, warehouse_id: int, item_id: int) -> Decimal:
    """Return the quantity of an item held at a warehouse, all batches together."""
    total = session.scalar(
        select(func.sum(StockMovement.quantity_delta)).where(
            StockMovement.warehouse_id == warehouse_id, StockMovement.item_id == item_id
        )
    )
    return tidy_quantity(total)


def item_totals(session: Session, warehouse_ids: Collection[int]) -> dict[Key, Decimal]:
    """Return {(warehouse, item): quantity} for the given warehouses (one grouped query)."""
    if not warehouse_ids:
        return {}
    rows = session.execute(
        select(
            StockMovement.warehouse_id,
            StockMovement.item_id,
            func.sum(StockMovement.quantity_delta),
        )
        .where(StockMovement.warehouse_id.in_(set(warehouse_ids)))
        .group_by(StockMovement.warehouse_id, StockMovement.item_id)
    )
    return {(wid, iid): tidy_quantity(total) for wid, iid, total in rows}


def minimums(session: Session, warehouse_ids: Collection[int]) -> dict[Key, Decimal]:
    """Return {(warehouse, item): reserve minimum} for the given warehouses (0 = none)."""
    if not warehouse_ids:
        return {}
    rows = session.execute(
        select(StockLevel.warehouse_id, StockLevel.item_id, StockLevel.minimum_quantity).where(
            StockLevel.warehouse_id.in_(set(warehouse_ids))
        )
    )
    return {(wid, iid): tidy_quantity(minimum) for wid, iid, minimum in rows}


def find_minimum(session: Session, warehouse_id: int, item_id: int) -> Decimal | None:
    """Return the reserve minimum of an item at a warehouse, or None when none is set."""
    value = session.scalar(
        select(StockLevel.minimum_quantity).where(
            StockLevel.warehouse_id == warehouse_id, StockLevel.item_id == item_id
        )
    )
    if value is None:
        return None
    minimum = tidy_quantity(value)
    return minimum if minimum > 0 else None


def batch_expiry(session: Session, item_id: int, batch: str) -> date | None:
    """Return the expiry date already on record for an item batch (any warehouse), or None."""
    if not batch:
        return None
    return session.scalar(
        select(func.max(StockMovement.expires_on)).where(
            StockMovement.item_id == item_id,
            StockMovement.batch == batch,
            StockMovement.expires_on.is_not(None),
        )
    )


def reserved_quantity(
    session: Session, warehouse_id: int, item_id: int, *, except_reference: str | None = None
) -> Decimal:
    """Return how much of an item at a warehouse active reservations hold."""
    query = select(func.sum(StockReservation.quantity)).where(
        StockReservation.warehouse_id == warehouse_id,
        StockReservation.item_id == item_id,
        StockReservation.state == "active",
    )
    if except_reference is not None:
        query = query.where(StockReservation.reference != except_reference)
    return tidy_quantity(session.scalar(query))


def batches_on_hand(
    session: Session, warehouse_id: int, item_id: int
) -> list[tuple[str, date | None, Decimal]]:
    """Return (batch, expiry, quantity) of the positive batches, first expiring first."""
    rows = session.execute(
        select(
            StockMovement.batch,
            func.max(StockMovement.expires_on),
            func.sum(StockMovement.quantity_delta),
        )
        .where(StockMovement.warehouse_id == warehouse_id, StockMovement.item_id == item_id)
        .group_by(StockMovement.batch)
    )
    found = [(b, e, tidy_quantity(q)) for b, e, q in rows if tidy_quantity(q) > 0]
    # FEFO: batches with an expiry date go first, earliest first; undated ones last.
    found.sort(key=lambda r: (r[1] is None, r[1] or date.max, r[0]))
    return found
