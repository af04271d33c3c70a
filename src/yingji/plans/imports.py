"""Spreadsheet import of a plan's structure: a 响应等级 sheet and a 任务模板 sheet.

The whole workbook is checked before anything is written; every problem is reported with
sheet, row and column, and nothing is saved unless all rows are good (imports are all or
nothing). Departments are named as in the department list; roles by their Chinese label.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from pydantic import ValidationError
from sqlalchemy.orm import Session

from yingji.accounts.queries import department_ids_by_name
from yingji.accounts.schemas import ROLE_LABELS
from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.excel import Column, open_upload
from yingji.core.messages import pydantic_reason
from yingji.plans.rules import GRADE_LABELS, WARNING_LABELS
from yingji.plans.schemas import VersionIn

LEVEL_SHEET = "响应等级"
TASK_SHEET = "任务模板"
_LEVEL_CHOICES = {"1": "Ⅰ级", "2": "Ⅱ级", "3": "Ⅲ级", "4": "Ⅳ级"}

LEVEL_COLUMNS = [
    Column("level", "响应等级", "str", required=True, choices=_LEVEL_CHOICES, example="Ⅳ级"),
    Column("event_types", "事件类型", "list", example="火灾、危化品泄漏", note="多个用顿号分隔"),
    Column("min_grade", "事故等级达到", "str", choices=GRADE_LABELS, example="一般事故"),
    Column("min_warning_level", "预警级别达到", "str", choices=WARNING_LABELS),
    Column("min_deaths", "死亡人数达到", "int"),
    Column("min_injuries", "受伤人数达到", "int"),
    Column("min_loss_wan_yuan", "直接经济损失达到（万元）", "decimal"),
    Column("division_codes", "适用区划代码", "list", note="留空为全辖区"),
    Column("description", "说明", "str", max_length=2000),
]
TASK_COLUMNS = [
    Column("level", "响应等级", "str", required=True, choices=_LEVEL_CHOICES, example="Ⅳ级"),
    Column("action", "任务", "str", required=True, max_length=500, example="赶赴现场核实情况"),
    Column("department", "责任部门", "str", note="与部门列表名称一致"),
    Column(
        "role",
        "责任岗位",
        "str",
        choices={r.value: v for r, v in ROLE_LABELS.items()},
        example="值班员",
        note="责任部门与责任岗位至少填一项",
    ),
    Column("deadline_minutes", "时限（分钟）", "int", required=True, example=30),
    Column("resources", "所需资源", "list", note="多个用顿号分隔"),
]


def template_workbook() -> bytes:
    """Return the empty import workbook with both sheets' headers and an example row."""
    book = Workbook()
    first = book.active
    assert first is not None
    for index, (title, columns) in enumerate(
        ((LEVEL_SHEET, LEVEL_COLUMNS), (TASK_SHEET, TASK_COLUMNS))
    ):
        sheet = first if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append([c.header for c in columns])
        sheet.append([_example(c) for c in columns])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _example(column: Column) -> Any:
    return column.example


def parse_structure(session: Session, content: bytes) -> VersionIn:
    """Return the version structure read from the workbook, or raise with every problem."""
    with open_upload(content) as book:  # refuses broken and hostile files (422)
        missing = [s for s in (LEVEL_SHEET, TASK_SHEET) if s not in book.sheetnames]
        if missing:
            raise ValidationFailed([FieldError("file", f"缺少工作表：{'、'.join(missing)}")])
        levels = book.parse(LEVEL_SHEET, LEVEL_COLUMNS)
        tasks = book.parse(TASK_SHEET, TASK_COLUMNS)
    errors = levels.errors + tasks.errors
    departments = department_ids_by_name(session)
    templates: list[dict[str, Any]] = []
    for row, number in zip(tasks.rows, tasks.row_numbers, strict=True):
        department = row.get("department")
        department_id = None
        if department:
            department_id = departments.get(department)
            if department_id is None:
                errors.append(
                    FieldError(
                        "department",
                        f"没有名为“{department}”的部门",
                        sheet=TASK_SHEET,
                        row=number,
                        column="责任部门",
                    )
                )
        templates.append(
            {
                "level": int(row["level"]) if row.get("level") else 0,
                "action": row.get("action") or "",
                "department_id": department_id,
                "role": row.get("role"),
                "deadline_minutes": row.get("deadline_minutes") or 0,
                "resources": row.get("resources") or [],
            }
        )
    level_rows = [
        {
            "level": int(row["level"]) if row.get("level") else 0,
            "description": row.get("description") or "",
            "criteria": {
                key: row[key]
                for key in (
                    "event_types",
                    "min_grade",
                    "min_warning_level",
                    "min_deaths",
                    "min_injuries",
                    "min_loss_wan_yuan",
                    "division_codes",
                )
                if row.get(key) not in (None, [], "")
            },
        }
        for row in levels.rows
    ]
    if errors:
        raise ValidationFailed(errors)
    try:
        return VersionIn.model_validate({"levels": level_rows, "templates": templates})
    except ValidationError as exc:
        raise ValidationFailed(
            [_locate(e, levels.row_numbers, tasks.row_numbers) for e in exc.errors()]
        ) from None


def _locate(error: Any, level_rows: list[int], task_rows: list[int]) -> FieldError:
    # Point a structure error back at its sheet and row ("templates.3" → 任务模板 row 5).
    loc = [str(p) for p in error["loc"]]
    reason = pydantic_reason(error)
    if len(loc) >= 2 and loc[0] in ("levels", "templates") and loc[1].isdigit():
        rows = level_rows if loc[0] == "levels" else task_rows
        index = int(loc[1])
        sheet = LEVEL_SHEET if loc[0] == "levels" else TASK_SHEET
        row = rows[index] if index < len(rows) else None
        return FieldError(".".join(loc[2:]) or loc[0], reason, sheet=sheet, row=row)
    return FieldError(".".join(loc) or "file", reason)
