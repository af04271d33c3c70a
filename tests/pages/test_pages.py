"""Server-rendered pages through the app client: login, layout, registry pages, scoping."""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from support.district import POINT_A, POINT_B
from support.samples import SAMPLES
from support.web import csrf_from, login, signed_in
from yingji.bootstrap import registries
from yingji.resources.shelters.registry import SHELTERS

SHELTER_FORM = {
    "name": "表单避难场所",
    "shelter_class": "emergency",
    "effective_area_m2": "1000",
    "capacity_persons": "1500",
    "facilities": "应急供水、应急照明",
    "status": "open",
    "longitude": str(POINT_A[0]),
    "latitude": str(POINT_A[1]),
}


@pytest.fixture
def bureau(client: TestClient) -> tuple[TestClient, str]:
    """Return the client signed in as bureau staff, and its CSRF token."""
    return client, signed_in(client, "bureau")


@pytest.fixture
def other(app: Any) -> Iterator[TestClient]:
    """Return a second browser (its own cookies) on the same app."""
    with TestClient(app) as second:
        yield second


def _create(as_user: Any, name: str, point: tuple[float, float], tag: str) -> int:
    answer = as_user("bureau").post(f"/api/v1/{name}", json=SAMPLES[name](point, tag))
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_anonymous_page_redirects_to_login(client):
    answer = client.get("/shelters", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/shelters"
    page = client.get("/login?next=/shelters")
    assert page.status_code == 200
    assert 'name="next" value="/shelters"' in page.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text


def test_login_rotates_session_and_logout_ends_it(client):
    before = csrf_from(client.get("/login").text)
    answer = login(client, "bureau")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "工作台" in home.text
    assert "应急局工作人员" in home.text
    after = csrf_from(home.text)
    assert after != before  # a fresh CSRF token after sign-in
    out = client.post("/logout", data={"csrf_token": after}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_without_csrf_is_refused(client):
    client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "bureau", "password": "Test-pass-2026"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "页面已过期" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_without_csrf_is_refused(bureau):
    client, _ = bureau
    answer = client.post("/logout", data={}, follow_redirects=False)
    assert answer.status_code == 403
    assert "无权限" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 200


def test_wrong_password_shows_the_error(client):
    answer = login(client, "bureau", password="wrong-password-1")
    assert answer.status_code == 401
    assert "用户名或密码错误" in answer.text
    assert 'value="bureau"' in answer.text  # the username is kept


def test_login_is_throttled_after_repeated_failures(client, ctx):
    for _ in range(ctx.settings.login_max_failures):
        assert login(client, "town_a", password="wrong-password-1").status_code == 401
    answer = login(client, "town_a")  # even the right password is refused for now
    assert answer.status_code == 429
    assert "登录失败次数过多" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/shelters?page=2", "/shelters?page=2"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("shelters", "/"),
    ],
)
def test_next_only_redirects_to_local_paths(client, next_url, expected):
    answer = login(client, "bureau", next_url=next_url)
    assert answer.status_code == 303
    assert answer.headers["location"] == expected


def test_layout_lists_the_five_domains_in_order(bureau):
    client, _ = bureau
    html = client.get("/").text
    titles = ["监督管理", "监测预警", "指挥救援", "决策支持", "政务服务"]
    positions = [html.index(f">{t}") for t in titles]
    assert positions == sorted(positions)
    assert 'href="/map"' in html
    assert 'href="/shelters"' in html
    assert "建设中" not in html  # every business group now has pages of its own
    assert 'name="csrf-token"' in html


def test_every_registry_page_renders_for_bureau(bureau, as_user):
    client, _ = bureau
    for spec in registries():
        listing = client.get(f"/{spec.name}")
        assert listing.status_code == 200, (spec.name, listing.text[:500])
        assert spec.title in listing.text
        assert f"/api/v1/{spec.name}/export.xlsx" in listing.text
        new = client.get(f"/{spec.name}/new")
        assert new.status_code == 200, (spec.name, new.text[:500])
        if spec.name not in SAMPLES:
            continue
        record_id = _create(as_user, spec.name, POINT_A, "页面")
        detail = client.get(f"/{spec.name}/{record_id}")
        assert detail.status_code == 200, (spec.name, detail.text[:500])
        edit = client.get(f"/{spec.name}/{record_id}/edit")
        assert edit.status_code == 200, (spec.name, edit.text[:500])
        assert client.get(f"/{spec.name}").text.count(f'href="/{spec.name}/{record_id}"') >= 1


def test_township_officer_gets_a_404_page_for_another_township(client, other, as_user):
    signed_in(client, "town_a")
    signed_in(other, "town_b")
    for spec in registries():
        if spec.name not in SAMPLES or not getattr(spec, "scoped", True):
            continue  # district-wide registries (the supply catalogue) have no township
        record_id = _create(as_user, spec.name, POINT_B, "乙")
        hidden = client.get(f"/{spec.name}/{record_id}")
        assert hidden.status_code == 404, spec.name
        assert "未找到" in hidden.text
        assert client.get(f"/{spec.name}/{record_id}/edit").status_code == 404
        assert f'href="/{spec.name}/{record_id}"' not in client.get(f"/{spec.name}").text
        assert other.get(f"/{spec.name}/{record_id}").status_code == 200


def test_unknown_record_or_page_is_a_404_page(bureau):
    client, _ = bureau
    for url in ("/shelters/999999", "/shelters/abc", "/no-such-page"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert "未找到" in answer.text
        assert 'href="/shelters"' in answer.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


def test_create_through_the_form_redirects_to_the_record(bureau):
    client, token = bureau
    answer = client.post(
        "/shelters/new", data={**SHELTER_FORM, "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert re.fullmatch(r"/shelters/\d+", location)
    detail = client.get(location)
    assert "已保存" in detail.text
    assert "表单避难场所" in detail.text
    assert "应急供水、应急照明" in detail.text
    assert "玉屏社区" in detail.text  # division resolved from the point
    assert "已保存" not in client.get(location).text  # a flash shows once


def test_form_errors_are_shown_under_the_field_with_the_values_kept(bureau):
    client, token = bureau
    data = {**SHELTER_FORM, "capacity_persons": "99999", "csrf_token": token}
    answer = client.post("/shelters/new", data=data)
    assert answer.status_code == 422
    field = re.search(
        r'<div class="field[^"]*" id="field-capacity_persons">(.*?)</div>', answer.text, re.S
    )
    assert field
    assert "has-error" in answer.text
    assert "超过有效面积" in field.group(1)
    assert 'value="99999"' in field.group(1)
    assert 'value="表单避难场所"' in answer.text


def test_missing_and_malformed_fields_are_named(bureau):
    client, token = bureau
    data = {**SHELTER_FORM, "name": "", "effective_area_m2": "-5", "csrf_token": token}
    answer = client.post("/shelters/new", data=data)
    assert answer.status_code == 422
    assert re.search(r'id="field-name">.*?必填项', answer.text, re.S)
    assert re.search(r'id="field-effective_area_m2">.*?应大于 0', answer.text, re.S)


def test_form_post_without_csrf_is_refused(bureau):
    client, _ = bureau
    answer = client.post("/shelters/new", data=SHELTER_FORM)
    assert answer.status_code == 403
    assert "CSRF" in answer.text


def test_edit_and_retire_through_the_forms(bureau, as_user):
    client, token = bureau
    record_id = _create(as_user, "shelters", POINT_A, "改")
    form = client.get(f"/shelters/{record_id}/edit").text
    assert 'value="避难场所改"' in form
    data = {**SHELTER_FORM, "name": "改名后的避难场所", "csrf_token": token}
    answer = client.post(f"/shelters/{record_id}/edit", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert "改名后的避难场所" in client.get(f"/shelters/{record_id}").text
    refused = client.post(f"/shelters/{record_id}/retire", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422
    assert "请填写停用原因" in refused.text
    done = client.post(
        f"/shelters/{record_id}/retire", data={"csrf_token": token, "reason": "场地拆除"}
    )
    assert done.status_code == 200
    assert "已停用" in done.text
    assert "场地拆除" in done.text
    assert f'href="/shelters/{record_id}/edit"' not in done.text
    assert client.get(f"/shelters/{record_id}/edit").status_code == 409


def test_roles_that_may_not_write_see_no_write_buttons(client, as_user):
    signed_in(client, "duty")
    listing = client.get("/shelters").text
    assert 'href="/shelters/new"' not in listing
    assert 'action="/shelters/import"' not in listing
    assert client.get("/shelters/new").status_code == 403
    record_id = _create(as_user, "shelters", POINT_A, "读")
    assert f'href="/shelters/{record_id}/edit"' not in client.get(f"/shelters/{record_id}").text


def test_list_filters_and_export_link_keep_the_filters(bureau, as_user):
    client, _ = bureau
    _create(as_user, "shelters", POINT_A, "甲地")
    _create(as_user, "shelters", POINT_B, "乙地")
    page = client.get("/shelters?division_code=500153002&shelter_class=emergency").text
    assert "避难场所乙地" in page
    assert "避难场所甲地" not in page
    assert "export.xlsx?division_code=500153002&amp;shelter_class=emergency" in page
    assert '<option value="500153002" selected>' in page
    # The export link works with the page's session cookie (GET needs no CSRF header).
    export = client.get("/api/v1/shelters/export.xlsx?division_code=500153002")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "筛选条件" in client.get("/shelters?shelter_class=bunker").text


def _workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHELTERS.sheet
    ws.append([c.header for c in SHELTERS.columns])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(name: str, capacity: int) -> list[Any]:
    values = {
        "name": name,
        "shelter_class": "紧急",
        "effective_area_m2": 1000,
        "capacity_persons": capacity,
        "longitude": POINT_A[0],
        "latitude": POINT_A[1],
    }
    return [values.get(c.key) for c in SHELTERS.columns]


def test_import_shows_every_error_or_imports_all(bureau):
    client, token = bureau
    bad = _workbook([_row("导入一", 100), _row("导入二", 99999)])
    files = {"file": ("shelters.xlsx", bad, "application/octet-stream")}
    answer = client.post("/shelters/import", data={"csrf_token": token}, files=files)
    assert answer.status_code == 422
    assert "未写入任何数据" in answer.text
    table = answer.text[answer.text.index("import-errors") :]
    assert "<th>工作表</th><th>行</th><th>列</th><th>原因</th>" in table
    assert re.search(r'data-label="行" class="num">3<', table)
    assert "导入一" not in client.get("/shelters").text
    good = _workbook([_row("导入一", 100), _row("导入二", 200)])
    files = {"file": ("shelters.xlsx", good, "application/octet-stream")}
    done = client.post("/shelters/import", data={"csrf_token": token}, files=files)
    assert done.status_code == 200
    assert "成功导入 2 条" in done.text
    assert "导入二" in done.text


def test_map_page_lists_every_sited_layer(bureau):
    client, _ = bureau
    html = client.get("/map").text
    assert 'id="map"' in html
    assert 'data-divisions="/api/v1/divisions.geojson"' in html
    for spec in registries():
        if spec.sited:
            assert f"/api/v1/{spec.name}.geojson" in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "js/map.js" in html


def test_map_layers_name_their_popup_rows_in_chinese(bureau):
    client, _ = bureau
    html = client.get("/map").text
    found = re.search(r"data-layers='([^']*)'", html)
    assert found is not None
    layers = {layer["id"]: layer for layer in json.loads(html_lib.unescape(found.group(1)))}
    assert layers["risk-points"]["fields"] == [
        ["kind", "风险点类型"],
        ["level", "风险等级"],
        ["score", "风险值"],
        ["responsible_person", "责任人"],
    ]
    for layer in layers.values():
        keys = {key for key, _ in layer["fields"]}
        assert not keys & {"id", "name", "registry", "division_code", "detail_url"}
        assert all(re.search(r"[\u4e00-\u9fff]", label) for _, label in layer["fields"])


def test_map_labels_demo_geometry_only_when_boundaries_are_demo(bureau, ctx):
    from sqlalchemy import update

    from yingji.geo.models import Division

    client, _ = bureau
    assert "演示数据" not in client.get("/map").text  # the test district's are "test"
    with ctx.session_factory() as s, s.begin():
        s.execute(update(Division).values(boundary_source="demo"))
    assert "行政区划边界为演示数据" in client.get("/map").text
