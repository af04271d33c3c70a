"""Plan pages: the library flags, activation from the plan page, the task board."""

from __future__ import annotations

from support.web import signed_in


def test_activate_from_page_and_work_task_on_board(client, plan):
    token = signed_in(client, "duty")
    library = client.get("/plans")
    assert library.status_code == 200
    assert plan["name"] in library.text
    page = client.get(f"/plans/{plan['id']}")
    assert "Ⅳ级响应" in page.text
    assert "activate-form" in page.text
    answer = client.post(
        f"/plans/{plan['id']}/activate",
        data={"csrf_token": token, "level": "4", "incident_id": "31", "reason": "演练"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    again = client.post(
        f"/plans/{plan['id']}/activate",
        data={"csrf_token": token, "level": "4", "incident_id": "31"},
    )
    assert again.status_code == 422
    assert "不能重复启动" in again.text
    board = client.get("/plan-tasks")
    assert "派员赶赴现场" in board.text
    task_id = board.text.split('id="task-')[1].split('"')[0]
    done = client.post(
        f"/plan-tasks/{task_id}/acknowledge", data={"csrf_token": token}, follow_redirects=True
    )
    assert "任务已接收" in done.text


def test_grid_member_sees_no_activation_form(client, plan):
    signed_in(client, "grid_a")
    page = client.get(f"/plans/{plan['id']}")
    assert page.status_code == 200
    assert "activate-form" not in page.text
