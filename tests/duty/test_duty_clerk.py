"""Roster import of a clerk's sheet: title rows, a date merged over a day's shifts,
Chinese date forms and time cells; bad dates and hostile files answer 422, never 500."""

from __future__ import annotations

import io
import time as clock
from datetime import time
from typing import Any

import pytest
from openpyxl import Workbook

from support.workbooks import HOSTILE


def _upload(api: Any, content: bytes) -> Any:
    files = {"file": ("roster.xlsx", content, "application/octet-stream")}
    return api.post("/api/v1/duty/shifts/import", files=files)


def _clerk_sheet(rows: list[list[Any]], merge: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "排班表"
    ws.append(["荣昌区应急管理局值班安排表（2026年6月）"])
    ws.merge_cells("A1:I1")
    ws.append([])
    ws.append(
        [
            "序号",
            "值班日期",
            "接班时间",
            "交班时间",
            "班次",
            "带班领导",
            "值班员",
            "备班",
            "值班电话",
        ]
    )
    for index, row in enumerate(rows, start=1):
        ws.append([index, *row])
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_clerk_roster_imports(as_user: Any, people: Any) -> None:
    bureau = as_user("bureau")
    rows = [
        ["2026年6月8日", "8:30", time(20, 30), "白班", "leader1", "officer1", "backup1", "023-1"],
        [None, "20:30", 0.354166666666667, "夜班", "leader2", "officer2", None, None],
        ["2026/6/9", "08:30", "20:30", "白班", "leader1", "officer1", None, None],
    ]
    r = _upload(bureau, _clerk_sheet(rows, merge="B4:B5"))  # one date over two shifts
    assert r.status_code == 201, r.text
    shifts = r.json()
    assert [s["starts_at"][:16] for s in shifts] == [
        "2026-06-08T00:30",
        "2026-06-08T12:30",
        "2026-06-09T00:30",
    ]
    assert shifts[1]["ends_at"].startswith("2026-06-09T00:30")


@pytest.mark.parametrize("text", ["6/8/2026", "6月8日", "下周一"])
def test_bad_dates_answer_422_not_500(as_user: Any, people: Any, text: str) -> None:
    rows = [[text, "08:30", "20:30", "白班", "leader1", "officer1", None, None]]
    r = _upload(as_user("bureau"), _clerk_sheet(rows))
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(4, "date")]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_roster_is_a_quick_422(as_user: Any, kind: str) -> None:
    content = HOSTILE[kind]()
    api = as_user("bureau")
    api.get("/api/v1/duty/shifts-template.xlsx")  # signed in before the clock starts
    started = clock.perf_counter()
    r = _upload(api, content)
    assert r.status_code == 422, r.text
    assert clock.perf_counter() - started < 2.0
