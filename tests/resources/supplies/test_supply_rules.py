"""Tests for supply rules: GB/T 38565 codes, stock-ledger deltas, expiry and minimum stock."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.resources.supplies.rules import (
    LedgerDelta,
    MovementKind,
    StockRuleError,
    below_minimum,
    expiry_status,
    is_catch_all,
    signed_deltas,
    supply_code_level,
    supply_code_parent,
    validate_supply_code,
)

D = Decimal

# --- codes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("1", 1, None),
        ("2", 1, None),
        ("3", 1, None),
        ("101", 2, "1"),
        ("299", 2, "2"),
        ("10101", 3, "101"),
        ("30199", 3, "301"),
        ("1010101", 4, "10101"),
        ("3999999", 4, "39999"),
    ],
)
def test_code_level_and_parent(code: str, level: int, parent: str | None) -> None:
    assert validate_supply_code(code) is None
    assert supply_code_level(code) == level
    assert supply_code_parent(code) == parent


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "物资编码应只含数字"),
        ("10a0101", "物资编码应只含数字"),
        ("１０１", "物资编码应只含数字"),  # full-width digits
        (" 101", "物资编码应只含数字"),
        ("10", "物资编码长度应为1、3、5或7位"),
        ("1010", "物资编码长度应为1、3、5或7位"),
        ("101010101", "物资编码长度应为1、3、5或7位"),
        ("0", "大类代码应为1、2或3"),
        ("4010101", "大类代码应为1、2或3"),
        ("9", "大类代码应为1、2或3"),
        ("100", "中类代码不能为00"),
        ("1000101", "中类代码不能为00"),
        ("10100", "小类代码不能为00"),
        ("1010001", "小类代码不能为00"),
        ("1010100", "细类代码不能为00"),
    ],
)
def test_invalid_supply_codes(code: str, reason: str) -> None:
    assert validate_supply_code(code) == reason
    with pytest.raises(ValueError, match=reason):
        supply_code_level(code)
    with pytest.raises(ValueError, match=reason):
        supply_code_parent(code)


@pytest.mark.parametrize("code", ["1", "101", "10101"])
def test_require_leaf_refuses_categories(code: str) -> None:
    assert validate_supply_code(code, require_leaf=True) == "应为7位细类编码"


def test_require_leaf_accepts_leaf_and_reports_other_problems_first() -> None:
    assert validate_supply_code("1010101", require_leaf=True) is None
    assert validate_supply_code("100", require_leaf=True) == "中类代码不能为00"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1", False),
        ("199", True),
        ("101", False),
        ("10199", True),
        ("1010199", True),
        ("1019901", False),
    ],
)
def test_catch_all(code: str, expected: bool) -> None:
    assert is_catch_all(code) is expected


_SEGMENT = st.integers(1, 99).map(lambda n: f"{n:02d}")
_LEAF = st.builds(
    lambda top, a, b, c: top + a + b + c, st.sampled_from("123"), _SEGMENT, _SEGMENT, _SEGMENT
)


@given(code=_LEAF)
def test_parent_chain_of_any_leaf(code: str) -> None:
    chain = [code]
    while (parent := supply_code_parent(chain[-1])) is not None:
        assert code.startswith(parent)
        assert supply_code_level(parent) == supply_code_level(chain[-1]) - 1
        chain.append(parent)
    assert [len(c) for c in chain] == [7, 5, 3, 1]


# --- ledger deltas ------------------------------------------------------------------------------

WH = "WH-DISTRICT"
WH2 = "WH-TOWNSHIP"


def _refusal(**kwargs: object) -> tuple[str, str]:
    with pytest.raises(StockRuleError) as info:
        signed_deltas(**kwargs)  # type: ignore[arg-type]
    assert str(info.value) == f"{info.value.field}: {info.value.reason}"
    return info.value.field, info.value.reason


def test_receipt_adds_at_warehouse() -> None:
    assert signed_deltas(MovementKind.RECEIPT, D("10"), warehouse=WH) == (LedgerDelta(WH, D("10")),)


def test_receipt_needs_no_on_hand() -> None:
    assert signed_deltas("receipt", D("0.5"), warehouse=1) == (  # type: ignore[arg-type]
        LedgerDelta(1, D("0.5")),
    )


def test_issue_subtracts() -> None:
    got = signed_deltas(MovementKind.ISSUE, D("3"), warehouse=WH, on_hand=D("10"))
    assert got == (LedgerDelta(WH, D("-3")),)


def test_issue_exactly_to_zero_is_allowed() -> None:
    got = signed_deltas(MovementKind.ISSUE, D("10"), warehouse=WH, on_hand=D("10"))
    assert got == (LedgerDelta(WH, D("-10")),)
    assert D("10") + got[0].delta == 0


def test_issue_one_unit_past_zero_is_refused() -> None:
    field, reason = _refusal(
        kind=MovementKind.ISSUE, quantity=D("10.001"), warehouse=WH, on_hand=D("10")
    )
    assert field == "quantity"
    assert reason == "库存不足：现有10，需减少10.001"


def test_transfer_moves_between_warehouses() -> None:
    got = signed_deltas(
        MovementKind.TRANSFER, D("4"), warehouse=WH, to_warehouse=WH2, on_hand=D("4")
    )
    assert got == (LedgerDelta(WH, D("-4")), LedgerDelta(WH2, D("4")))
    assert sum(d.delta for d in got) == 0


def test_transfer_past_zero_is_refused() -> None:
    field, reason = _refusal(
        kind=MovementKind.TRANSFER,
        quantity=D("5"),
        warehouse=WH,
        to_warehouse=WH2,
        on_hand=D("4"),
    )
    assert (field, reason) == ("quantity", "库存不足：现有4，需减少5")


def test_adjustment_up_and_down() -> None:
    assert signed_deltas(MovementKind.ADJUSTMENT, D("2"), warehouse=WH) == (
        LedgerDelta(WH, D("2")),
    )
    assert signed_deltas(MovementKind.ADJUSTMENT, D("-2"), warehouse=WH, on_hand=D("2")) == (
        LedgerDelta(WH, D("-2")),
    )


def test_stocktake_sets_the_count() -> None:
    assert signed_deltas(
        MovementKind.STOCKTAKE, None, warehouse=WH, on_hand=D("10"), counted=D("7")
    ) == (LedgerDelta(WH, D("-3")),)
    assert signed_deltas(
        MovementKind.STOCKTAKE, None, warehouse=WH, on_hand=D("10"), counted=D("12")
    ) == (LedgerDelta(WH, D("2")),)


def test_stocktake_with_no_difference_still_records_a_zero_delta() -> None:
    assert signed_deltas(
        MovementKind.STOCKTAKE, None, warehouse=WH, on_hand=D("10"), counted=D("10")
    ) == (LedgerDelta(WH, D("0")),)


def test_stocktake_to_zero_is_allowed() -> None:
    assert signed_deltas(
        MovementKind.STOCKTAKE, None, warehouse=WH, on_hand=D("10"), counted=D("0")
    ) == (LedgerDelta(WH, D("-10")),)


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        # quantity must be > 0 for receipt / issue / transfer
        ({"kind": "receipt", "quantity": D("0")}, "quantity", "数量必须大于0"),
        ({"kind": "receipt", "quantity": D("-1")}, "quantity", "数量必须大于0"),
        ({"kind": "receipt", "quantity": None}, "quantity", "缺少数量"),
        ({"kind": "issue", "quantity": D("0"), "on_hand": D("5")}, "quantity", "数量必须大于0"),
        ({"kind": "issue", "quantity": D("-1"), "on_hand": D("5")}, "quantity", "数量必须大于0"),
        (
            {"kind": "transfer", "quantity": D("0"), "to_warehouse": WH2, "on_hand": D("5")},
            "quantity",
            "数量必须大于0",
        ),
        # non-finite numbers
        ({"kind": "receipt", "quantity": D("NaN")}, "quantity", "数量无效"),
        ({"kind": "receipt", "quantity": D("Infinity")}, "quantity", "数量无效"),
        ({"kind": "issue", "quantity": D("1"), "on_hand": D("NaN")}, "on_hand", "数量无效"),
        (
            {"kind": "stocktake", "quantity": None, "on_hand": D("1"), "counted": D("NaN")},
            "counted",
            "数量无效",
        ),
        # on-hand quantity
        ({"kind": "issue", "quantity": D("1")}, "on_hand", "缺少现有库存数量"),
        ({"kind": "issue", "quantity": D("1"), "on_hand": D("-1")}, "on_hand", "现有库存不能为负"),
        (
            {"kind": "transfer", "quantity": D("1"), "to_warehouse": WH2},
            "on_hand",
            "缺少现有库存数量",
        ),
        ({"kind": "adjustment", "quantity": D("-1")}, "on_hand", "缺少现有库存数量"),
        ({"kind": "stocktake", "quantity": None, "counted": D("1")}, "on_hand", "缺少现有库存数量"),
        # negative stock
        (
            {"kind": "issue", "quantity": D("6"), "on_hand": D("5")},
            "quantity",
            "库存不足：现有5，需减少6",
        ),
        (
            {"kind": "adjustment", "quantity": D("-6"), "on_hand": D("5")},
            "quantity",
            "库存不足：现有5，需减少6",
        ),
        (
            {"kind": "issue", "quantity": D("1"), "on_hand": D("0")},
            "quantity",
            "库存不足：现有0，需减少1",
        ),
        # transfer destination
        (
            {"kind": "transfer", "quantity": D("1"), "on_hand": D("5")},
            "to_warehouse",
            "缺少调入仓库",
        ),
        (
            {"kind": "transfer", "quantity": D("1"), "to_warehouse": WH, "on_hand": D("5")},
            "to_warehouse",
            "调入仓库不能与调出仓库相同",
        ),
        (
            {"kind": "issue", "quantity": D("1"), "to_warehouse": WH2, "on_hand": D("5")},
            "to_warehouse",
            "只有调拨需要填写调入仓库",
        ),
        # adjustment
        ({"kind": "adjustment", "quantity": D("0")}, "quantity", "调整数量不能为0"),
        ({"kind": "adjustment", "quantity": None}, "quantity", "缺少数量"),
        # stocktake
        (
            {"kind": "stocktake", "quantity": None, "on_hand": D("5"), "counted": D("-1")},
            "counted",
            "实盘数量不能为负",
        ),
        ({"kind": "stocktake", "quantity": None, "on_hand": D("5")}, "counted", "缺少实盘数量"),
        (
            {"kind": "stocktake", "quantity": D("1"), "on_hand": D("5"), "counted": D("6")},
            "quantity",
            "盘点只填写实盘数量，不填写变动数量",
        ),
        (
            {"kind": "receipt", "quantity": D("1"), "counted": D("1")},
            "counted",
            "只有盘点需要填写实盘数量",
        ),
    ],
)
def test_every_refusal(kwargs: dict[str, object], field: str, reason: str) -> None:
    assert _refusal(warehouse=WH, **kwargs) == (field, reason)


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="gift"):
        signed_deltas("gift", D("1"), warehouse=WH)  # type: ignore[arg-type]


_QTY = st.decimals(min_value=D("0"), max_value=D("1000000"), places=3, allow_nan=False)


@given(on_hand=_QTY, quantity=_QTY)
def test_issue_never_makes_stock_negative(on_hand: Decimal, quantity: Decimal) -> None:
    if 0 < quantity <= on_hand:
        (line,) = signed_deltas(MovementKind.ISSUE, quantity, warehouse=WH, on_hand=on_hand)
        assert on_hand + line.delta >= 0
    else:
        with pytest.raises(StockRuleError) as info:
            signed_deltas(MovementKind.ISSUE, quantity, warehouse=WH, on_hand=on_hand)
        assert info.value.field == "quantity"


@given(on_hand=_QTY, counted=_QTY)
def test_stocktake_result_equals_count(on_hand: Decimal, counted: Decimal) -> None:
    (line,) = signed_deltas(
        MovementKind.STOCKTAKE, None, warehouse=WH, on_hand=on_hand, counted=counted
    )
    assert on_hand + line.delta == counted


@given(on_hand=_QTY, quantity=_QTY)
def test_transfer_conserves_stock(on_hand: Decimal, quantity: Decimal) -> None:
    if 0 < quantity <= on_hand:
        deltas = signed_deltas(
            MovementKind.TRANSFER, quantity, warehouse=WH, to_warehouse=WH2, on_hand=on_hand
        )
        assert sum(d.delta for d in deltas) == 0
        assert on_hand + deltas[0].delta >= 0
    else:
        with pytest.raises(StockRuleError, match="quantity"):
            signed_deltas(
                MovementKind.TRANSFER, quantity, warehouse=WH, to_warehouse=WH2, on_hand=on_hand
            )


def test_stock_rule_error_is_a_plain_exception() -> None:
    err = StockRuleError("quantity", "数量必须大于0")
    assert isinstance(err, Exception)
    assert (err.field, err.reason) == ("quantity", "数量必须大于0")


# --- expiry and minimum -------------------------------------------------------------------------

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("offset_days", "warn_days", "status"),
    [
        (-1, 30, "expired"),
        (0, 30, "expiring"),  # usable through the expiry date itself
        (30, 30, "expiring"),
        (31, 30, "ok"),
        (0, 0, "expiring"),
        (1, 0, "ok"),
    ],
)
def test_expiry_status(offset_days: int, warn_days: int, status: str) -> None:
    assert expiry_status(TODAY + timedelta(days=offset_days), TODAY, warn_days) == status


def test_no_expiry_date_is_ok() -> None:
    assert expiry_status(None, TODAY, 30) == "ok"


def test_expiry_status_refuses_negative_warning() -> None:
    with pytest.raises(ValueError, match="warn_days"):
        expiry_status(TODAY, TODAY, -1)


@pytest.mark.parametrize(
    ("on_hand", "minimum", "expected"),
    [
        (D("9"), D("10"), True),
        (D("9.999"), D("10"), True),
        (D("10"), D("10"), False),  # at the minimum is not below it
        (D("10.00"), D("10"), False),
        (D("11"), D("10"), False),
        (D("0"), D("0"), False),
        (D("0"), None, False),
        (D("100"), None, False),
    ],
)
def test_below_minimum(on_hand: Decimal, minimum: Decimal | None, expected: bool) -> None:
    assert below_minimum(on_hand, minimum) is expected
