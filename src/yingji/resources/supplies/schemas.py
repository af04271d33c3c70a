"""Supply API shapes: catalogue items, warehouses, movements, stock rows, alerts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from yingji.core.schemas import ReadModel
from yingji.registry.schemas import LocationIn, LocationPatch, RecordMeta, SitedMeta
from yingji.resources.supplies.catalogue import category_names
from yingji.resources.supplies.rules import ExpiryStatus, MovementKind, WarehouseLevel

# --- catalogue ----------------------------------------------------------------------------------


class SupplyFields(BaseModel):
    """Fields a catalogue item is created with."""

    code: str = Field(min_length=1, max_length=7, title="物资编码", description="GB/T 38565 细类")
    name: str = Field(min_length=1, max_length=200, title="名称")
    unit: str = Field(min_length=1, max_length=20, title="计量单位")
    specification: str | None = Field(default=None, max_length=200, title="规格型号")
    shelf_life_days: int | None = Field(default=None, ge=1, le=36500, title="保质期(天)")


class SupplyCreate(SupplyFields):
    """A new catalogue item (filed under the district: the catalogue is shared)."""

    # The catalogue has no jurisdiction: a division_code (or any stray field) is refused, not
    # silently dropped, so an integrator does not believe an item belongs to a township.
    model_config = ConfigDict(extra="forbid")


class SupplyUpdate(BaseModel):
    """Catalogue fields to change (all optional); a locally allocated code may be remapped."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, min_length=1, max_length=7, title="物资编码")
    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    unit: str | None = Field(default=None, min_length=1, max_length=20, title="计量单位")
    specification: str | None = Field(default=None, max_length=200, title="规格型号")
    shelf_life_days: int | None = Field(default=None, ge=1, le=36500, title="保质期(天)")


class SupplyRead(SupplyFields, RecordMeta):
    """A catalogue item as the API shows it."""

    @computed_field(title="分类")  # type: ignore[prop-decorator]
    @property
    def category(self) -> list[str]:
        """Return the 大类 / 中类 / 小类 names above the code (those the catalogue knows)."""
        return category_names(self.code)


class SupplyFilters(BaseModel):
    """Query filters for the catalogue."""

    q: str | None = Field(default=None, title="名称或编码关键字")
    category: str | None = Field(
        default=None, pattern=r"^\d{1,7}$", title="分类编码", description="code prefix"
    )
    code: str | None = Field(default=None, title="物资编码")


# --- warehouses ---------------------------------------------------------------------------------


class WarehouseFields(BaseModel):
    """Fields a warehouse is created with."""

    name: str = Field(min_length=1, max_length=200, title="名称")
    level: WarehouseLevel = Field(title="级别")
    manager: str | None = Field(default=None, max_length=100, title="管理人")
    phone: str | None = Field(default=None, max_length=40, title="联系电话")
    capacity_m2: Decimal | None = Field(
        default=None, gt=0, max_digits=12, decimal_places=2, title="库房面积(平方米)"
    )
    owner_department_id: int | None = Field(default=None, title="权属部门编号")


class WarehouseCreate(WarehouseFields, LocationIn):
    """A new warehouse with its location."""


class WarehouseUpdate(LocationPatch):
    """Warehouse fields to change (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=200, title="名称")
    level: WarehouseLevel | None = Field(default=None, title="级别")
    manager: str | None = Field(default=None, max_length=100, title="管理人")
    phone: str | None = Field(default=None, max_length=40, title="联系电话")
    capacity_m2: Decimal | None = Field(
        default=None, gt=0, max_digits=12, decimal_places=2, title="库房面积(平方米)"
    )
    owner_department_id: int | None = Field(default=None, title="权属部门编号")


class WarehouseRead(WarehouseFields, SitedMeta):
    """A warehouse as the API shows it, with a small stock summary."""

    item_kinds: int = Field(default=0, title="在库物资品种数")
    below_minimum: int = Field(default=0, title="低于最低储备的品种数")


class WarehouseFilters(BaseModel):
    """Query filters for the warehouse list."""

    division_code: str | None = Field(default=None, title="行政区划")
    q: str | None = Field(default=None, title="名称关键字")
    level: WarehouseLevel | None = Field(default=None, title="级别")


# --- ledger -------------------------------------------------------------------------------------


class MovementCreate(BaseModel):
    """A stock movement to record (the only way stock changes)."""

    kind: MovementKind = Field(title="类型")
    warehouse_id: int = Field(title="仓库", description="where it happens; a transfer's source")
    item_id: int = Field(title="物资")
    quantity: Decimal | None = Field(
        default=None,
        max_digits=14,
        decimal_places=3,
        title="数量",
        description="> 0 (receipt, issue, transfer); signed for adjustment; empty for stocktake",
    )
    batch: str = Field(default="", max_length=60, title="批次")
    expires_on: date | None = Field(default=None, title="有效期至")
    to_warehouse_id: int | None = Field(default=None, title="调入仓库", description="transfer")
    counted: Decimal | None = Field(
        default=None, max_digits=14, decimal_places=3, title="实盘数量", description="stocktake"
    )
    reason: str | None = Field(default=None, max_length=500, title="事由/备注")
    reference: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        title="业务参考号",
        description="idempotency key: a retry with the same kind and reference returns the "
        "movement already recorded",
    )
    occurred_at: datetime | None = Field(default=None, title="发生时间", description="default now")


class MovementRead(ReadModel):
    """One ledger line."""

    id: int
    movement_no: str = Field(title="单号")
    kind: MovementKind = Field(title="类型")
    leg: int = Field(title="分录", description="0 where it happens / transfer out; 1 transfer in")
    warehouse_id: int
    warehouse_name: str
    division_code: str = Field(title="仓库所属行政区划")
    item_id: int
    item_code: str
    item_name: str
    unit: str
    batch: str
    expires_on: date | None
    quantity_delta: Decimal = Field(title="变动数量")
    counted: Decimal | None = Field(default=None, title="实盘数量")
    counterpart_warehouse_id: int | None = Field(default=None, title="对方仓库")
    reason: str | None
    reference: str | None
    actor_name: str = Field(title="经办人")
    occurred_at: datetime
    created_at: datetime


class MovementFilters(BaseModel):
    """Query filters for the ledger."""

    warehouse_id: int | None = Field(default=None, title="仓库")
    item_id: int | None = Field(default=None, title="物资")
    kind: MovementKind | None = Field(default=None, title="类型")
    division_code: str | None = Field(default=None, title="行政区划")
    movement_no: str | None = Field(default=None, title="单号")
    batch: str | None = Field(default=None, title="批次")


# --- stock --------------------------------------------------------------------------------------


class StockRow(ReadModel):
    """Stock on hand of one item batch at one warehouse (derived from the ledger)."""

    warehouse_id: int
    warehouse_name: str
    division_code: str
    item_id: int
    item_code: str
    item_name: str
    unit: str
    specification: str | None = None
    batch: str
    expires_on: date | None
    quantity: Decimal = Field(title="库存数量")


class StockFilters(BaseModel):
    """Query filters for current stock."""

    warehouse_id: int | None = Field(default=None, title="仓库")
    item_id: int | None = Field(default=None, title="物资")
    division_code: str | None = Field(default=None, title="行政区划")
    category: str | None = Field(default=None, pattern=r"^\d{1,7}$", title="分类编码")
    q: str | None = Field(default=None, max_length=100, title="物资名称或编码关键字")


class StockLevelSet(BaseModel):
    """The reserve minimum to set for an item at a warehouse (0 removes the requirement)."""

    warehouse_id: int = Field(title="仓库")
    item_id: int = Field(title="物资")
    minimum_quantity: Decimal = Field(ge=0, max_digits=14, decimal_places=3, title="最低储备量")


class StockLevelRead(BaseModel):
    """A reserve minimum and the stock held against it."""

    warehouse_id: int
    item_id: int
    minimum_quantity: Decimal
    on_hand: Decimal
    below_minimum: bool
    updated_at: datetime
    updated_by: str


class BelowMinimumAlert(BaseModel):
    """An item whose stock at a warehouse is under its reserve minimum."""

    warehouse_id: int
    warehouse_name: str
    division_code: str
    item_id: int
    item_code: str
    item_name: str
    unit: str
    on_hand: Decimal
    minimum_quantity: Decimal
    shortfall: Decimal


class ExpiryAlert(BaseModel):
    """A batch in stock that has expired or expires within the warning window."""

    warehouse_id: int
    warehouse_name: str
    division_code: str
    item_id: int
    item_code: str
    item_name: str
    unit: str
    batch: str
    expires_on: date
    quantity: Decimal
    status: ExpiryStatus


class StockAlerts(BaseModel):
    """Minimum-stock and expiry alerts in the actor's jurisdiction."""

    today: date
    warn_days: int
    below_minimum: list[BelowMinimumAlert]
    expiry: list[ExpiryAlert]
