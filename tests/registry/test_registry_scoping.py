"""Scoping for every registry and every endpoint: a township sees only its own records.

For each registry with a sample (tests/support/samples.py), the bureau creates one record in
township A and one in township B; the township A officer must get 404 for B's record on
detail, update and retire, and must not find it in the list, the Excel export or the GeoJSON
layer — while seeing A's record everywhere. The township B officer sees the reverse.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from support.district import POINT_A, POINT_B
from support.samples import SAMPLES
from yingji.bootstrap import registries

SPECS = {spec.name: spec for spec in registries() if spec.name in SAMPLES}
SCOPED = sorted(name for name, spec in SPECS.items() if getattr(spec, "scoped", True))


def _create(api: Any, name: str, point: tuple[float, float], tag: str) -> dict[str, Any]:
    r = api.post(f"/api/v1/{name}", json=SAMPLES[name](point, tag))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _export_names(api: Any, name: str) -> set[str]:
    r = api.get(f"/api/v1/{name}/export.xlsx")
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h).rstrip("*") for h in rows[0]]
    name_header = next(c.header for c in SPECS[name].columns if c.key == "name")
    col = header.index(name_header)
    return {str(row[col]) for row in rows[1:]}


def test_every_registry_has_a_sample():
    missing = sorted(spec.name for spec in registries() if spec.name not in SAMPLES)
    assert missing == []


@pytest.mark.parametrize("name", SCOPED)
def test_other_township_records_are_invisible(as_user, name):
    bureau, town_a, town_b = as_user("bureau"), as_user("town_a"), as_user("town_b")
    rec_a = _create(bureau, name, POINT_A, "甲")
    rec_b = _create(bureau, name, POINT_B, "乙")
    base = f"/api/v1/{name}"

    # detail
    assert town_a.get(f"{base}/{rec_a['id']}").status_code == 200
    assert town_a.get(f"{base}/{rec_b['id']}").status_code == 404
    assert town_b.get(f"{base}/{rec_b['id']}").status_code == 200
    # list
    listed = {i["id"] for i in town_a.get(base, params={"size": 200}).json()["items"]}
    assert rec_a["id"] in listed
    assert rec_b["id"] not in listed
    # update and retire answer 404, and change nothing
    assert town_a.patch(f"{base}/{rec_b['id']}", json={}).status_code == 404
    retire = town_a.post(f"{base}/{rec_b['id']}/retire", json={"reason": "越权"})
    assert retire.status_code == 404
    assert bureau.get(f"{base}/{rec_b['id']}").json()["retired_at"] is None
    # export
    names = _export_names(town_a, name)
    assert rec_a.get("name", "") in names
    assert rec_b.get("name", "") not in names
    # GeoJSON layer (sited registries)
    if SPECS[name].sited:
        geo = town_a.get(f"{base}.geojson").json()
        ids = {f["properties"]["id"] for f in geo["features"]}
        assert rec_a["id"] in ids
        assert rec_b["id"] not in ids
        assert town_b.get(f"{base}.geojson").json()["features"]


@pytest.mark.parametrize("name", SCOPED)
def test_township_officer_cannot_create_in_another_township(as_user, name):
    spec = SPECS[name]
    town_a = as_user("town_a")
    r = town_a.post(f"/api/v1/{name}", json=SAMPLES[name](POINT_B, "越界"))
    if "township_officer" not in {role.value for role in spec.creator_roles or spec.writer_roles}:
        assert r.status_code == 403
    else:
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "division_code"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_enterprise_officer_sees_only_their_enterprise(as_user, tokens, ids, name):
    if "ent_a" not in tokens:
        pytest.skip("the test district has no enterprise officer")
    spec = SPECS[name]
    bureau, ent = as_user("bureau"), as_user("ent_a")
    rec = _create(bureau, name, POINT_A, "企")
    r = ent.get(f"/api/v1/{name}")
    if "enterprise_officer" not in {role.value for role in spec.reader_roles}:
        assert r.status_code == 403
        return
    assert r.status_code == 200
    # A record of no enterprise (or another one) is invisible; one that belongs to the
    # officer's enterprise A (a sample that needs an enterprise) is visible.
    if spec.enterprise_attr is not None and spec.name != "enterprises":
        own = rec.get(spec.enterprise_attr) == ids["enterprise:A"]
        assert (rec["id"] in {i["id"] for i in r.json()["items"]}) is own
        assert ent.get(f"/api/v1/{name}/{rec['id']}").status_code == (200 if own else 404)
