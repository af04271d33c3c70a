"""Every registry imports a clerk's workbook, and refuses hostile ones with a quick 422."""

from __future__ import annotations

import time
from typing import Any

import pytest

from support.district import POINT_A
from support.samples import SAMPLES
from support.workbooks import HOSTILE, clerk_workbook
from yingji.bootstrap import registries

SPECS = {spec.name: spec for spec in registries() if spec.name in SAMPLES}


def upload(api: Any, name: str, content: bytes, **params: Any) -> Any:
    files = {"file": ("台账.xlsx", content, "application/octet-stream")}
    return api.post(f"/api/v1/{name}/import", files=files, params=params)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_clerk_workbook_imports(as_user, name):
    # Title row merged across the sheet, a note row, a blank row, a 序号 column, headers
    # with blanks and full-width brackets, numbers as text, dates as 2024年3月5日.
    spec = SPECS[name]
    api = as_user("bureau")
    rows = [SAMPLES[name](POINT_A, f"台账{i}") for i in range(2)]
    content = clerk_workbook(spec.sheet, spec.columns, rows)
    checked = upload(api, name, content, dry_run="true")
    assert checked.status_code == 200, checked.text
    assert checked.json() == {"created": 2, "dry_run": True}
    r = upload(api, name, content)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_workbook_is_a_quick_422(as_user, kind):
    content = HOSTILE[kind]()
    api = as_user("bureau")
    api.get("/api/v1/shelters/template.xlsx")  # signed in before the clock starts
    started = time.perf_counter()
    r = upload(api, "shelters", content)
    elapsed = time.perf_counter() - started
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["file"]
    assert elapsed < 2.0
