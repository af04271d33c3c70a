"""Hazard pages through the test client: board, report form, detail actions, statistics."""

from __future__ import annotations

from typing import Any

from support.district import POINT_A
from support.web import signed_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_board_detail_and_statistics_render(client, make_hazard):
    late = make_hazard("rectifying", deadline="2020-01-01", title="逾期的通道堵塞")
    make_hazard("confirmed", deadline="2099-01-01", title="未到期的隐患")
    signed_in(client, "bureau")
    board = client.get("/hazards")
    assert board.status_code == 200
    html = board.text
    assert html.index("逾期的通道堵塞") < html.index("未到期的隐患")  # overdue first
    assert 'href="/hazards/new"' in html
    assert "隐患排查治理" in html  # menu entry
    detail = client.get(f"/hazards/{late}")
    assert detail.status_code == 200
    assert "流转记录" in detail.text
    assert "逾期" in detail.text
    stats = client.get("/hazards/statistics?by=industry")
    assert stats.status_code == 200
    assert "整改率" in stats.text
    assert client.get("/hazards?state=bogus").status_code == 200  # a bad filter is ignored


def test_report_through_the_form_with_a_photo(client, ctx):
    token = signed_in(client, "grid_a")
    form = client.get("/hazards/new")
    assert form.status_code == 200
    assert "企业自查" not in form.text  # a grid member reports patrol findings only
    answer = client.post(
        "/hazards/new",
        data={
            "csrf_token": token,
            "source": "grid_patrol",
            "level": "general",
            "kind": "fire",
            "title": "楼道电动车充电",
            "description": "三楼楼道飞线充电",
            "longitude": str(POINT_A[0]),
            "latitude": str(POINT_A[1]),
        },
        files={"photo": ("p.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    url = answer.headers["location"]
    page = client.get(url)
    assert "楼道电动车充电" in page.text
    assert "待确认" in page.text
    img = page.text.split('<img src="', 1)[1].split('"', 1)[0]
    assert client.get(img).content == PNG
    # A missing title comes back with the form and its reason.
    again = client.post(
        "/hazards/new",
        data={"csrf_token": token, "source": "grid_patrol", "kind": "fire", "title": ""},
    )
    assert again.status_code == 422
    assert "提交的数据未通过校验" in again.text


def test_actions_from_the_detail_page_and_refusals_as_flash(client, app, make_hazard):
    hazard_id = make_hazard("confirmed", level="major")
    token = signed_in(client, "town_a")

    def post(action: str, **data: Any) -> str:
        answer = client.post(
            f"/hazards/{hazard_id}/actions/{action}",
            data={"csrf_token": token, **data},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return client.get(answer.headers["location"]).text

    page = post("start")
    assert "重大隐患须有措施、责任、资金、时限、预案俱全" in page
    assert "缺少“措施”" in page
    page = post(
        "start",
        plan_measures="停产整改",
        plan_responsible_person="镇安办 李四",
        plan_funds="10 万元",
        plan_time_limit="2099-01-01",
        plan_contingency_plan="专项预案",
    )
    assert "已开始整改" in page
    assert "整改中" in page
    page = post("accept")
    assert "不能执行“验收销号”" in page  # 409 reason shown


def test_other_township_gets_404_on_pages(client, make_hazard):
    hazard_id = make_hazard()
    token = signed_in(client, "town_b")
    assert client.get(f"/hazards/{hazard_id}").status_code == 404
    answer = client.post(
        f"/hazards/{hazard_id}/actions/confirm",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    assert f'data-hazard="{hazard_id}"' not in client.get("/hazards").text


def test_csrf_is_required(client, make_hazard):
    hazard_id = make_hazard()
    signed_in(client, "town_a")
    answer = client.post(f"/hazards/{hazard_id}/actions/confirm", data={"csrf_token": "x"})
    assert answer.status_code == 403


def test_every_role_can_open_the_board_statistics_and_report_form(client, make_hazard):
    make_hazard("rectifying", deadline="2020-01-01")
    # The roles whose scope differs most: district-wide without review rights, village, enterprise.
    for username in ("duty", "grid_a", "ent_a"):
        signed_in(client, username)
        for url in ("/hazards", "/hazards/statistics", "/hazards/new"):
            assert client.get(url).status_code == 200, (username, url)
