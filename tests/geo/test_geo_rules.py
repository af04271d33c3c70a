"""Tests for administrative division code rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.geo.rules import (
    DivisionLevel,
    ancestors,
    division_level,
    is_within,
    parent_code,
    validate_division_code,
)

DISTRICT = "500153"  # 重庆市荣昌区
TOWNSHIP = "500153001"
VILLAGE = "500153001001"
GRID = "500153001001001"


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        (DISTRICT, DivisionLevel.DISTRICT, None),
        ("110101", DivisionLevel.DISTRICT, None),
        ("429004", DivisionLevel.DISTRICT, None),  # 省直辖县级市 (prefecture part 90)
        (TOWNSHIP, DivisionLevel.TOWNSHIP, DISTRICT),
        ("500153100", DivisionLevel.TOWNSHIP, DISTRICT),
        (VILLAGE, DivisionLevel.VILLAGE, TOWNSHIP),
        ("500153100201", DivisionLevel.VILLAGE, "500153100"),
        (GRID, DivisionLevel.GRID, VILLAGE),
        ("500153100201999", DivisionLevel.GRID, "500153100201"),
    ],
)
def test_level_and_parent(code: str, level: DivisionLevel, parent: str | None) -> None:
    assert validate_division_code(code) is None
    assert division_level(code) is level
    assert parent_code(code) == parent


def test_level_values_match_the_glossary() -> None:
    assert [level.value for level in DivisionLevel] == ["district", "township", "village", "grid"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "区划代码应只含数字"),
        ("50015a", "区划代码应只含数字"),
        ("５００１５３", "区划代码应只含数字"),
        ("500153 ", "区划代码应只含数字"),
        ("50015", "区划代码长度应为6、9、12或15位"),
        ("5001530", "区划代码长度应为6、9、12或15位"),
        ("5001530010010010", "区划代码长度应为6、9、12或15位"),
        ("000153", "省级代码不能为00"),
        ("500000", "前6位应为区县级代码（第5至6位不能为00）"),
        ("500100", "前6位应为区县级代码（第5至6位不能为00）"),
        ("500100001", "前6位应为区县级代码（第5至6位不能为00）"),
        ("500153000", "乡镇（街道）代码不能为000"),
        ("500153000001", "乡镇（街道）代码不能为000"),
        ("500153001000", "村（社区）代码不能为000"),
        ("500153001001000", "网格代码不能为000"),
    ],
)
def test_invalid_codes(code: str, reason: str) -> None:
    assert validate_division_code(code) == reason
    with pytest.raises(ValueError, match=reason):
        division_level(code)
    with pytest.raises(ValueError, match=reason):
        parent_code(code)
    with pytest.raises(ValueError, match=reason):
        ancestors(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (DISTRICT, []),
        (TOWNSHIP, [DISTRICT]),
        (VILLAGE, [DISTRICT, TOWNSHIP]),
        (GRID, [DISTRICT, TOWNSHIP, VILLAGE]),
    ],
)
def test_ancestors_top_first(code: str, expected: list[str]) -> None:
    assert ancestors(code) == expected


@pytest.mark.parametrize(
    ("code", "ancestor", "expected"),
    [
        (GRID, DISTRICT, True),
        (GRID, TOWNSHIP, True),
        (GRID, VILLAGE, True),
        (GRID, GRID, True),
        (DISTRICT, DISTRICT, True),
        (DISTRICT, TOWNSHIP, False),  # a parent is not within its child
        (VILLAGE, "500153002", False),  # sibling township
        ("500152001", DISTRICT, False),  # neighbouring district
        ("500153001001", "500153001001001", False),
    ],
)
def test_is_within(code: str, ancestor: str, expected: bool) -> None:
    assert is_within(code, ancestor) is expected


@pytest.mark.parametrize(("code", "ancestor"), [(GRID, "50"), (GRID, "5001530"), ("5", DISTRICT)])
def test_is_within_refuses_malformed_codes(code: str, ancestor: str) -> None:
    # A bare prefix such as "50" must not silently grant a whole province.
    with pytest.raises(ValueError, match="区划代码"):
        is_within(code, ancestor)


_SEG3 = st.integers(1, 999).map(lambda n: f"{n:03d}")
_CODE = st.builds(
    lambda segs, depth: DISTRICT + "".join(segs[:depth]),
    st.lists(_SEG3, min_size=3, max_size=3),
    st.integers(0, 3),
)


@given(code=_CODE)
def test_every_ancestor_contains_the_code(code: str) -> None:
    chain = ancestors(code)
    assert len(chain) == list(DivisionLevel).index(division_level(code))
    for up in chain:
        assert is_within(code, up)
        assert validate_division_code(up) is None
    assert is_within(code, code)


@given(code=_CODE)
def test_parent_is_last_ancestor(code: str) -> None:
    chain = ancestors(code)
    assert parent_code(code) == (chain[-1] if chain else None)


@given(a=_CODE, b=_CODE)
def test_within_both_ways_means_equal(a: str, b: str) -> None:
    if is_within(a, b) and is_within(b, a):
        assert a == b
