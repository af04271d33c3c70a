"""Tests for enterprise rules: credit codes, organisation codes, industry codes, licences."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.enterprises.rules import (
    CREDIT_CODE_CHARSET,
    CREDIT_CODE_PATTERN,
    INDUSTRY_CODE_PATTERN,
    credit_code_check_char,
    licence_status,
    make_credit_code,
    organisation_code_check_char,
    validate_credit_code,
    validate_industry_code,
)

# Codes published as examples in open-source validators (python-stdnum's doctests and its
# issue #207 list, taken from public credit-china listings).
PUBLISHED_VALID = [
    "91110000600037341L",
    "9144030071526726XG",
    "91310115MA1K3BTP2B",
    "9162010558590643X0",
    "121200004013590816",
]


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_published_codes_are_valid_with_both_checks(code: str) -> None:
    assert validate_credit_code(code) is None
    assert validate_credit_code(code, check_organisation_code=True) is None


@pytest.mark.parametrize("seed", [0, 1, 42, 2024, 99_999_999])
def test_constructed_codes_have_real_world_format(seed: int) -> None:
    code = make_credit_code(seed)
    assert CREDIT_CODE_PATTERN.match(code)
    assert code.startswith("91500153")  # 工商 / 企业 / 荣昌区
    assert validate_credit_code(code, check_organisation_code=True) is None


def test_constructed_codes_are_deterministic_and_distinct() -> None:
    codes = [make_credit_code(seed) for seed in range(2000)]
    assert codes == [make_credit_code(seed) for seed in range(2000)]
    assert len(set(codes)) == len(codes)


def test_make_credit_code_refuses_negative_seed() -> None:
    with pytest.raises(ValueError, match="seed"):
        make_credit_code(-1)


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("91110000600037341", "L"),
        ("9144030071526726X", "G"),
        ("9162010558590643X", "0"),  # check value 31 is written as '0'
        ("12120000401359081", "6"),
    ],
)
def test_check_char_known_values(first17: str, expected: str) -> None:
    assert credit_code_check_char(first17) == expected


@pytest.mark.parametrize("bad", ["", "9111000060003734", "911100006000373411", "91110000600037I41"])
def test_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match=r"17位|非法字符"):
        credit_code_check_char(bad)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110000600037341", "长度应为18位"),
        ("91110000600037341LL", "长度应为18位"),
        ("", "长度应为18位"),
        (" 91110000600037341L", "前后不应有空格"),
        ("91110000600037341L ", "前后不应有空格"),
        ("91110000600037341l", "字母应为大写"),
        ("9144030071526726xg", "字母应为大写"),
        ("91110000600037341I", "含有非法字符：I"),
        ("9111000060003734OZ", "含有非法字符：OZ"),
        ("91110000600037341-", "含有非法字符：-"),
        ("911100００600037341L", "含有非法字符：０"),
        ("911A0000600037341L", "第3至8位（登记管理机关行政区划码）应为数字"),
        ("91110000600037341M", "校验码错误，应为L"),
        ("91110000600037341K", "校验码错误，应为L"),
        ("9144030071526726X0", "校验码错误，应为G"),
    ],
)
def test_validate_credit_code_reasons(code: str, reason: str) -> None:
    assert validate_credit_code(code) == reason


def test_organisation_code_check_is_off_by_default() -> None:
    # A code whose char 18 is right but whose embedded organisation code check digit is wrong.
    first17 = "91500153" + "12345678" + "9"
    assert organisation_code_check_char("12345678") != "9"
    code = first17 + credit_code_check_char(first17)
    assert validate_credit_code(code) is None
    expected = organisation_code_check_char("12345678")
    assert validate_credit_code(code, check_organisation_code=True) == (
        f"主体标识码（组织机构代码）校验位错误，应为{expected}"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("60003734", "1"),  # from 91110000600037341L
        ("71526726", "X"),  # 10 is written X (9144030071526726XG)
        ("58590643", "X"),
        ("40135908", "1"),
        ("MA1K3BTP", "2"),  # letters count A=10 ... Z=35 (GB 11714), not the GB 32100 index
        ("00000000", "0"),  # 11 is written 0
    ],
)
def test_organisation_code_check_char(body: str, expected: str) -> None:
    assert organisation_code_check_char(body) == expected


@pytest.mark.parametrize("bad", ["1234567", "123456789", "1234567a"])
def test_organisation_code_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match=r"8位|非法字符"):
        organisation_code_check_char(bad)


_CHARSET = st.sampled_from(CREDIT_CODE_CHARSET)
_PREFIX17 = st.builds(
    lambda a, b, c: "".join(a) + "".join(b) + "".join(c),
    st.lists(_CHARSET, min_size=2, max_size=2),
    st.lists(st.sampled_from("0123456789"), min_size=6, max_size=6),
    st.lists(_CHARSET, min_size=9, max_size=9),
)


@given(prefix=_PREFIX17)
def test_any_prefix_with_its_check_char_validates(prefix: str) -> None:
    assert validate_credit_code(prefix + credit_code_check_char(prefix)) is None


@given(prefix=_PREFIX17, other=_CHARSET)
def test_any_other_check_char_fails(prefix: str, other: str) -> None:
    expected = credit_code_check_char(prefix)
    if other == expected:
        return
    assert validate_credit_code(prefix + other) == f"校验码错误，应为{expected}"


@given(seed=st.integers(min_value=0, max_value=10**12))
def test_every_generated_code_passes_both_checks(seed: int) -> None:
    assert validate_credit_code(make_credit_code(seed), check_organisation_code=True) is None


@given(prefix=_PREFIX17, position=st.integers(0, 16), replacement=_CHARSET)
def test_single_substitution_is_detected(prefix: str, position: int, replacement: str) -> None:
    # MOD 31-3 detects every single-character error.
    code = prefix + credit_code_check_char(prefix)
    if code[position] == replacement or (2 <= position < 8 and not replacement.isdigit()):
        return
    changed = code[:position] + replacement + code[position + 1 :]
    assert validate_credit_code(changed) is not None


# --- industry codes -----------------------------------------------------------------------------

KNOWN = {"01": "农业", "26": "化学原料和化学制品制造业", "97": "国际组织"}


@pytest.mark.parametrize("code", ["01", "26", "261", "2614", "97", "9700", "011"])
def test_valid_industry_codes(code: str) -> None:
    assert INDUSTRY_CODE_PATTERN.match(code)
    assert validate_industry_code(code, KNOWN) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "应为2至4位数字（大类、中类或小类代码）"),
        ("2", "应为2至4位数字（大类、中类或小类代码）"),
        ("26141", "应为2至4位数字（大类、中类或小类代码）"),
        ("26a", "应为2至4位数字（大类、中类或小类代码）"),
        (" 26", "应为2至4位数字（大类、中类或小类代码）"),
        ("C2614", "不应带门类字母，请只填写数字代码"),
        ("C26", "不应带门类字母，请只填写数字代码"),
        ("98", "大类代码98不存在"),
        ("0211", "大类代码02不存在"),
        ("00", "大类代码00不存在"),
    ],
)
def test_invalid_industry_codes(code: str, reason: str) -> None:
    assert validate_industry_code(code, KNOWN) == reason


# --- licences -----------------------------------------------------------------------------------

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("offset_days", "warn_days", "status"),
    [
        (-365, 30, "expired"),
        (-1, 30, "expired"),
        (0, 30, "expiring"),  # valid through its expiry date
        (1, 30, "expiring"),
        (30, 30, "expiring"),
        (31, 30, "valid"),
        (0, 0, "expiring"),
        (1, 0, "valid"),
        (90, 90, "expiring"),
        (91, 90, "valid"),
    ],
)
def test_licence_status(offset_days: int, warn_days: int, status: str) -> None:
    assert licence_status(TODAY + timedelta(days=offset_days), TODAY, warn_days) == status


def test_licence_status_default_warning_is_30_days() -> None:
    assert licence_status(TODAY + timedelta(days=30), TODAY) == "expiring"
    assert licence_status(TODAY + timedelta(days=31), TODAY) == "valid"


def test_licence_status_refuses_negative_warning() -> None:
    with pytest.raises(ValueError, match="warn_days"):
        licence_status(TODAY, TODAY, -1)


@given(
    expires=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    warn=st.integers(0, 400),
)
def test_licence_status_is_monotonic_in_time(expires: date, today: date, warn: int) -> None:
    order = {"valid": 0, "expiring": 1, "expired": 2}
    now = licence_status(expires, today, warn)
    later = licence_status(expires, today + timedelta(days=1), warn)
    assert order[later] >= order[now]
