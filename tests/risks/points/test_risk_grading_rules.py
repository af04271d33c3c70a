"""LEC and LS grading: every band edge on both sides, every off-table value, overrides.

Reference: regulations-safety.md §2.2 (LEC: ≥320 重大, 160 ≤ D < 320 较大, 70 ≤ D < 160 一般,
D < 70 低 — lower bounds inclusive) and §2.3 (LS: 20-25 / 15-16 / 9-12 / 1-8).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest

from yingji.core.errors import ValidationFailed
from yingji.risks.points.rules import (
    DEFAULT_CONFIG,
    LEVEL_COLORS,
    LEVEL_LABELS,
    RiskLevel,
    band_level,
    config_from_mapping,
    grade_lec,
    grade_ls,
    load_config,
)

MAJOR, SIGNIFICANT, GENERAL, LOW = (
    RiskLevel.MAJOR,
    RiskLevel.SIGNIFICANT,
    RiskLevel.GENERAL,
    RiskLevel.LOW,
)
L_TABLE = ["10", "6", "3", "1", "0.5", "0.2", "0.1"]
E_TABLE = ["10", "6", "3", "2", "1", "0.5"]
C_TABLE = ["100", "40", "15", "7", "3", "1"]


def d(value: str | int) -> Decimal:
    return Decimal(str(value))


# Each band edge with the score just below it and exactly on it (plus the extremes).
@pytest.mark.parametrize(
    ("score", "level"),
    [
        ("10000", MAJOR),  # 10 × 10 × 100, the largest D
        ("320", MAJOR),
        ("319.99", SIGNIFICANT),
        ("160", SIGNIFICANT),
        ("159.99", GENERAL),
        ("70", GENERAL),
        ("69.99", LOW),
        ("20", LOW),  # 一般危险, still 低风险
        ("19.99", LOW),  # 稍有危险 (not graded), 低风险
        ("0.05", LOW),  # 0.1 × 0.5 × 1, the smallest D
    ],
)
def test_lec_band_edges(score, level):
    assert band_level(d(score), DEFAULT_CONFIG.lec_bands) is level


# The achievable products nearest each edge, from the official value tables: 320 and 160
# cannot occur (§2.2), 70 and 20 can.
@pytest.mark.parametrize(
    ("l", "e", "c", "score", "level"),
    [
        ("10", "10", "100", "10000", MAJOR),
        ("3", "3", "40", "360", MAJOR),  # smallest D ≥ 320
        ("10", "10", "3", "300", SIGNIFICANT),  # largest D < 320
        ("10", "6", "3", "180", SIGNIFICANT),  # smallest D ≥ 160
        ("10", "1", "15", "150", GENERAL),  # largest D < 160
        ("10", "1", "7", "70", GENERAL),  # D = 70 exactly: inclusive
        ("3", "3", "7", "63", LOW),  # largest D < 70
        ("10", "2", "1", "20", LOW),  # D = 20 exactly
        ("6", "3", "1", "18", LOW),  # largest D < 20
        ("0.1", "0.5", "1", "0.05", LOW),
    ],
)
def test_lec_grades_products_next_to_each_edge(l, e, c, score, level):  # noqa: E741
    grade = grade_lec(d(l), d(e), d(c))
    assert grade.score == d(score)
    assert grade.level is level
    assert grade.color is LEVEL_COLORS[level]
    assert grade.label == LEVEL_LABELS[level]


def _expected_lec(score: Decimal) -> RiskLevel:
    if score >= 320:
        return MAJOR
    if score >= 160:
        return SIGNIFICANT
    if score >= 70:
        return GENERAL
    return LOW


def test_every_lec_combination_lands_in_its_band():
    for l, e, c in product(L_TABLE, E_TABLE, C_TABLE):  # noqa: E741
        score = d(l) * d(e) * d(c)
        grade = grade_lec(d(l), d(e), d(c))
        assert (grade.score, grade.level) == (score, _expected_lec(score)), (l, e, c)


ALL_TABLE_VALUES = sorted({*L_TABLE, *E_TABLE, *C_TABLE, "0", "-1", "0.3", "4", "11", "1000"})
OFF_TABLE = [
    (field, value)
    for field, table in (("l", L_TABLE), ("e", E_TABLE), ("c", C_TABLE))
    for value in ALL_TABLE_VALUES
    if d(value) not in {d(v) for v in table}
]


@pytest.mark.parametrize(("field", "value"), OFF_TABLE)
def test_lec_value_off_its_table_is_refused_naming_the_field(field, value):
    args = {"l": d("3"), "e": d("6"), "c": d("7")}
    args[field] = d(value)
    with pytest.raises(ValidationFailed) as caught:
        grade_lec(args["l"], args["e"], args["c"])
    assert [e.field for e in caught.value.errors] == [field]
    assert value in caught.value.errors[0].reason


def test_lec_accepts_equal_decimals_written_differently():
    assert grade_lec(d("3.0"), d("6.00"), d("7")).score == 126


# R = L × S: every one of the 25 cells of the 5 × 5 matrix (§2.3).
LS_LEVEL_BY_R = {
    **dict.fromkeys((1, 2, 3, 4, 5, 6, 8), LOW),
    **dict.fromkeys((9, 10, 12), GENERAL),
    **dict.fromkeys((15, 16), SIGNIFICANT),
    **dict.fromkeys((20, 25), MAJOR),
}


@pytest.mark.parametrize(("l", "s"), list(product(range(1, 6), range(1, 6))))
def test_every_ls_cell(l, s):  # noqa: E741
    grade = grade_ls(l, s)
    assert grade.score == l * s
    assert grade.level is LS_LEVEL_BY_R[l * s]
    assert grade.color is LEVEL_COLORS[grade.level]


# Both sides of each LS edge among the products that can occur: 8|9, 12|15, 16|20.
@pytest.mark.parametrize(
    ("l", "s", "level"),
    [
        (2, 4, LOW),  # R = 8
        (3, 3, GENERAL),  # R = 9
        (3, 4, GENERAL),  # R = 12
        (3, 5, SIGNIFICANT),  # R = 15
        (4, 4, SIGNIFICANT),  # R = 16
        (4, 5, MAJOR),  # R = 20
        (1, 1, LOW),
        (5, 5, MAJOR),
    ],
)
def test_ls_band_edges(l, s, level):  # noqa: E741
    assert grade_ls(l, s).level is level


@pytest.mark.parametrize(
    ("field", "value"), [(f, v) for f in ("l", "s") for v in (-1, 0, 6, 10, 25)]
)
def test_ls_value_off_the_scale_is_refused_naming_the_field(field, value):
    args = {"l": 3, "s": 3}
    args[field] = value
    with pytest.raises(ValidationFailed) as caught:
        grade_ls(args["l"], args["s"])
    assert [e.field for e in caught.value.errors] == [field]


def test_both_bad_ls_values_are_named():
    with pytest.raises(ValidationFailed) as caught:
        grade_ls(0, 6)
    assert [e.field for e in caught.value.errors] == ["l", "s"]


def test_levels_colours_and_labels():
    assert {lv.value: (LEVEL_COLORS[lv].value, LEVEL_LABELS[lv]) for lv in RiskLevel} == {
        "major": ("red", "重大风险"),
        "significant": ("orange", "较大风险"),
        "general": ("yellow", "一般风险"),
        "low": ("blue", "低风险"),
    }


def test_bands_and_tables_are_configurable():
    # Other cut-offs seen in practice (§2.2: 260/120/62/20; §2.3: 1-3 / 4-9 / 10-16 / 20-25).
    config = config_from_mapping(
        {
            "lec_bands": [[0, "low"], [260, "major"], [120, "significant"], [62, "general"]],
            "ls_bands": [[20, "major"], [10, "significant"], [4, "general"], [1, "low"]],
            "lec_c": [100, 40, 15, 7, 3, 1, 0.5],
        }
    )
    assert grade_lec(d(10), d(10), d(3), config).level is MAJOR  # 300 ≥ 260
    assert grade_lec(d(3), d(3), d(7), config).level is GENERAL  # 63 ≥ 62
    assert grade_lec(d(1), d(1), d("0.5"), config).score == d("0.5")
    assert grade_ls(3, 3, config).level is GENERAL  # 9 in 4-9
    assert grade_ls(2, 5, config).level is SIGNIFICANT  # 10 in 10-16
    assert config.lec_l == DEFAULT_CONFIG.lec_l  # keys not given keep the defaults


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_config_file_overrides_the_defaults(tmp_path, suffix):
    path = tmp_path / f"grading{suffix}"
    if suffix == ".json":
        path.write_text('{"ls_scale": 4, "ls_bands": [[12, "major"], [1, "low"]]}')
    else:
        path.write_text("ls_scale: 4\nls_bands:\n  - [12, major]\n  - [1, low]\n")
    config = load_config(str(path))
    assert grade_ls(3, 4, config).level is MAJOR
    with pytest.raises(ValidationFailed):
        grade_ls(5, 1, config)
    assert load_config(None) is DEFAULT_CONFIG
