"""Roster import from Excel: one row per shift (date, times, people by username).

All or nothing: every row is parsed and checked (including conflicts with the rows above
it and with the stored roster) and nothing is written unless the whole sheet passes.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from yingji.accounts.models import User
from yingji.core.clock import zone as local_zone
from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.excel import Column, build_template, parse_upload
from yingji.core.uow import UnitOfWork
from yingji.duty.schemas import ShiftCreate, ShiftRead
from yingji.duty.service import create_shift

SHEET = "排班表"
COLUMNS = [
    Column("date", "日期", "date", required=True, example=date(2026, 6, 1), synonyms=("值班日期",)),
    Column(
        "start",
        "开始时间",
        required=True,
        example="08:30",
        note="24 小时制，如 08:30",
        synonyms=("接班时间", "上班时间"),
    ),
    Column(
        "end",
        "结束时间",
        required=True,
        example="08:30",
        note="不晚于开始时间时视为次日",
        synonyms=("交班时间", "下班时间"),
    ),
    Column("label", "班次名称", example="白班", max_length=40, synonyms=("班次",)),
    Column(
        "leader",
        "带班领导",
        required=True,
        example="leader1",
        note="填写用户名",
        synonyms=("值班领导", "带班领导用户名"),
    ),
    Column(
        "duty_officer",
        "值班员",
        required=True,
        example="officer1",
        note="填写用户名",
        synonyms=("值班人员", "值班员用户名"),
    ),
    Column("backup", "备班", example="backup1", note="填写用户名，可空", synonyms=("备班人员",)),
    Column("phone", "值班电话", example="023-46700000", max_length=40, synonyms=("联系电话",)),
]
_POSITIONS = ("leader", "duty_officer", "backup")


def template() -> bytes:
    """Return the roster import template."""
    return build_template(SHEET, COLUMNS)


def _clock(raw: Any) -> time:
    """Read a time of day as clerks type it: 08:30, 8:30, 8：30, 08:30:00 or an Excel time.

    A time cell arrives as text ("08:30:00") or, formatted as General, as the day's fraction
    (0.354166…).
    """
    if isinstance(raw, datetime):
        return raw.time()
    if isinstance(raw, time):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    try:
        fraction = float(text)
    except ValueError:
        return time.fromisoformat(text if len(text) > 4 else text.zfill(5))
    if not 0 <= fraction < 1:
        raise ValueError(text)
    minutes = round(fraction * 24 * 60)
    return time(minutes // 60 % 24, minutes % 60)


def import_roster(uow: UnitOfWork, content: bytes, *, timezone: str) -> list[ShiftRead]:
    """Create one shift per row; raise ValidationFailed with every row's errors."""
    parsed = parse_upload(content, SHEET, COLUMNS)
    errors = list(parsed.errors)
    tz = local_zone(timezone)
    names = {str(row.get(p)).strip() for row in parsed.rows for p in _POSITIONS if row.get(p)}
    users = {
        u.username: u.id for u in uow.session.scalars(select(User).where(User.username.in_(names)))
    }
    reads: list[ShiftRead] = []
    unreadable = {e.row for e in parsed.errors}
    for row, number in zip(parsed.rows, parsed.row_numbers, strict=True):
        if number in unreadable:
            continue  # its cells are already reported; a missing date is not a time error
        try:
            start_at = datetime.combine(row["date"], _clock(row["start"]), tz)
            end_at = datetime.combine(row["date"], _clock(row["end"]), tz)
        except (TypeError, ValueError):
            errors.append(FieldError("start", "时间格式应为 HH:MM", sheet=SHEET, row=number))
            continue
        if end_at <= start_at:
            end_at += timedelta(days=1)
        assignments = []
        for position in _POSITIONS:
            username = str(row.get(position) or "").strip()
            if not username:
                continue
            if username not in users:
                errors.append(
                    FieldError(position, f"用户 {username} 不存在", sheet=SHEET, row=number)
                )
                continue
            assignments.append({"user_id": users[username], "position": position})
        if errors:
            continue  # conflicts are only worth checking on a clean sheet so far
        data = ShiftCreate.model_validate(
            {
                "starts_at": start_at,
                "ends_at": end_at,
                "label": row.get("label") or "",
                "phone": row.get("phone") or None,
                "assignments": assignments,
            }
        )
        try:
            reads.append(create_shift(uow, data))
        except ValidationFailed as exc:
            errors.extend(
                FieldError(e.field, e.reason, sheet=SHEET, row=number) for e in exc.errors
            )
    if errors:
        raise ValidationFailed(errors, detail="排班表未通过校验，未导入任何班次")
    return reads
