"""Risk pages: the LEC / LS / GB 18218 calculators answer with the rules' results, and the
四色图 page is served with its data source and legend."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.web import signed_in


def _post(client: TestClient, token: str, url: str, **data: str) -> Any:
    return client.post(url, data={"csrf_token": token, **data})


def test_calculator_page_lists_the_tables(client: TestClient) -> None:
    signed_in(client, "town_a")
    page = client.get("/risks/calculators")
    assert page.status_code == 200
    for text in ("LEC 作业条件危险性评价法", "LS 风险矩阵分析法", "GB 18218-2018", "D ≥ 320"):
        assert text in page.text
    assert '<option value="0.5">0.5</option>' in page.text  # the L / E table values


def test_lec_calculator(client: TestClient) -> None:
    token = signed_in(client, "ent_a")
    major = _post(client, token, "/risks/calculators/lec", l="3", e="6", c="40")
    assert major.status_code == 200
    assert 'class="calc-score">720<' in major.text
    assert "重大风险" in major.text
    edge = _post(client, token, "/risks/calculators/lec", l="1", e="10", c="7")
    assert 'class="calc-score">70<' in edge.text
    assert 'class="calc-level">一般风险<' in edge.text
    off = _post(client, token, "/risks/calculators/lec", l="4", e="6", c="40")
    assert off.status_code == 422
    assert "不在取值表中" in off.text
    # The CSRF token is required like every form.
    assert _post(client, "bad", "/risks/calculators/lec", l="3", e="6", c="40").status_code == 403


def test_ls_calculator(client: TestClient) -> None:
    token = signed_in(client, "grid_a")
    r = _post(client, token, "/risks/calculators/ls", l="4", s="4")
    assert r.status_code == 200
    assert 'class="calc-score">16<' in r.text
    assert "较大风险" in r.text
    bad = _post(client, token, "/risks/calculators/ls", l="6", s="4")
    assert bad.status_code == 422
    assert "1 至 5" in bad.text


def test_gb18218_calculator(client: TestClient) -> None:
    token = signed_in(client, "bureau")
    # Chlorine: Q = 5 t (Table 1), so 30 t alone gives S = 6.
    r = _post(
        client,
        token,
        "/risks/calculators/gb18218",
        unit_kind="storage",
        substances="氯:30",
        exposed_population="120",
    )
    assert r.status_code == 200, r.text[:3000]
    assert "构成重大危险源" in r.text
    assert "重大危险源</strong>" in r.text
    assert 'id="gb18218-result"' in r.text
    small = _post(
        client,
        token,
        "/risks/calculators/gb18218",
        unit_kind="storage",
        substances="氯:1",
        exposed_population="0",
    )
    assert "不构成重大危险源" in small.text
    bad = _post(
        client,
        token,
        "/risks/calculators/gb18218",
        unit_kind="storage",
        substances="氯:30\n不存在的物质xyz:5",
        exposed_population="10",
    )
    assert bad.status_code == 422
    assert "第 2 行" in bad.text


def test_colour_map_page(client: TestClient, as_user: Any) -> None:
    signed_in(client, "town_a")
    page = client.get("/risks/colour-map")
    assert page.status_code == 200
    assert 'data-points="/api/v1/risk-points.geojson"' in page.text
    for label in ("重大风险", "较大风险", "一般风险", "低风险", "未评价"):
        assert label in page.text
    # The menu offers both pages.
    assert 'href="/risks/colour-map"' in page.text
    assert 'href="/risks/calculators"' in page.text
    # The layer it paints carries each point's colour.
    api = as_user("bureau")
    point = api.post(
        "/api/v1/risk-points",
        json={"name": "液氯储罐区", "kind": "installation", "longitude": 105.55, "latitude": 29.42},
    )
    assert point.status_code == 201, point.text
    pid = point.json()["id"]
    graded = api.post(
        f"/api/v1/risk-points/{pid}/assessments", json={"method": "ls", "l": 5, "s": 5}
    )
    assert graded.status_code == 201, graded.text
    layer = api.get("/api/v1/risk-points.geojson").json()
    props = next(f["properties"] for f in layer["features"] if f["properties"]["id"] == pid)
    assert props["color"] == "red"


def test_pages_need_sign_in(client: TestClient) -> None:
    r = client.get("/risks/colour-map", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
