"""Pure rules for emergency supplies: GB/T 38565-2020 codes and the stock ledger.

Owns: the supply classification code structure (level, parent, validation), the deltas a stock
movement writes to the ledger and the refusals that keep stock from going negative, and the
expiry and minimum-stock flags. No I/O: callers pass the current on-hand quantity in.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final, Generic, Literal, TypeVar

# GB/T 38565-2020 §5.2: four levels, linear classification per GB/T 7027-2002.
# 大类 1 digit, 中类 2, 小类 2, 细类 2: a full (细类) code has 7 digits. A category row is
# written with only its own digits (大类 "1", 中类 "101", 小类 "10101"), so every code is the
# prefix of its descendants.
SUPPLY_LEVEL_LENGTHS: Final = (1, 3, 5, 7)
SUPPLY_LEAF_LEVEL: Final = 4
# GB/T 38565-2020 §5.2: 1 基本生活保障物资, 2 应急装备及配套物资, 3 工程材料与机械加工设备.
SUPPLY_TOP_CLASSES: Final = frozenset({"1", "2", "3"})
# GB/T 38565-2020 §5.2: "99" at any level is the catch-all (收容类目) of its parent.
SUPPLY_CATCH_ALL: Final = "99"

_LEVEL_NAMES: Final = {1: "大类", 2: "中类", 3: "小类", 4: "细类"}

ExpiryStatus = Literal["ok", "expiring", "expired"]


def _supply_code_problem(code: str) -> str | None:
    if not code.isascii() or not code.isdigit():
        return "物资编码应只含数字"
    if len(code) not in SUPPLY_LEVEL_LENGTHS:
        return "物资编码长度应为1、3、5或7位"
    if code[0] not in SUPPLY_TOP_CLASSES:
        return "大类代码应为1、2或3"
    for level in range(2, len(code) // 2 + 2):
        end = SUPPLY_LEVEL_LENGTHS[level - 1]
        if code[end - 2 : end] == "00":
            return f"{_LEVEL_NAMES[level]}代码不能为00"
    return None


def validate_supply_code(code: str, *, require_leaf: bool = False) -> str | None:
    """Return None if ``code`` is a GB/T 38565 code (a 细类 if ``require_leaf``), else why not."""
    problem = _supply_code_problem(code)
    if problem is None and require_leaf and len(code) != SUPPLY_LEVEL_LENGTHS[-1]:
        # Stock is held against 细类 items only; categories are for grouping and reports.
        return "应为7位细类编码"
    return problem


def supply_code_level(code: str) -> int:
    """Return the level (1 大类 to 4 细类) of a supply code; raise ValueError if it is invalid."""
    problem = _supply_code_problem(code)
    if problem is not None:
        raise ValueError(f"物资编码{code!r}无效：{problem}")
    return SUPPLY_LEVEL_LENGTHS.index(len(code)) + 1


def supply_code_parent(code: str) -> str | None:
    """Return the parent category code, or None for a 大类."""
    level = supply_code_level(code)
    if level == 1:
        return None
    return code[: SUPPLY_LEVEL_LENGTHS[level - 2]]


def is_catch_all(code: str) -> bool:
    """Tell whether the code's own segment is the "99" catch-all of its parent."""
    return supply_code_level(code) > 1 and code[-2:] == SUPPLY_CATCH_ALL


# --- stock ledger -------------------------------------------------------------------------------


class MovementKind(StrEnum):
    """How stock changes; the ledger changes only through these (glossary: stock_movement)."""

    RECEIPT = "receipt"  # 入库
    ISSUE = "issue"  # 出库
    TRANSFER = "transfer"  # 调拨
    ADJUSTMENT = "adjustment"  # 调整 (signed correction, e.g. damage or a data fix)
    STOCKTAKE = "stocktake"  # 盘点 (sets the counted quantity)


class StockRuleError(Exception):
    """A movement the ledger must refuse; ``field`` names the input, ``reason`` is Chinese."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


W = TypeVar("W", bound=Hashable)


@dataclass(frozen=True, slots=True)
class LedgerDelta(Generic[W]):
    """One ledger line to write: the change of on-hand quantity at one warehouse."""

    warehouse: W
    delta: Decimal


def _require_finite(field: str, value: Decimal) -> None:
    if not value.is_finite():
        raise StockRuleError(field, "数量无效")


def _require_on_hand(on_hand: Decimal | None) -> Decimal:
    if on_hand is None:
        raise StockRuleError("on_hand", "缺少现有库存数量")
    _require_finite("on_hand", on_hand)
    if on_hand < 0:
        # The ledger never lets stock go negative, so a negative balance means corrupt input.
        raise StockRuleError("on_hand", "现有库存不能为负")
    return on_hand


def _require_positive(quantity: Decimal | None) -> Decimal:
    if quantity is None:
        raise StockRuleError("quantity", "缺少数量")
    _require_finite("quantity", quantity)
    if quantity <= 0:
        raise StockRuleError("quantity", "数量必须大于0")
    return quantity


def _require_cover(on_hand: Decimal, decrease: Decimal) -> None:
    # Exactly emptying the stock (result 0) is allowed; going below 0 is not.
    if decrease > on_hand:
        raise StockRuleError("quantity", f"库存不足：现有{on_hand}，需减少{decrease}")


def signed_deltas(
    kind: MovementKind,
    quantity: Decimal | None,
    *,
    warehouse: W,
    to_warehouse: W | None = None,
    on_hand: Decimal | None = None,
    counted: Decimal | None = None,
) -> tuple[LedgerDelta[W], ...]:
    """Return the ledger deltas a movement writes, or raise StockRuleError to refuse it.

    ``warehouse`` is where the movement happens (the source of a transfer); ``on_hand`` is the
    current quantity there for the same item and batch. Per kind:

    - receipt: ``quantity`` > 0 arrives at ``warehouse``.
    - issue: ``quantity`` > 0 leaves ``warehouse``; needs ``on_hand`` >= ``quantity``.
    - transfer: ``quantity`` > 0 moves from ``warehouse`` to a different ``to_warehouse``;
      needs ``on_hand`` >= ``quantity``. Two deltas, source first.
    - adjustment: signed, non-zero ``quantity``; a decrease needs ``on_hand`` to cover it.
    - stocktake: ``counted`` >= 0 replaces ``on_hand``; ``quantity`` must be None. The delta
      (``counted`` - ``on_hand``) is returned even when it is 0, so the count is on record.
    """
    # Accept the plain string a database row holds; an unknown kind raises ValueError.
    kind = MovementKind(kind)
    if to_warehouse is not None and kind is not MovementKind.TRANSFER:
        raise StockRuleError("to_warehouse", "只有调拨需要填写调入仓库")
    if counted is not None and kind is not MovementKind.STOCKTAKE:
        raise StockRuleError("counted", "只有盘点需要填写实盘数量")

    if kind is MovementKind.RECEIPT:
        return (LedgerDelta(warehouse, _require_positive(quantity)),)

    if kind is MovementKind.ISSUE:
        amount = _require_positive(quantity)
        _require_cover(_require_on_hand(on_hand), amount)
        return (LedgerDelta(warehouse, -amount),)

    if kind is MovementKind.TRANSFER:
        if to_warehouse is None:
            raise StockRuleError("to_warehouse", "缺少调入仓库")
        if to_warehouse == warehouse:
            raise StockRuleError("to_warehouse", "调入仓库不能与调出仓库相同")
        amount = _require_positive(quantity)
        _require_cover(_require_on_hand(on_hand), amount)
        return (LedgerDelta(warehouse, -amount), LedgerDelta(to_warehouse, amount))

    if kind is MovementKind.ADJUSTMENT:
        if quantity is None:
            raise StockRuleError("quantity", "缺少数量")
        _require_finite("quantity", quantity)
        if quantity == 0:
            raise StockRuleError("quantity", "调整数量不能为0")
        if quantity < 0:
            _require_cover(_require_on_hand(on_hand), -quantity)
        return (LedgerDelta(warehouse, quantity),)

    # MovementKind.STOCKTAKE
    if quantity is not None:
        raise StockRuleError("quantity", "盘点只填写实盘数量，不填写变动数量")
    if counted is None:
        raise StockRuleError("counted", "缺少实盘数量")
    _require_finite("counted", counted)
    if counted < 0:
        raise StockRuleError("counted", "实盘数量不能为负")
    return (LedgerDelta(warehouse, counted - _require_on_hand(on_hand)),)


def expiry_status(expires_on: date | None, today: date, warn_days: int) -> ExpiryStatus:
    """Classify a batch as ok, expiring within ``warn_days`` days, or expired."""
    if warn_days < 0:
        raise ValueError("warn_days 不能为负数")
    if expires_on is None:
        # Items without a shelf life (tents, tools) never expire.
        return "ok"
    # "有效期至 D" means usable through D, so the batch is expired from the day after.
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= warn_days:
        return "expiring"
    return "ok"


def below_minimum(on_hand: Decimal, minimum: Decimal | None) -> bool:
    """Tell whether stock is strictly below its reserve minimum (None means no minimum)."""
    return minimum is not None and on_hand < minimum


# --- labels, numbers and quantities --------------------------------------------------------------


class WarehouseLevel(StrEnum):
    """Which tier keeps the reserve (glossary: 区级 / 镇街 / 村社 储备库)."""

    DISTRICT = "district"
    TOWNSHIP = "township"
    VILLAGE = "village"


WAREHOUSE_LEVEL_LABELS: Final = {"district": "区级", "township": "镇街", "village": "村社"}
MOVEMENT_KIND_LABELS: Final = {
    "receipt": "入库",
    "issue": "出库",
    "transfer": "调拨",
    "adjustment": "调整",
    "stocktake": "盘点",
}
EXPIRY_STATUS_LABELS: Final = {"ok": "正常", "expiring": "临期", "expired": "过期"}

# Movement numbers read like the paper 出入库单 they replace: a kind prefix (pinyin initials of
# 入库 / 出库 / 调拨 / 调整 / 盘点), the local date, then the ledger row's id.
_MOVEMENT_PREFIX: Final = {
    MovementKind.RECEIPT: "RK",
    MovementKind.ISSUE: "CK",
    MovementKind.TRANSFER: "DB",
    MovementKind.ADJUSTMENT: "TZ",
    MovementKind.STOCKTAKE: "PD",
}

# Quantities carry three decimals (kg, m³, m² as well as counted pieces).
QUANTITY_PLACES: Final = 3
_QUANTUM: Final = Decimal(1).scaleb(-QUANTITY_PLACES)


def movement_number(kind: MovementKind | str, day: date, serial: int) -> str:
    """Return the business number of a movement, e.g. ``RK20260601-000042``."""
    return f"{_MOVEMENT_PREFIX[MovementKind(kind)]}{day:%Y%m%d}-{serial:06d}"


def tidy_quantity(value: Decimal | float | int | str | None) -> Decimal:
    """Return a quantity rounded to the ledger's precision, without trailing zeros.

    SQLite hands sums back as floats (0.1 + 0.2 != 0.3), so every quantity read from the
    database passes through here before it is compared or shown.
    """
    if value is None:
        return Decimal(0)
    exact = Decimal(str(value)).quantize(_QUANTUM)
    if exact == 0:
        return Decimal(0)  # never "-0"
    if exact == exact.to_integral_value():
        return exact.quantize(Decimal(1))
    return exact.normalize()
