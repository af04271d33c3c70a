"""Inspection pages: plan, draw (seed shown), case with documents (.docx), statistics; menu."""

from __future__ import annotations

import re
from typing import Any

from docx import Document  # noqa: F401 (the download must open with python-docx)

from inspections.helpers import YEAR
from support.web import signed_in
from yingji.inspections.documents import docx_text


def test_plan_and_draw_pages_show_the_pool_and_the_seed(
    client: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    csrf = signed_in(client, "bureau")
    page = client.get(f"/inspections/plan?year={YEAR}")
    assert page.status_code == 200
    assert "尚未编制" in page.text
    assert "年度执法计划" in page.text
    assert "双随机抽查" in page.text
    made = client.post(
        "/inspections/plan", data={"csrf_token": csrf, "year": str(YEAR)}, follow_redirects=True
    )
    assert made.status_code == 200
    assert "基准企业A" in made.text
    assert "双随机抽查库" in made.text
    drawn = client.post(
        "/inspections/draws",
        data={"csrf_token": csrf, "year": str(YEAR), "count": "2", "seed": "page-seed-01"},
        follow_redirects=True,
    )
    assert drawn.status_code == 200
    assert 'id="draw-seed">page-seed-01<' in drawn.text
    assert "按公开种子重算结果一致" in drawn.text
    assert "基准企业B" in drawn.text
    listed = client.get(f"/inspections/draws?year={YEAR}")
    assert "page-seed-01" in listed.text


def test_case_page_runs_the_steps_and_downloads_documents(
    client: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    csrf = signed_in(client, "inspector")
    opened = client.post(
        "/inspections/cases",
        data={
            "csrf_token": csrf,
            "enterprise_id": str(ids["enterprise:A"]),
            "inspector_ids": [str(officers["insp1"]), str(officers["insp2"])],
            "mode": "key",
        },
        follow_redirects=True,
    )
    assert opened.status_code == 200, opened.text
    url = str(opened.url)
    assert re.search(r"/inspections/cases/\d+$", url)
    assert "危险化学品企业执法检查清单" in opened.text  # the industry's checklist
    step = client.post(
        f"{url}/findings",
        data={
            "csrf_token": csrf,
            "checklist_item": "HC05",
            "description": "禁配物料混存",
            "level": "general",
            "hazard_kind": "hazmat",
            "as_hazard": "on",
        },
        follow_redirects=True,
    )
    assert "禁配物料混存" in step.text
    assert "隐患 #" in step.text
    recorded = client.post(
        f"{url}/record", data={"csrf_token": csrf, "place": "仓库"}, follow_redirects=True
    )
    assert "荣应急检记〔2026〕1号" in recorded.text
    refused = client.post(
        f"{url}/order", data={"csrf_token": csrf, "deadline": "2020-01-01"}, follow_redirects=True
    )
    assert "整改期限不能早于今天" in refused.text
    ordered = client.post(
        f"{url}/order", data={"csrf_token": csrf, "deadline": "2026-06-20"}, follow_redirects=True
    )
    assert "荣应急责改〔2026〕1号" in ordered.text
    assert "限期整改中" in ordered.text
    link = re.search(r'href="(/inspections/documents/\d+\.docx)"', ordered.text)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert "荣应急检记〔2026〕1号" in docx_text(download.content)
    # Without a CSRF token nothing happens.
    assert client.post(f"{url}/close", data={}).status_code == 403

    other = signed_in(client, "town_b")
    assert other
    assert client.get(url).status_code == 404
    assert client.get(link.group(1)).status_code == 404


def test_case_list_and_statistics_pages(
    client: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    case = api.post(
        "/api/v1/inspections",
        json={
            "enterprise_id": ids["enterprise:B"],
            "inspector_ids": [officers["insp1"], officers["insp2"]],
        },
    ).json()
    api.post(f"/api/v1/inspections/{case['id']}/record", json={})
    signed_in(client, "bureau")
    listed = client.get("/inspections/cases")
    assert f"/inspections/cases/{case['id']}" in listed.text
    assert "已检查" in listed.text
    stats = client.get("/inspections/stats?month=2026-06")
    assert stats.status_code == 200
    assert 'id="total-inspections">1<' in stats.text
    assert "昌州街道" in stats.text
    assert client.get("/inspections/stats?month=bad").status_code == 200

    signed_in(client, "ent_a")
    menu = client.get("/inspections/cases")
    assert menu.status_code == 200
    assert f"/inspections/cases/{case['id']}" not in menu.text
    assert "年度执法计划" not in menu.text
