"""Control characters are refused at the edge (422 naming the field, nothing written), and
exports never hold a live formula (issue 15: fuzz found ~58 failing exports)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from support.district import POINT_A
from support.samples import SAMPLES


def test_a_control_character_in_a_json_field_is_a_422_naming_it(as_user):
    api = as_user("bureau")
    body = SAMPLES["shelters"](POINT_A, "ctl")
    body["name"] = "避难\x01场所"
    answer = api.post("/api/v1/shelters", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "name"
    names = [s["name"] for s in api.get("/api/v1/shelters?size=200").json()["items"]]
    assert "避难\x01场所" not in names


def test_tabs_and_new_lines_are_text(as_user):
    body = SAMPLES["shelters"](POINT_A, "tab")
    body["name"] = "避难场所\t东区\r\n"
    assert as_user("bureau").post("/api/v1/shelters", json=body).status_code == 201


def test_a_name_that_looks_like_a_formula_is_exported_as_text(as_user):
    api = as_user("bureau")
    body = SAMPLES["shelters"](POINT_A, "formula")
    body["name"] = '=HYPERLINK("http://example.invalid","点击")'
    assert api.post("/api/v1/shelters", json=body).status_code == 201
    export = api.get("/api/v1/shelters/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == body["name"]]
    assert cells, "the name is in the export"
    assert all(c.data_type == "s" for c in cells)
