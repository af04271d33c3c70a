"""Workbooks as clerks make them, and hostile ones, built in the tests with openpyxl/zipfile.

``clerk_workbook`` lays a registry's rows out the way a bureau clerk's sheet looks: a
merged title row, a note row and a blank row above the header, a 序号 column, headers
with blanks and full-width brackets, numbers typed as text and dates as 2024年3月5日.
``HOSTILE`` maps a name to a broken or hostile upload that every import must refuse
with 422, quickly.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from yingji.core.excel import Column, _to_cell


def _clerk_header(header: str) -> str:
    # Full-width brackets and a stray blank, as typed in a Chinese IME.
    text = header.replace("(", "（").replace(")", "）")
    return text[:1] + " " + text[1:] if len(text) > 1 else text


def _clerk_value(col: Column, value: Any) -> Any:
    cell = _to_cell(col, value)
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if col.kind == "date" and isinstance(cell, str) and cell:
        parsed = date.fromisoformat(cell)
        return f"{parsed.year}/{parsed.month}/{parsed.day}"
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        return str(value)  # numbers stored as text
    return cell


def clerk_workbook(sheet: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> bytes:
    """Return a workbook with title, note and blank rows, merged cells and clerk habits."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    width = len(columns) + 1
    ws.append([f"荣昌区{sheet}登记表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["填报单位：（盖章）", None, None, "填报日期：2026年3月5日"])
    ws.append([])
    ws.append(["序号", *(_clerk_header(c.header) for c in columns)])
    for index, row in enumerate(rows, start=1):
        ws.append([index, *(_clerk_value(c, row.get(c.key)) for c in columns)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _plain_book() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称"])
    ws.append(["x"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _replace_member(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = data if member.filename == name else source.read(member)
            target.writestr(member.filename, body)
        if name not in source.namelist():
            target.writestr(name, data)
    return out.getvalue()


_SHEET = "xl/worksheets/sheet1.xml"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet_xml(rows: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {_NS}><sheetData>'
        f"{rows}</sheetData></worksheet>"
    ).encode()


def xxe() -> bytes:
    """A sheet whose cell pulls a local file through an external entity."""
    prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    return _replace_member(_plain_book(), _SHEET, _sheet_xml(rows, prolog))


def billion_laughs() -> bytes:
    """Shared strings that expand an entity a billion times."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
        f'<sst {_NS} count="1" uniqueCount="1"><si><t>&a9;</t></si></sst>'
    ).encode()
    return _replace_member(_plain_book(), "xl/sharedStrings.xml", body)


def zip_bomb() -> bytes:
    """A member of 64 MB of blanks that packs to a few dozen kilobytes."""
    return _replace_member(_plain_book(), "xl/media/padding.xml", b" " * (64 * 2**20))


def far_row() -> bytes:
    """One cell at Excel's last row: a reader would walk a million empty rows."""
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return _replace_member(_plain_book(), _SHEET, _sheet_xml(rows))


def many_rows() -> bytes:
    """A sheet of 250,000 short rows (a few MB packed)."""
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 250_001))
    return _replace_member(_plain_book(), _SHEET, _sheet_xml(rows))


def malformed() -> bytes:
    """A sheet whose XML breaks off half-way."""
    return _replace_member(_plain_book(), _SHEET, _sheet_xml('<row r="1"><c r="A1"><v>1</v>'))


def truncated() -> bytes:
    """A valid workbook cut in half."""
    content = _plain_book()
    return content[: len(content) // 2]


def oversized() -> bytes:
    """An upload past the size limit (random bytes do not pack)."""
    import os

    from yingji.core.excel import MAX_UPLOAD_BYTES

    return os.urandom(MAX_UPLOAD_BYTES + 1)


HOSTILE: dict[str, Callable[[], bytes]] = {
    "not_a_zip": lambda: b"hello, this is not a workbook",
    "empty": lambda: b"",
    "legacy_xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    "truncated": truncated,
    "xxe": xxe,
    "billion_laughs": billion_laughs,
    "zip_bomb": zip_bomb,
    "far_row": far_row,
    "many_rows": many_rows,
    "malformed_xml": malformed,
    "oversized": oversized,
}
