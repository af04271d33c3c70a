"""Excel parsing: types, choices, required cells, located errors (no database)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from yingji.core.excel import Column, build_template, export_rows, parse_upload

COLUMNS = [
    Column("name", "名称", required=True),
    Column("count", "数量", "int", required=True),
    Column("area", "面积", "decimal"),
    Column("ok", "可用", "bool"),
    Column("on", "日期", "date"),
    Column("tags", "标签", "list"),
    Column("kind", "类别", choices={"a": "甲", "b": "乙"}),
]


def book(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append([c.header for c in COLUMNS])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_values_are_converted():
    result = parse_upload(
        book([["x", 3, "2.5", "是", "2026/03/01", "甲、乙，丙", "乙"]]), "表", COLUMNS
    )
    assert result.errors == []
    assert result.rows == [
        {
            "name": "x",
            "count": 3,
            "area": Decimal("2.5"),
            "ok": True,
            "on": date(2026, 3, 1),
            "tags": ["甲", "乙", "丙"],
            "kind": "b",
        }
    ]


def test_every_bad_cell_is_reported_with_its_place():
    result = parse_upload(
        book([["x", "三", "abc", "也许", "明天", None, "丙"], [None, 1.5]]), "表", COLUMNS
    )
    places = {(e.row, e.column, e.reason) for e in result.errors}
    assert places == {
        (2, "数量", "应为整数"),
        (2, "面积", "应为数字"),
        (2, "可用", "应为“是”或“否”"),
        (2, "日期", "日期格式应为 YYYY-MM-DD"),
        (2, "类别", "取值应为：甲、乙"),
        (3, "名称", "必填项为空"),
        (3, "数量", "应为整数"),
    }


def test_blank_rows_are_skipped_and_numbers_as_text_survive():
    result = parse_upload(book([[None] * 7, [91500153, 1]]), "表", COLUMNS)
    assert result.errors == []
    assert result.rows[0]["name"] == "91500153"
    assert result.row_numbers == [3]


def test_export_reimports_to_the_same_values():
    rows = [
        {
            "name": "x",
            "count": 2,
            "area": Decimal("1.5"),
            "ok": False,
            "on": date(2026, 1, 2),
            "tags": ["a", "b"],
            "kind": "a",
        }
    ]
    assert parse_upload(export_rows("表", COLUMNS, rows), "表", COLUMNS).rows == rows


def test_template_parses_to_its_example_row():
    result = parse_upload(build_template("表", COLUMNS), "表", COLUMNS)
    assert [e.column for e in result.errors] == ["名称", "数量"]  # required, no example given
