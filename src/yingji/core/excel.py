"""Excel in and out (openpyxl): templates, exports and all-or-nothing import parsing.

A registry describes its sheet as a list of ``Column``s. Parsing validates every row and
returns either all the parsed rows or every error with sheet, row, column and reason —
callers write nothing unless the error list is empty.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yingji.core.errors import FieldError

Kind = Literal["str", "int", "decimal", "float", "bool", "date", "list"]

TRUE_WORDS = {"是", "true", "1", "yes", "y", "√"}
FALSE_WORDS = {"否", "false", "0", "no", "n", "×", ""}
LIST_SEPARATORS = ("、", ",", "，", ";", "；")
MAX_IMPORT_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    """One column of a registry sheet: the field it fills and how to read it."""

    key: str
    header: str
    kind: Kind = "str"
    required: bool = False
    example: Any = None
    # Allowed values as {stored value: label shown in the sheet}.
    choices: Mapping[str, str] | None = None
    max_length: int | None = None
    note: str = ""


@dataclass
class ParseResult:
    """Rows parsed from an upload, or the errors that stop the whole import."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def build_template(sheet: str, columns: Sequence[Column]) -> bytes:
    """Return an .xlsx template: header row, one example row, drop-downs for choices."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    _write_header(ws, columns)
    ws.append([_example(c) for c in columns])
    for idx, col in enumerate(columns, start=1):
        if col.choices:
            letter = get_column_letter(idx)
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(col.choices.values()) + '"',
                allow_blank=not col.required,
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{MAX_IMPORT_ROWS + 1}")
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "必填", "格式", "说明"])
    for col in columns:
        notes.append([col.header, "是" if col.required else "否", _kind_label(col), col.note])
    return _save(wb)


def export_rows(sheet: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Return an .xlsx with the header and one row per record, in the import layout."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([c.header for c in columns])
    for row in rows:
        ws.append([_to_cell(c, row.get(c.key)) for c in columns])
    return _save(wb)


def parse_upload(content: bytes, sheet: str, columns: Sequence[Column]) -> ParseResult:
    """Parse an uploaded workbook against ``columns``; collect every error, row by row."""
    result = ParseResult()
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a non-workbook upload
        result.errors.append(FieldError("file", "文件不是有效的 Excel (.xlsx) 工作簿"))
        return result
    ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        result.errors.append(FieldError("file", "工作表为空", sheet=ws.title))
        return result
    positions = _header_positions(header, columns, ws.title, result.errors)
    if result.errors:
        return result
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(result.rows) >= MAX_IMPORT_ROWS:
            result.errors.append(
                FieldError("file", f"一次最多导入 {MAX_IMPORT_ROWS} 行", sheet=ws.title, row=number)
            )
            break
        parsed: dict[str, Any] = {}
        for col in columns:
            pos = positions.get(col.key)
            raw = values[pos] if pos is not None and pos < len(values) else None
            try:
                parsed[col.key] = _from_cell(col, raw)
            except ValueError as exc:
                result.errors.append(
                    FieldError(col.key, str(exc), sheet=ws.title, row=number, column=col.header)
                )
        result.rows.append(parsed)
        result.row_numbers.append(number)
    wb.close()
    return result


def _header_positions(
    header: Sequence[Any], columns: Sequence[Column], sheet: str, errors: list[FieldError]
) -> dict[str, int]:
    names = [str(h).strip().rstrip("*") if h is not None else "" for h in header]
    positions: dict[str, int] = {}
    for col in columns:
        if col.header in names:
            positions[col.key] = names.index(col.header)
        elif col.required:
            errors.append(
                FieldError(
                    col.key, f"缺少必填列“{col.header}”", sheet=sheet, row=1, column=col.header
                )
            )
    return positions


def _from_cell(col: Column, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if col.required:
            raise ValueError("必填项为空")
        return [] if col.kind == "list" else None
    if col.choices:
        text = str(raw).strip()
        for value, label in col.choices.items():
            if text in (label, value):
                return value
        raise ValueError("取值应为：" + "、".join(col.choices.values()))
    converter = _CONVERTERS[col.kind]
    value = converter(raw)
    if col.max_length is not None and isinstance(value, str) and len(value) > col.max_length:
        raise ValueError(f"长度不能超过 {col.max_length} 个字符")
    return value


def _to_str(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Excel turns long digit strings typed as numbers into floats
    return str(raw).strip()


def _to_int(raw: Any) -> int:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError("应为整数") from None
    if number != number.to_integral_value():
        raise ValueError("应为整数")
    return int(number)


def _to_decimal(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError("应为数字") from None
    if not value.is_finite():
        raise ValueError("应为有限的数字")
    return value


def _to_float(raw: Any) -> float:
    return float(_to_decimal(raw))


def _to_bool(raw: Any) -> bool:
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError("应为“是”或“否”")


def _to_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD") from None


def _to_list(raw: Any) -> list[str]:
    text = str(raw)
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "str": _to_str,
    "int": _to_int,
    "decimal": _to_decimal,
    "float": _to_float,
    "bool": _to_bool,
    "date": _to_date,
    "list": _to_list,
}


def _to_cell(col: Column, value: Any) -> Any:
    if value is None:
        return None
    if col.choices and str(value) in col.choices:
        return col.choices[str(value)]
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "list":
        return "、".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "value") and not isinstance(value, str | int | float):
        return value.value  # enums
    return value


def _example(col: Column) -> Any:
    if col.example is not None:
        return col.example
    if col.choices:
        return next(iter(col.choices.values()))
    return None


def _kind_label(col: Column) -> str:
    if col.choices:
        return "可选：" + "、".join(col.choices.values())
    return {
        "str": "文本",
        "int": "整数",
        "decimal": "数字",
        "float": "数字",
        "bool": "是/否",
        "date": "日期 YYYY-MM-DD",
        "list": "多项以“、”分隔",
    }[col.kind]


def _write_header(ws: Any, columns: Sequence[Column]) -> None:
    ws.append([c.header + ("*" if c.required else "") for c in columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6F5")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
    for idx, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = max(10, len(col.header) * 2 + 4)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
