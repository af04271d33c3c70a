"""Tests for the GB/T 4754-2017 industry fixture and its loader."""

from __future__ import annotations

import pytest

from yingji.enterprises.industries import (
    Industry,
    industry_names,
    load_industries,
    load_sections,
)
from yingji.enterprises.rules import validate_industry_code

# GB/T 4754-2017: the 大类 range of each 门类.
SECTION_RANGES = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def test_twenty_sections_a_to_t() -> None:
    sections = load_sections()
    assert list(sections) == list("ABCDEFGHIJKLMNOPQRST")
    assert sections["C"] == "制造业"
    assert sections["D"] == "电力、热力、燃气及水生产和供应业"
    assert all(name.strip() for name in sections.values())


def test_all_97_divisions_present_in_order() -> None:
    industries = load_industries()
    assert list(industries) == [f"{n:02d}" for n in range(1, 98)]


@pytest.mark.parametrize(("section", "bounds"), sorted(SECTION_RANGES.items()))
def test_divisions_belong_to_their_section(section: str, bounds: tuple[int, int]) -> None:
    low, high = bounds
    industries = load_industries()
    for n in range(low, high + 1):
        assert industries[f"{n:02d}"].section == section


@pytest.mark.parametrize(
    ("code", "name", "section"),
    [
        ("01", "农业", "A"),
        ("05", "农、林、牧、渔专业及辅助性活动", "A"),
        ("11", "开采专业及辅助性活动", "B"),
        ("25", "石油、煤炭及其他燃料加工业", "C"),
        ("26", "化学原料和化学制品制造业", "C"),
        ("45", "燃气生产和供应业", "D"),
        ("50", "建筑装饰、装修和其他建筑业", "E"),
        ("59", "装卸搬运和仓储业", "G"),
        ("96", "基层群众自治组织及其他组织", "S"),
        ("97", "国际组织", "T"),
    ],
)
def test_sample_division_names(code: str, name: str, section: str) -> None:
    assert load_industries()[code] == Industry(code=code, name=name, section=section)


def test_names_are_unique_and_non_empty() -> None:
    names = [industry.name for industry in load_industries().values()]
    assert all(names)
    assert len(set(names)) == len(names)


def test_loader_is_cached() -> None:
    assert load_industries() is load_industries()


def test_industry_names_feed_the_rule() -> None:
    names = industry_names()
    assert names["26"] == "化学原料和化学制品制造业"
    assert validate_industry_code("2614", names) is None
    assert validate_industry_code("9800", names) == "大类代码98不存在"
    assert validate_industry_code("00", names) == "大类代码00不存在"
