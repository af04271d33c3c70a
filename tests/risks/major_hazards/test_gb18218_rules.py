"""GB 18218-2018 identification and grading: the worked examples of regulations-safety.md §1.8
and every boundary (S = 1; R = 10, 50, 100; the α bands), compared exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from yingji.core.errors import ValidationFailed
from yingji.risks.major_hazards.rules import (
    SubstanceLine,
    alpha_for,
    assess,
    display,
    grade_for,
    next_due,
    normalise,
)
from yingji.risks.major_hazards.tables import Tables, load_tables

T = load_tables()


def line(q: str, name: str | None = None, **kw: str) -> SubstanceLine:
    return SubstanceLine(quantity_t=Decimal(q), name=name, **kw)


def errors_of(
    lines: list[SubstanceLine], population: int = 0, tables: Tables = T
) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as exc:
        assess("storage", lines, population, tables)
    return [(e.field, e.reason) for e in exc.value.errors]


# --- §1.8 worked examples ---------------------------------------------------------------


def test_example_a_liquid_chlorine_storage_is_grade_3():
    a = assess("storage", [line("30", "氯")], 120, T)
    item = a.items[0]
    assert (item.threshold_quantity, item.beta, item.ratio) == (Decimal(5), Decimal(4), 6)
    assert a.sum_ratio == 6
    assert a.is_major_hazard
    assert a.alpha == Decimal("2.0")
    assert a.r_value == 48
    assert a.grade == 3


def test_example_b1_below_one_is_not_a_major_hazard():
    lines = [line("6", "氨"), line("1", "氢", category="W2"), line("3", "甲烷", category="W2")]
    b1 = assess("production", lines, 40, T)
    assert b1.sum_ratio == Fraction("0.86")
    assert not b1.is_major_hazard
    assert (b1.r_value, b1.grade) == (None, None)


def test_example_b2_is_grade_4():
    lines = [line("8", "氨"), line("1", "氢", category="W2"), line("3", "甲烷", category="W2")]
    b2 = assess("production", lines, 40, T)
    assert [i.ratio for i in b2.items] == [Fraction("0.8"), Fraction("0.2"), Fraction("0.06")]
    assert [i.beta for i in b2.items] == [Decimal(2), Decimal("1.5"), Decimal("1.5")]
    assert b2.sum_ratio == Fraction("1.06")
    assert b2.alpha == Decimal("1.2")
    assert b2.r_value == Fraction("2.388")
    assert b2.grade == 4


@pytest.mark.parametrize(
    ("population", "alpha", "r_value", "grade"), [(0, "0.5", 3, 4), (150, "2.0", 12, 3)]
)
def test_examples_c1_c2_tank_farm(population, alpha, r_value, grade):
    lines = [
        line("1000", "汽油", category="W5.3"),
        line("300", "甲醇", category="W5.3"),
        line("20", "苯", category="W5.3"),
    ]
    c = assess("storage", lines, population, T)
    # Table 1 sets Q (200, 500, 50) although a category is given; β comes from Table 4.
    assert [i.threshold_quantity for i in c.items] == [Decimal(200), Decimal(500), Decimal(50)]
    assert c.sum_ratio == 6
    assert (c.alpha, c.r_value, c.grade) == (Decimal(alpha), r_value, grade)


def test_example_e1_phosgene_at_exactly_one_is_major_grade_3():
    e1 = assess("storage", [line("0.3", "光气")], 10, T)
    assert e1.items[0].name == "碳酰氯"  # found by its alias
    assert e1.sum_ratio == 1
    assert e1.is_major_hazard
    assert (e1.alpha, e1.r_value, e1.grade) == (Decimal("1.0"), 20, 3)


# --- S boundary -------------------------------------------------------------------------


def test_s_exactly_one_from_several_substances_is_major():
    a = assess("production", [line("5", "氨"), line("2.5", "氯")], 0, T)
    assert a.sum_ratio == 1
    assert a.is_major_hazard


def test_s_just_below_one_is_not_major():
    a = assess("storage", [line("4.999999", "氯")], 200, T)
    assert a.sum_ratio == Fraction("0.9999998")
    assert not a.is_major_hazard
    assert a.grade is None


def test_thirds_add_up_to_exactly_one():
    # 1/3 + 2/3 of Q: exact fractions, no binary or decimal rounding at the boundary.
    a = assess("storage", [line("1", category="W5.4"), line("3333.34", category="W5.4")], 0, T)
    assert a.sum_ratio == Fraction("3334.34") / 5000
    assert not a.is_major_hazard
    b = assess("storage", [line("0.1", "氯"), line("0.2", "氯"), line("4.7", "氯")], 0, T)
    assert b.sum_ratio == 1
    assert b.is_major_hazard


# --- R boundaries (氯: β 4, Q 5; 1-29 people: α 1.0, so R = 0.8 q) ------------------------


@pytest.mark.parametrize(
    ("q", "r_value", "grade"),
    [
        ("125", "100", 1),
        ("124.999999", "99.9999992", 2),
        ("62.5", "50", 2),
        ("62.499999", "49.9999992", 3),
        ("12.5", "10", 3),
        ("12.499999", "9.9999992", 4),
        ("5", "4", 4),
        ("1000", "800", 1),
    ],
)
def test_grade_edges(q, r_value, grade):
    a = assess("storage", [line(q, "氯")], 10, T)
    assert a.r_value == Fraction(r_value)
    assert a.grade == grade


@pytest.mark.parametrize(
    ("r_value", "grade"),
    [("100", 1), ("99.99", 2), ("50", 2), ("49.99", 3), ("10", 3), ("9.99", 4), ("0", 4)],
)
def test_grade_for_table6(r_value, grade):
    assert grade_for(Decimal(r_value), T) == grade


@pytest.mark.parametrize(
    ("people", "alpha"),
    [(0, "0.5"), (1, "1.0"), (29, "1.0"), (30, "1.2"), (49, "1.2"), (50, "1.5"), (99, "1.5"),
     (100, "2.0"), (100000, "2.0")],
)  # fmt: skip
def test_alpha_bands_include_their_ends(people, alpha):
    assert alpha_for(people, T) == Decimal(alpha)


# --- identification ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        {"name": "氯"},
        {"name": "液氯"},
        {"name": " 液 氯 "},
        {"cas": "7782-50-5"},
        {"cas": "７７８２－５０－５"},
        {"name": "氯气", "cas": "7782-50-5"},
    ],
)
def test_lookup_by_name_alias_or_cas(given):
    a = assess("storage", [SubstanceLine(quantity_t=Decimal(5), **given)], 0, T)
    assert (a.items[0].name, a.items[0].table1_row, a.items[0].cas) == ("氯", 12, "7782-50-5")


def test_lookup_folds_full_width_and_case():
    assert normalise("ＴＤＩ") == normalise("tdi")
    a = assess("storage", [line("50", "ｔｄｉ")], 0, T)
    assert a.items[0].name == "甲苯二异氰酸酯"
    full = assess("storage", [line("1", "氯化氢（无水）")], 0, T)
    assert full.items[0].table1_row == 11


def test_category_only_uses_table2_and_table4():
    a = assess("storage", [line("500", category="w5.3")], 0, T)
    item = a.items[0]
    assert (item.category, item.threshold_quantity, item.beta) == ("W5.3", Decimal(1000), 1)
    assert item.name == "易燃液体（W5.3）"
    assert a.sum_ratio == Fraction(1, 2)


def test_unknown_name_with_category_uses_the_category():
    a = assess("storage", [line("20", "某树脂溶液", category="W5.1")], 0, T)
    assert (a.items[0].name, a.items[0].threshold_quantity) == ("某树脂溶液", Decimal(10))
    assert a.sum_ratio == 2
    assert a.r_value == Fraction("1.5")


def test_table1_wins_over_a_given_category_and_table3_over_table4():
    a = assess("storage", [line("5", "氯", category="W5.3")], 0, T)
    assert (a.items[0].threshold_quantity, a.items[0].beta) == (Decimal(5), Decimal(4))


def test_carbon_monoxide_reads_as_row_13():
    a = assess("production", [line("20", "一氧化碳")], 0, T)
    assert (a.items[0].table1_row, a.items[0].beta) == (13, Decimal(2))


def test_unknown_substance_without_category_is_named():
    assert errors_of([line("5", "氯"), line("3", "神秘液体")]) == [
        ("substances.1.name", "“神秘液体”不在GB 18218-2018表1中，请填写其危险性类别（表2）")
    ]
    assert (
        errors_of([SubstanceLine(quantity_t=Decimal(1), cas="1-11-1")])[0][0] == "substances.0.cas"
    )


def test_unknown_category_and_empty_line_are_named():
    assert errors_of([line("1", category="W99")])[0] == (
        "substances.0.category",
        "危险性类别“W99”不在表2中",
    )
    assert errors_of([SubstanceLine(quantity_t=Decimal(1))])[0][0] == "substances.0.name"
    assert errors_of([])[0][0] == "substances"


def test_ambiguous_alias_or_cas_asks_for_the_full_name():
    field, reason = errors_of([line("1", "硝化棉")])[0]
    assert field == "substances.0.name"
    assert "多个条目" in reason
    field, _ = errors_of([SubstanceLine(quantity_t=Decimal(1), cas="6484-52-2")])[0]
    assert field == "substances.0.cas"
    # The full name picks one row: 硝酸铵(含可燃物≤0.2%) Q 50.
    given = SubstanceLine(quantity_t=Decimal(25), name="硝酸铵(含可燃物≤0.2%)", cas="6484-52-2")
    a = assess("storage", [given], 0, T)
    assert a.items[0].threshold_quantity == 50
    assert a.sum_ratio == Fraction(1, 2)


def test_name_and_cas_of_different_substances_are_refused():
    assert errors_of([SubstanceLine(quantity_t=Decimal(1), name="氨", cas="7782-50-5")]) == [
        ("substances.0.cas", "CAS号与名称不是同一种物质")
    ]


def test_beta_needs_a_category_only_when_the_unit_is_major():
    # Run on tables whose Table 1 rows carry no default category (as 三氧化硫 has none): the
    # shipped fixture now gives 氢 its W2, so it would never ask.
    bare = replace(T, named=tuple(replace(n, category=None) for n in T.named))
    below = assess("storage", [line("1", "氢")], 0, bare)
    assert below.items[0].beta is None
    assert not below.is_major_hazard
    field, reason = errors_of([line("5", "氢")], tables=bare)[0]
    assert field == "substances.0.category"
    assert "表4" in reason


def test_production_and_storage_units_use_the_same_arithmetic():
    lines = [line("30", "氯")]
    prod, store = assess("production", lines, 120, T), assess("storage", lines, 120, T)
    assert (prod.sum_ratio, prod.r_value, prod.grade) == (
        store.sum_ratio,
        store.r_value,
        store.grade,
    )


def test_display_rounds_only_for_people():
    assert display(Fraction(2388, 1000)) == Decimal("2.388")
    assert str(display(Fraction(100))) == "100"
    assert str(display(Fraction(1, 3))) == "0.333333"
    assert str(display(Fraction(9999999, 10000000))) == "1"  # shown as 1, but S < 1


@pytest.mark.parametrize(
    ("assessed", "due"),
    [(date(2026, 3, 1), date(2029, 3, 1)), (date(2024, 2, 29), date(2027, 2, 28))],
)
def test_next_assessment_is_due_after_three_years(assessed, due):
    assert next_due(assessed) == due


def test_lpg_beta_comes_from_its_own_category():
    # 液化石油气 100 t, nobody exposed: Q 50 (Table 1), β 1.5 (W2 易燃气体, Table 4), α 0.5.
    a = assess("storage", [line("100", "液化石油气")], 0, T)
    item = a.items[0]
    assert (item.threshold_quantity, item.category, item.beta) == (
        Decimal(50),
        "W2",
        Decimal("1.5"),
    )
    assert a.r_value == Fraction("1.5")  # 0.5 × 1.5 × 2


def test_a_typed_category_overrides_the_default_beta():
    # 汽油 heated above its boiling point is W5.1 (β 1.5), not the ambient W5.3 default.
    default = assess("storage", [line("400", "汽油")], 0, T).items[0]
    typed = assess("storage", [line("400", "汽油", category="W5.1")], 0, T).items[0]
    assert (default.category, default.beta) == ("W5.3", Decimal(1))
    assert (typed.category, typed.beta, typed.threshold_quantity) == ("W5.1", Decimal("1.5"), 200)


def test_every_table1_chemical_outside_table3_has_a_beta_but_sulphur_trioxide():
    in_table3 = set(T.beta_by_row())
    without = [n.row for n in T.named if n.row not in in_table3 and n.category is None]
    assert without == [26]
    for named in T.named:
        if named.row not in in_table3 and named.category:
            assert named.category in T.categories
