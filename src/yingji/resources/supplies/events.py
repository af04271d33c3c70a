"""Supply events: stock moved, and stock fell under its reserve minimum (announced up)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from yingji.core.events import Event


class StockMoved(Event):
    """A ledger line was written (one per warehouse a movement touches)."""

    name: ClassVar[str] = "supplies.stock_moved"
    movement_id: int
    movement_no: str
    kind: str
    warehouse_id: int
    item_id: int
    batch: str
    quantity_delta: Decimal
    on_hand: Decimal  # the batch's quantity at this warehouse afterwards
    division_code: str


class StockBelowMinimum(Event):
    """An item's stock at a warehouse went from at-or-above to under its reserve minimum."""

    name: ClassVar[str] = "supplies.stock_below_minimum"
    warehouse_id: int
    item_id: int
    on_hand: Decimal
    minimum_quantity: Decimal
    division_code: str
    movement_no: str | None = None  # None when a raised minimum, not a movement, caused it
