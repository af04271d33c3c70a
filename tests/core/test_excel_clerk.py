"""Uploads as clerks make them, and hostile ones (no database)."""

from __future__ import annotations

import io
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from support.workbooks import HOSTILE, clerk_workbook
from yingji.core.excel import Column, normalize_header, parse_upload

COLUMNS = [
    Column("name", "名称", required=True, synonyms=("场所名称",)),
    Column("area", "有效面积(平方米)", "decimal", required=True),
    Column("count", "容纳人数", "int"),
    Column("on", "启用日期", "date"),
    Column("town", "所属乡镇"),
]


def save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_header_found_below_title_note_and_blank_rows_with_merges():
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["荣昌区应急避难场所登记表"])
    ws.merge_cells("A1:F1")
    ws.append(["说明：带*为必填"])
    ws.append([])
    ws.append(
        ["序号", "场所 名称*", "有效面积 （平方米）", "容纳人数（必填）", "启用日期", "所属乡镇"]
    )
    ws.append([1, "棠香街道广场", "1,200.5", "３００", "2024年3月5日", "棠香街道"])
    ws.append([2, "二号广场", 800, "40", "2024/3/5", None])
    ws.merge_cells("F5:F6")  # one town over two rows
    ws.append([3, "三号广场", "12", 1, 45356, None])
    result = parse_upload(save(wb), "表", COLUMNS)
    assert result.errors == []
    assert result.row_numbers == [5, 6, 7]
    assert result.rows[0] == {
        "name": "棠香街道广场",
        "area": Decimal("1200.5"),
        "count": 300,
        "on": date(2024, 3, 5),
        "town": "棠香街道",
    }
    assert result.rows[1]["town"] == "棠香街道"
    assert result.rows[1]["on"] == date(2024, 3, 5)
    assert result.rows[2]["on"] == date(2024, 3, 5)  # Excel serial 45356
    assert result.rows[2]["town"] is None


def test_two_level_header_with_a_merged_group():
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "面积", None, "容纳人数"])
    ws.append([None, "有效面积(平方米)", "占地面积", None])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:D2")
    ws.append(["x", 10, 20, 5])
    result = parse_upload(save(wb), "表", COLUMNS)
    assert result.errors == []
    assert result.rows == [{"name": "x", "area": 10, "count": 5, "on": None, "town": None}]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-05",
        "2024/3/5",
        "2024.3.5",
        "2024年3月5日",
        "2024 年 3 月 5 日",
        "20240305",
        "２０２４年３月５日",
        "2024-03-05 08:30:00",
        "45356",
    ],
)
def test_date_forms(text):
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "有效面积(平方米)", "启用日期"])
    ws.append(["x", 1, text])
    result = parse_upload(save(wb), "表", COLUMNS)
    assert result.errors == []
    assert result.rows[0]["on"] == date(2024, 3, 5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3/5/2024", "有歧义"),
        ("05.03.24", "有歧义"),
        ("3月5日", "缺少年份"),
        ("2024-02-30", "不存在"),
        ("明天", "日期格式应为 YYYY-MM-DD"),
    ],
)
def test_ambiguous_or_wrong_dates_are_refused_clearly(text, reason):
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "有效面积(平方米)", "启用日期"])
    ws.append(["x", 1, text])
    result = parse_upload(save(wb), "表", COLUMNS)
    assert [(e.row, e.column) for e in result.errors] == [(2, "启用日期")]
    assert reason in result.errors[0].reason


def test_date_cells_and_datetimes():
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "有效面积(平方米)", "启用日期"])
    ws.append(["x", 1, datetime(2024, 3, 5, 8, 0)])
    assert parse_upload(save(wb), "表", COLUMNS).rows[0]["on"] == date(2024, 3, 5)


def test_a_different_unit_is_not_taken_for_the_column():
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "有效面积(公顷)"])
    ws.append(["x", 1])
    result = parse_upload(save(wb), "表", COLUMNS)
    assert [e.reason for e in result.errors] == ["缺少必填列“有效面积(平方米)”"]


def test_headers_normalize():
    assert normalize_header(" 有效面积 （平方米）* ") == normalize_header("有效面积(平方米)")
    assert normalize_header("所属企业ID") == normalize_header("所属企业 id")


def test_clerk_workbook_helper_round_trips():
    rows = [{"name": "x", "area": Decimal("12.5"), "count": 3, "on": date(2024, 3, 5)}]
    result = parse_upload(clerk_workbook("表", COLUMNS, rows), "表", COLUMNS)
    assert result.errors == []
    assert result.rows[0] == {**rows[0], "town": None}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_workbooks_are_refused_quickly(name):
    content = HOSTILE[name]()
    started = time.perf_counter()
    result = parse_upload(content, "表", COLUMNS)
    elapsed = time.perf_counter() - started
    assert result.rows == [] or result.errors
    assert [e.field for e in result.errors] == ["file"], result.errors
    assert elapsed < 2.0
