"""Supply tables: the catalogue, warehouses, the stock ledger and reserve minimums.

Stock is never stored as a balance: ``resources_stock_movement`` is an append-only ledger
and the quantity on hand is ``SUM(quantity_delta)`` per warehouse, item and batch.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime
from yingji.registry.models import DivisionColumns, SitedColumns

# 14 digits, 3 decimals: enough for 10^11 pieces and for kg / m² / m³ to the gram / litre.
Quantity = Numeric(14, 3)


class SupplyItem(DivisionColumns, Base):
    """A catalogue item (应急物资, 细类) coded per GB/T 38565-2020; district-wide reference data.

    ``division_code`` is always the district: the catalogue is shared by every warehouse and
    read by every role (the registry spec is unscoped), only the bureau maintains it.
    """

    __tablename__ = "resources_supply_item"

    code: Mapped[str] = mapped_column(String(7), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    specification: Mapped[str | None] = mapped_column(String(200))
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)


class Warehouse(SitedColumns, Base):
    """A reserve warehouse or storage point (物资储备库 / 储备点) at one of three levels."""

    __tablename__ = "resources_warehouse"

    name: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str] = mapped_column(String(20), index=True)
    manager: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    capacity_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    owner_department_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_department.id"))


class StockMovement(Base):
    """One ledger line: a signed change of stock of one item batch at one warehouse.

    Rows are only ever inserted (a mistake is corrected by an adjustment). A transfer writes
    two lines with the same ``movement_no``: leg 0 out of the source, leg 1 into the
    destination; every other kind writes leg 0 only.
    """

    __tablename__ = "resources_stock_movement"
    __table_args__ = (
        # Idempotency: a retried request carrying the same reference finds its movement.
        UniqueConstraint("kind", "reference", "leg", name="uq_resources_stock_movement_reference"),
        UniqueConstraint("movement_no", "leg", name="uq_resources_stock_movement_no"),
        # The on-hand sum reads exactly this key.
        Index("ix_resources_stock_movement_balance", "warehouse_id", "item_id", "batch"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    movement_no: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    leg: Mapped[int] = mapped_column(SmallInteger, default=0)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("resources_warehouse.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("resources_supply_item.id"), index=True)
    # "" when the stock is not tracked by batch (tools, tents without a lot number).
    batch: Mapped[str] = mapped_column(String(60), default="")
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    quantity_delta: Mapped[Decimal] = mapped_column(Quantity)
    # Stocktakes record the counted quantity itself; the delta is derived from it.
    counted: Mapped[Decimal | None] = mapped_column(Quantity)
    counterpart_warehouse_id: Mapped[int | None] = mapped_column(
        # Named explicitly: the conventional name exceeds PostgreSQL's 63 characters.
        ForeignKey("resources_warehouse.id", name="fk_resources_stock_movement_counterpart")
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockLevel(Base):
    """The reserve minimum (最低储备量) of one item at one warehouse."""

    __tablename__ = "resources_stock_level"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "item_id", name="uq_resources_stock_level_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("resources_warehouse.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("resources_supply_item.id"), index=True)
    minimum_quantity: Mapped[Decimal] = mapped_column(Quantity)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class StockReservation(Base):
    """Stock promised to a dispatch order (预留): counted against what others may issue.

    Active until issued (the ledger then holds the matching issue lines) or released. The
    reference (e.g. ``dispatch:12``) makes reserving twice for one order reserve once.
    """

    __tablename__ = "resources_stock_reservation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("resources_warehouse.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("resources_supply_item.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    state: Mapped[str] = mapped_column(String(20), index=True)  # active, issued, released
    reason: Mapped[str | None] = mapped_column(String(500))
    actor_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
