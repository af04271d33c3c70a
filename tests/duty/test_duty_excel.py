"""Roster import from Excel: all rows or none, conflicts reported by sheet row."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook


def _sheet(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "排班表"
    ws.append(
        ["日期", "开始时间", "结束时间", "班次名称", "带班领导", "值班员", "备班", "值班电话"]
    )
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(api: Any, content: bytes) -> Any:
    files = {"file": ("roster.xlsx", content, "application/octet-stream")}
    return api.post("/api/v1/duty/shifts/import", files=files)


def test_import_roster(as_user: Any, people: Any) -> None:
    bureau = as_user("bureau")
    template = bureau.get("/api/v1/duty/shifts-template.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).sheetnames[0] == "排班表"
    day = date(2026, 6, 8)
    good = [
        [day, "08:30", "20:30", "白班", "leader1", "officer1", "backup1", "023-1"],
        [day, "20:30", "08:30", "夜班", "leader2", "officer2", "", None],
    ]
    # Row 3 clashes with row 2 (officer1 twice at once), row 4 names nobody: nothing stored.
    bad = [
        good[0],
        [day, "12:00", "14:00", "加班", "leader2", "officer1", "", None],
        [day, "14:00", "16:00", "加班", "nobody", "officer2", "", None],
    ]
    r = _upload(bureau, _sheet(bad))
    assert r.status_code == 422, r.text
    rows = [(e["row"], e["field"]) for e in r.json()["errors"]]
    assert (3, "assignments.1.user_id") in rows
    assert (4, "leader") in rows
    start = "2026-06-07T00:00:00+08:00"
    assert bureau.get("/api/v1/duty/shifts", params={"start": start}).json() == []
    r = _upload(bureau, _sheet(good))
    assert r.status_code == 201, r.text
    shifts = r.json()
    assert [s["label"] for s in shifts] == ["白班", "夜班"]
    assert shifts[1]["starts_at"].startswith("2026-06-08T12:30")
    assert shifts[1]["ends_at"].startswith("2026-06-09T00:30")
    assert as_user("town_b").post(
        "/api/v1/duty/shifts/import",
        files={"file": ("r.xlsx", _sheet(good), "application/octet-stream")},
    ).status_code in (403, 422)
