"""Tests for the GB/T 38565 supply catalogue fixture and its loader."""

from __future__ import annotations

import pytest

from yingji.resources.supplies.catalogue import CatalogueEntry, load_catalogue
from yingji.resources.supplies.rules import (
    SUPPLY_LEAF_LEVEL,
    supply_code_level,
    supply_code_parent,
    validate_supply_code,
)


@pytest.fixture(scope="module")
def entries() -> list[CatalogueEntry]:
    return load_catalogue()


def test_codes_are_unique(entries: list[CatalogueEntry]) -> None:
    codes = [e.code for e in entries]
    assert len(set(codes)) == len(codes)


def test_every_code_is_valid_and_level_matches_code(entries: list[CatalogueEntry]) -> None:
    for e in entries:
        assert validate_supply_code(e.code) is None, e.code
        assert e.level == supply_code_level(e.code), e.code
        assert e.parent == supply_code_parent(e.code), e.code


def test_every_parent_exists_one_level_up(entries: list[CatalogueEntry]) -> None:
    by_code = {e.code: e for e in entries}
    for e in entries:
        if e.level == 1:
            assert e.parent is None
            continue
        assert e.parent in by_code, e.code
        assert by_code[e.parent].level == e.level - 1


def test_units_only_on_leaves(entries: list[CatalogueEntry]) -> None:
    for e in entries:
        if e.level == SUPPLY_LEAF_LEVEL:
            assert e.unit, e.code
        else:
            assert e.unit is None, e.code


def test_the_three_standard_top_classes(entries: list[CatalogueEntry]) -> None:
    tops = {e.code: e for e in entries if e.level == 1}
    assert {code: e.name for code, e in tops.items()} == {
        "1": "基本生活保障物资",
        "2": "应急装备及配套物资",
        "3": "工程材料与机械加工设备",
    }
    assert all(e.code_source == "standard" for e in tops.values())


def test_locally_allocated_codes_are_marked(entries: list[CatalogueEntry]) -> None:
    # Only the 大类 were confirmed from GB/T 38565; everything below is our allocation.
    assert all(e.code_source == "local" for e in entries if e.level > 1)


def test_every_category_has_children(entries: list[CatalogueEntry]) -> None:
    parents = {e.parent for e in entries}
    for e in entries:
        if e.level < SUPPLY_LEAF_LEVEL:
            assert e.code in parents, e.code


def test_enough_leaves_with_common_items(entries: list[CatalogueEntry]) -> None:
    leaves = {e.name: e for e in entries if e.level == SUPPLY_LEAF_LEVEL}
    assert len(leaves) >= 60
    expected_units = {
        "单帐篷": "顶",
        "折叠床": "张",
        "棉被": "床",
        "棉大衣": "件",
        "睡袋": "个",
        "救生衣": "件",
        "冲锋舟": "艘",
        "柴油发电机组": "台",
        "场地照明灯": "台",
        "瓶装饮用水": "箱",
        "方便面": "箱",
        "雨衣": "件",
        "手电筒": "个",
        "铁锹": "把",
        "编织袋": "条",
        "应急药箱": "个",
    }
    for name, unit in expected_units.items():
        assert leaves[name].unit == unit, name


def test_leaf_names_unique(entries: list[CatalogueEntry]) -> None:
    names = [e.name for e in entries if e.level == SUPPLY_LEAF_LEVEL]
    assert len(set(names)) == len(names)


def test_parents_come_before_children(entries: list[CatalogueEntry]) -> None:
    seen: set[str] = set()
    for e in entries:
        assert e.parent is None or e.parent in seen
        seen.add(e.code)


def test_loader_is_cached() -> None:
    assert load_catalogue() is load_catalogue()
