"""The shipped GB 18218-2018 tables: complete, consistent and as transcribed (§1.2-§1.7)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from yingji.risks.major_hazards.rules import cas_index, name_index, normalise
from yingji.risks.major_hazards.tables import load_tables

# Rows the standard itself gives one CAS number (硝化纤维素 ×6, 硝酸铵 ×2).
SHARED_CAS = {"9004-70-0": 6, "6484-52-2": 2}


def test_table1_has_all_85_named_rows_in_order():
    t = load_tables()
    assert [r.row for r in t.named] == list(range(1, 86))
    assert len({r.name for r in t.named}) == 85
    assert all(r.threshold > 0 for r in t.named)


def test_table1_spot_checks():
    by_row = {r.row: r for r in load_tables().named}
    assert (by_row[1].name, by_row[1].aliases, by_row[1].cas) == (
        "氨",
        ("液氨", "氨气"),
        ("7664-41-7",),
    )
    assert (by_row[6].name, by_row[6].threshold) == ("碳酰氯", Decimal("0.3"))
    assert by_row[12].threshold == Decimal("5")
    assert by_row[14].aliases == ("砷化三氢", "胂")
    assert by_row[30].threshold == Decimal("0.75")
    assert by_row[46].threshold == Decimal("1000")
    assert by_row[49].cas == ("74-82-8", "8006-14-2")
    assert by_row[52].cas == ("68476-85-7", "74-98-6", "106-97-8")
    assert by_row[85].name == "钠"


def test_cas_numbers_are_unique_except_the_standards_shared_ones():
    counts = Counter(c for r in load_tables().named for c in r.cas)
    shared = {c: n for c, n in counts.items() if n > 1}
    assert shared == SHARED_CAS
    rows_without_cas = sorted(r.row for r in load_tables().named if not r.cas)
    assert rows_without_cas == [13, 45, 74]


def test_cas_check_digits_are_valid():
    for row in load_tables().named:
        for cas in (*row.cas, *row.lookup_cas):
            digits = cas.replace("-", "")
            body, check = digits[:-1], int(digits[-1])
            total = sum(int(d) * (i + 1) for i, d in enumerate(reversed(body)))
            assert total % 10 == check, (row.row, cas)


def test_every_table3_gas_is_a_table1_row_found_by_its_name():
    t = load_tables()
    names = name_index(t)
    assert len(t.toxic_gases) == 14
    for gas in t.toxic_gases:
        assert [r.row for r in names[normalise(gas.name)]] == [gas.row], gas.name
    assert {g.name: g.beta for g in t.toxic_gases}["氯"] == Decimal("4")
    assert {g.name: g.beta for g in t.toxic_gases}["异氰酸甲酯"] == Decimal("20")


def test_table2_categories_with_their_table4_beta():
    cats = load_tables().categories
    assert list(cats) == [
        "J1", "J2", "J3", "J4", "J5", "W1.1", "W1.2", "W1.3", "W2", "W3", "W4", "W5.1",
        "W5.2", "W5.3", "W5.4", "W6.1", "W6.2", "W7.1", "W7.2", "W8", "W9.1", "W9.2",
        "W10", "W11",
    ]  # fmt: skip
    assert (cats["J1"].threshold, cats["J1"].beta) == (Decimal("5"), Decimal("4"))
    assert (cats["W2"].threshold, cats["W2"].beta) == (Decimal("10"), Decimal("1.5"))
    assert (cats["W5.3"].threshold, cats["W5.3"].beta) == (Decimal("1000"), Decimal("1"))
    assert (cats["W5.4"].threshold, cats["W3"].threshold) == (Decimal("5000"), Decimal("150"))
    assert all(c.description for c in cats.values())


def test_table5_and_table6_bands():
    t = load_tables()
    assert t.alpha_bands == (
        (100, Decimal("2.0")),
        (50, Decimal("1.5")),
        (30, Decimal("1.2")),
        (1, Decimal("1.0")),
        (0, Decimal("0.5")),
    )
    assert t.grade_bands == ((Decimal(100), 1), (Decimal(50), 2), (Decimal(10), 3), (Decimal(0), 4))


def test_lookup_keys_are_unambiguous_except_the_shared_alias_and_cas():
    t = load_tables()
    ambiguous = {k for k, rows in name_index(t).items() if len(rows) > 1}
    assert ambiguous == {"硝化棉"}
    assert {k for k, rows in cas_index(t).items() if len(rows) > 1} == set(SHARED_CAS)
