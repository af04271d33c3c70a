"""Excel for every registry: template layout, all-or-nothing import, export round trip."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from support.district import POINT_A
from support.samples import SAMPLES
from yingji.bootstrap import registries
from yingji.core.audit import AuditEntry
from yingji.core.excel import export_rows

SPECS = {spec.name: spec for spec in registries() if spec.name in SAMPLES}


def workbook_of(name: str, rows: list[dict[str, Any]]) -> bytes:
    """Return an .xlsx in the registry's import layout holding ``rows``."""
    spec = SPECS[name]
    return export_rows(spec.sheet, spec.columns, rows)


def count(api: Any, name: str) -> int:
    return int(api.get(f"/api/v1/{name}", params={"size": 1}).json()["total"])


@pytest.mark.parametrize("name", sorted(SPECS))
def test_template_has_every_column(as_user, name):
    r = as_user("bureau").get(f"/api/v1/{name}/template.xlsx")
    assert r.status_code == 200
    header = next(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert [h.rstrip("*") for h in header] == [c.header for c in SPECS[name].columns]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_import_then_export_round_trip(as_user, name):
    api = as_user("bureau")
    rows = [SAMPLES[name](POINT_A, f"导入{i}") for i in range(3)]
    before = count(api, name)
    r = api.post(
        f"/api/v1/{name}/import",
        files={"file": ("x.xlsx", workbook_of(name, rows), "application/octet-stream")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 3
    assert count(api, name) == before + 3
    exported = api.get(f"/api/v1/{name}/export.xlsx").content
    ws = load_workbook(io.BytesIO(exported), read_only=True).worksheets[0]
    assert len(list(ws.iter_rows(values_only=True))) - 1 == before + 3


def test_one_bad_row_in_a_thousand_writes_nothing(as_user, ctx):
    api = as_user("bureau")
    rows = [SAMPLES["shelters"](POINT_A, str(i)) for i in range(1000)]
    rows[617]["capacity_persons"] = "很多"  # not a number: row 619 in the sheet
    content = workbook_of("shelters", rows)
    with ctx.session_factory() as s:
        audits_before = s.scalar(select(func.count(AuditEntry.id)))
    r = api.post(
        "/api/v1/shelters/import", files={"file": ("x.xlsx", content, "application/octet-stream")}
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors == [
        {
            "field": "capacity_persons",
            "reason": "应为整数",
            "sheet": "应急避难场所",
            "row": 619,
            "column": "容纳人数",
        }
    ]
    assert count(api, "shelters") == 0
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == audits_before


def test_business_rule_errors_are_located(as_user):
    api = as_user("bureau")
    rows = [SAMPLES["shelters"](POINT_A, str(i)) for i in range(5)]
    rows[2]["capacity_persons"] = 999999  # exceeds the area's capacity: a business rule
    rows[4]["longitude"] = 90.0  # outside the district
    r = api.post(
        "/api/v1/shelters/import",
        files={"file": ("x.xlsx", workbook_of("shelters", rows), "application/octet-stream")},
    )
    assert r.status_code == 422
    located = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert located == {(4, "容纳人数"), (6, "经度")}
    assert count(api, "shelters") == 0


def test_dry_run_validates_without_writing(as_user):
    api = as_user("bureau")
    content = workbook_of("shelters", [SAMPLES["shelters"](POINT_A, "试")])
    r = api.post(
        "/api/v1/shelters/import",
        params={"dry_run": "true"},
        files={"file": ("x.xlsx", content, "application/octet-stream")},
    )
    assert r.json() == {"created": 1, "dry_run": True}
    assert count(api, "shelters") == 0


def test_not_a_workbook_is_a_clear_422(as_user):
    r = as_user("bureau").post(
        "/api/v1/shelters/import", files={"file": ("x.xlsx", b"hello", "application/octet-stream")}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "file"


def test_missing_required_column_is_reported(as_user):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "应急避难场所"
    ws.append(["名称", "类别"])
    ws.append(["x", "紧急"])
    buf = io.BytesIO()
    wb.save(buf)
    r = as_user("bureau").post(
        "/api/v1/shelters/import",
        files={"file": ("x.xlsx", buf.getvalue(), "application/octet-stream")},
    )
    assert r.status_code == 422
    missing = {e["column"] for e in r.json()["errors"]}
    assert {"有效面积(平方米)", "容纳人数", "经度", "纬度"} <= missing
