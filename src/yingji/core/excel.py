"""Excel in and out (openpyxl): templates, exports and all-or-nothing import parsing.

A registry describes its sheet as a list of ``Column``s. Parsing validates every row and
returns either all the parsed rows or every error with sheet, row, column and reason —
callers write nothing unless the error list is empty.

Uploads are read as clerks make them: the header row is found below title, note and blank
rows; merged cells are filled; headers match despite blanks, full-width brackets, a 序号
column or a listed synonym; dates come as date cells, serials or 2024/3/5, 2024.3.5,
2024年3月5日. A broken or hostile upload (not a zip, a zip bomb, a DTD, a sheet of a
million rows) is refused with a file-level error before openpyxl parses it.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from yingji.core.errors import FieldError, ValidationFailed

Kind = Literal["str", "int", "decimal", "float", "bool", "date", "list"]

TRUE_WORDS = {"是", "true", "1", "yes", "y", "√"}
FALSE_WORDS = {"否", "false", "0", "no", "n", "×", ""}
LIST_SEPARATORS = ("、", ",", "，", ";", "；")
MAX_IMPORT_ROWS = 50_000
# Limits checked on the archive before openpyxl parses anything (a hostile upload must cost
# little): the upload itself, everything it inflates to, how far one member may inflate
# (legitimate sheet XML packs about 5-30x; deflate bombs reach 1000x), member count, and
# rows per sheet (room for title rows and a clerk's pre-formatted empty rows).
MAX_UPLOAD_BYTES = 20 * 2**20
MAX_UNPACKED_BYTES = 150 * 2**20
MAX_RATIO = 200
MAX_MEMBERS = 1000
MAX_SHEET_ROWS = 100_000
MAX_COLUMNS = 200
MAX_MERGES = 20_000
HEADER_SCAN_ROWS = 30
NOT_XLSX = "文件不是有效的 Excel (.xlsx) 工作簿"
BROKEN = "工作簿已损坏，无法读取，请在 Excel 中打开后另存为 .xlsx 再导入"
BOMB = "文件解压后过大（疑似压缩炸弹），已拒绝"


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
    # Other headers clerks use for this column ("联系方式" for 联系电话); compared after
    # normalize_header, like the header itself.
    synonyms: tuple[str, ...] = ()


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
        ws.append([safe_cell(ws, _to_cell(c, row.get(c.key))) for c in columns])
    return _save(wb)


def safe_cell(ws: Any, value: Any) -> Any:
    """Return ``value`` as an export may hold it: text stays text, never a formula.

    openpyxl stores a string starting with ``=`` as a live formula, so a name typed as
    ``=HYPERLINK(…)`` would run in the reader's Excel (formula injection); such text is written
    as a plain string cell. Characters XML cannot hold are dropped rather than failing the
    whole export.
    """
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith("="):
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        return cell
    return text


class UploadedWorkbook:
    """An upload that passed the archive checks, opened read-only; parse sheets from it.

    Use as a context manager (read-only workbooks keep the archive open until closed).
    """

    def __init__(self, workbook: Any, facts: dict[str, _SheetFacts]) -> None:
        self._wb = workbook
        self._facts = facts
        self.sheetnames: list[str] = list(workbook.sheetnames)

    def __enter__(self) -> UploadedWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the archive."""
        self._wb.close()

    def parse(self, sheet: str, columns: Sequence[Column]) -> ParseResult:
        """Parse ``sheet`` (or the first sheet when absent) against ``columns``.

        A workbook whose XML turns out broken half-way answers one file-level error rather
        than an exception: openpyxl raises many types for that.
        """
        ws = self._wb[sheet] if sheet in self.sheetnames else self._wb.worksheets[0]
        facts = self._facts.get(_member_name(getattr(ws, "_worksheet_path", "")))
        try:
            return _parse_sheet(ws, columns, facts, self._wb.epoch)
        except Exception:  # any parser failure is a broken upload, not a 500
            return ParseResult(errors=[FieldError("file", BROKEN, sheet=ws.title)])


def open_upload(content: bytes) -> UploadedWorkbook:
    """Check an upload's archive before openpyxl touches it, then open it read-only.

    Refuses (``ValidationFailed`` on field ``file``) what is not an .xlsx, what is larger
    than the limits, packed like a zip bomb, or carries a DTD (XXE, entity expansion) — so
    a hostile file costs a bounded, small amount of work and answers 422, never 500.
    """
    facts = _inspect_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a non-workbook upload
        raise ValidationFailed([FieldError("file", NOT_XLSX)], detail=NOT_XLSX) from None
    if not workbook.worksheets:
        workbook.close()
        raise ValidationFailed([FieldError("file", "工作簿中没有工作表")])
    return UploadedWorkbook(workbook, facts)


def parse_upload(content: bytes, sheet: str, columns: Sequence[Column]) -> ParseResult:
    """Parse an uploaded workbook against ``columns``; collect every error, row by row."""
    try:
        book = open_upload(content)
    except ValidationFailed as exc:
        return ParseResult(errors=list(exc.errors))
    with book:
        return book.parse(sheet, columns)


def read_limited(stream: Any) -> bytes:
    """Read an uploaded file, at most one byte past the size limit (the check refuses it)."""
    data: bytes = stream.read(MAX_UPLOAD_BYTES + 1)
    return data


@dataclass(frozen=True)
class _SheetFacts:
    rows: int
    merges: tuple[tuple[int, int, int, int], ...]  # min_row, min_col, max_row, max_col


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br=\"(\d+)\"")
_MERGE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\""
)
_DTD_MARKERS = tuple(
    marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le")
)
_DTD_MARKERS_BE = tuple(m.encode("utf-16-be") for m in ("<!DOCTYPE", "<!ENTITY"))


def _member_name(path: str) -> str:
    return path.lstrip("/")


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed([FieldError("file", reason)], detail=reason)


def _inspect_archive(content: bytes) -> dict[str, _SheetFacts]:
    # Everything here is bounded before anything is inflated: the upload size, the member
    # count, the declared sizes and ratios; zipfile itself refuses a member that inflates
    # past its declared size (CRC and length checks), so declared sizes can be trusted.
    if len(content) > MAX_UPLOAD_BYTES:
        raise _refuse(f"文件超过 {MAX_UPLOAD_BYTES // 2**20} MB 上限，请分批导入")
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse("这是旧版 .xls 或加密的工作簿：请在 Excel 中另存为 .xlsx（不设密码）后再导入")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _refuse(NOT_XLSX) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _refuse(NOT_XLSX)
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise _refuse(BOMB)
        for member in members:
            big = member.file_size > 2**20
            if big and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise _refuse(BOMB)
        facts: dict[str, _SheetFacts] = {}
        try:
            for member in members:
                if not member.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                data = archive.read(member)
                if any(marker in data for marker in _DTD_MARKERS + _DTD_MARKERS_BE):
                    raise _refuse("文件含有不允许的 XML 文档类型声明（DTD/实体），已拒绝")
                if member.filename.startswith("xl/worksheets/"):
                    sheet = facts[member.filename] = _sheet_facts(data)
                    if sheet.rows > MAX_SHEET_ROWS:
                        # Refused before openpyxl even sizes the sheet (that walks it).
                        raise _refuse(f"工作表超过 {MAX_SHEET_ROWS} 行，请分批导入")
                del data
        except ValidationFailed:
            raise
        except Exception:  # corrupt members (CRC, truncation) are a broken file
            raise _refuse(BROKEN) from None
    return facts


def _sheet_facts(data: bytes) -> _SheetFacts:
    rows = len(_ROW_TAG.findall(data))
    if rows <= MAX_SHEET_ROWS:
        # The highest row number counts too: one cell at row 1,048,576 would otherwise
        # make the reader walk a million empty rows.
        numbers = _ROW_NUMBER.findall(data)
        rows = max([rows, *(int(n) for n in numbers[-1:])])
    merges = tuple(
        (
            int(r1),
            column_index_from_string(c1.decode()),
            int(r2),
            column_index_from_string(c2.decode()),
        )
        for c1, r1, c2, r2 in _MERGE.findall(data)[:MAX_MERGES]
    )
    return _SheetFacts(rows=rows, merges=merges)


def _rows_with_merges(ws: Any, facts: _SheetFacts | None) -> Iterator[tuple[int, list[Any]]]:
    # A merged cell holds its value in the top-left cell only; clerks merge a date over a
    # day's shifts or a town over its villages, so the value is copied down the range.
    merges = sorted(facts.merges) if facts else []
    active: list[tuple[tuple[int, int, int, int], list[Any]]] = []
    pending = 0
    source = ws.iter_rows(min_row=1, max_row=MAX_SHEET_ROWS, max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(source, start=1):
        row = list(values or ())
        while pending < len(merges) and merges[pending][0] <= number:
            merge = merges[pending]
            pending += 1
            if merge[0] == number:
                active.append((merge, [_at(row, c) for c in range(merge[1], merge[3] + 1)]))
        active = [(m, v) for m, v in active if m[2] >= number]
        for (r1, c1, _r2, c2), top in active:
            if r1 == number:
                continue
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            for offset, column in enumerate(range(c1, c2 + 1)):
                if row[column - 1] is None:
                    row[column - 1] = top[offset]
        yield number, row


def _at(row: Sequence[Any], column: int) -> Any:
    return row[column - 1] if 0 < column <= len(row) else None


def _blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and v.strip() == "") for v in values)


def _parse_sheet(
    ws: Any, columns: Sequence[Column], facts: _SheetFacts | None, epoch: datetime
) -> ParseResult:
    result = ParseResult()
    rows = _rows_with_merges(ws, facts)
    head: list[tuple[int, list[Any]]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    filled = [(n, v) for n, v in head if not _blank(v)]
    if not filled:
        result.errors.append(FieldError("file", "工作表为空", sheet=ws.title))
        return result
    merges = facts.merges if facts else ()
    matcher = _HeaderMatcher(columns)
    best: tuple[int, int, dict[str, int]] | None = None  # score, index in head, positions
    for index, (number, values) in enumerate(head):
        if _blank(values):
            continue
        positions = matcher.positions(_spread_header(values, number, merges))
        if best is None or len(positions) > best[0]:
            best = (len(positions), index, positions)
    assert best is not None
    _, header_index, positions = best
    header_number = head[header_index][0]
    for col in columns:
        if col.key not in positions and col.required:
            result.errors.append(
                FieldError(
                    col.key,
                    f"缺少必填列“{col.header}”",
                    sheet=ws.title,
                    row=header_number,
                    column=col.header,
                )
            )
    if result.errors:
        return result
    data_rows = itertools.chain(head[header_index + 1 :], rows)
    for number, values in data_rows:
        if _blank(values):
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
                parsed[col.key] = _from_cell(col, raw, epoch)
            except ValueError as exc:
                parsed[col.key] = None  # every key present: callers read rows without guards
                result.errors.append(
                    FieldError(col.key, str(exc), sheet=ws.title, row=number, column=col.header)
                )
        result.rows.append(parsed)
        result.row_numbers.append(number)
    return result


def _spread_header(
    values: Sequence[Any], number: int, merges: Sequence[tuple[int, int, int, int]]
) -> list[Any]:
    # A header merged across columns ("位置" over 经度 and 纬度) names each of them.
    row = list(values)
    for r1, c1, r2, c2 in merges:
        if r1 <= number <= r2 and c2 > c1:
            top = _at(row, c1)
            for column in range(c1 + 1, min(c2, len(row)) + 1):
                if row[column - 1] is None:
                    row[column - 1] = top
    return row


_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
_MARKS = re.compile(r"\((?:必填|选填|可选|必须填写|非必填)\)")
_UNIT = re.compile(r"\([^()]*\)$")
IGNORED_HEADERS = frozenset({"序号", "no", "no."})


def normalize_header(text: Any) -> str:
    """Return a header as compared: NFKC (full-width brackets, letters), no blanks or marks.

    ``有效面积 （平方米）*`` and ``有效面积(平方米)`` compare equal; so do ``ID`` and ``id``.
    """
    if text is None:
        return ""
    out = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    out = re.sub(r"\s+", "", out).strip("*")
    return _MARKS.sub("", out).strip("*").lower()


class _HeaderMatcher:
    """Match sheet headers to columns: exact (normalized) first, then by the bare name.

    A bare header (``有效面积``) may match a column whose header adds a unit
    (``有效面积(平方米)``) when no other column has that bare name; a header with a
    different unit (``有效面积(公顷)``) never does, unless listed in ``synonyms``.
    """

    def __init__(self, columns: Sequence[Column]) -> None:
        self.exact: dict[str, str] = {}
        bare: dict[str, set[str]] = {}
        for col in columns:
            for name in (col.header, *col.synonyms):
                self.exact.setdefault(normalize_header(name), col.key)
                bare.setdefault(_UNIT.sub("", normalize_header(name)), set()).add(col.key)
        self.bare = {name: keys.pop() for name, keys in bare.items() if len(keys) == 1}

    def positions(self, header: Sequence[Any]) -> dict[str, int]:
        found: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = normalize_header(cell)
            if not name or name in IGNORED_HEADERS:
                continue
            key = self.exact.get(name)
            if key is None and _UNIT.search(name) is None:
                key = self.bare.get(name)
            if key is not None and key not in found:
                found[key] = index
        return found


def _from_cell(col: Column, raw: Any, epoch: datetime = WINDOWS_EPOCH) -> Any:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if col.required:
            raise ValueError("必填项为空")
        return [] if col.kind == "list" else None
    if col.choices:
        text = _squeeze(raw)
        for stored, label in col.choices.items():
            if text in (_squeeze(label), _squeeze(stored)):
                return stored
        raise ValueError("取值应为：" + "、".join(col.choices.values()))
    value = _to_date(raw, epoch) if col.kind == "date" else _CONVERTERS[col.kind](raw)
    if col.max_length is not None and isinstance(value, str) and len(value) > col.max_length:
        raise ValueError(f"长度不能超过 {col.max_length} 个字符")
    return value


def _squeeze(raw: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _to_str(raw)))


def _to_str(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Excel turns long digit strings typed as numbers into floats
    # Clerks' cells carry stray control characters (pasted from other systems); they mean
    # nothing and no export could hold them, so they are dropped, not refused.
    return str(ILLEGAL_CHARACTERS_RE.sub("", str(raw))).strip()


_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number_text(raw: Any) -> str:
    # Numbers typed as text: full-width digits, blanks, thousands separators ("1,234").
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)))
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    return text


def _to_int(raw: Any) -> int:
    try:
        number = Decimal(_number_text(raw))
    except InvalidOperation:
        raise ValueError("应为整数") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError("应为整数")
    return int(number)


def _to_decimal(raw: Any) -> Decimal:
    try:
        value = Decimal(_number_text(raw))
    except InvalidOperation:
        raise ValueError("应为数字") from None
    if not value.is_finite():
        raise ValueError("应为有限的数字")
    return value


def _to_float(raw: Any) -> float:
    return float(_to_decimal(raw))


def _to_bool(raw: Any) -> bool:
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError("应为“是”或“否”")


DATE_FORMAT = "日期格式应为 YYYY-MM-DD"
# Serial numbers Excel shows as dates between 1950 and 2100; other numbers in a date
# column are more likely a typo than a date.
_SERIALS = (18264, 73415)
_YMD = re.compile(
    r"(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)"
    r"(?:[T\s]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?"
)
_COMPACT = re.compile(r"(19|20)\d{6}")
_DAY_FIRST = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_NO_YEAR = re.compile(r"\d{1,2}\s*(?:月\s*\d{1,2}\s*[日号]?|[-/.]\d{1,2})")


def _to_date(raw: Any, epoch: datetime = WINDOWS_EPOCH) -> date:
    """Read a date as clerks type it: a date cell, a serial, 2024-03-05, 2024/3/5, 2024.3.5,
    2024年3月5日 or 20240305; ``3/5/2024``, ``24.3.5`` and ``3月5日`` are refused as ambiguous.
    """
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _serial(float(raw), epoch)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return _serial(float(text), epoch)
    if _COMPACT.fullmatch(text):
        return _checked(int(text[:4]), int(text[4:6]), int(text[6:]), text)
    match = _YMD.fullmatch(text)
    if match:
        year, _, month, day, cn_month, cn_day = match.groups()
        return _checked(int(year), int(month or cn_month), int(day or cn_day), text)
    if _DAY_FIRST.fullmatch(text):
        raise ValueError(
            f"日期“{text}”有歧义（年、月、日的次序不明），请按年-月-日填写，如 2024-03-05"
        )
    if _NO_YEAR.fullmatch(text):
        raise ValueError(f"日期“{text}”缺少年份，请按年-月-日填写，如 2024-03-05")
    raise ValueError(DATE_FORMAT)


def _checked(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"日期“{text}”不存在") from None


def _serial(number: float, epoch: datetime) -> date:
    if not _SERIALS[0] <= number <= _SERIALS[1]:
        raise ValueError(DATE_FORMAT)
    value = from_excel(number, epoch=epoch)
    return value.date() if isinstance(value, datetime) else value


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
