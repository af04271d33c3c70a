"""The plan editor pages: new plan, draft editor (indexed rows, field errors), publication,
drills, evaluations, the structure import, and who may use them."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from support.browser import DESKTOP, login, new_page
from support.web import signed_in
from yingji.core.audit import AuditEntry
from yingji.plans import imports
from yingji.plans.models import EmergencyPlan, PlanVersion


def _create(client: Any, token: str, **extra: str) -> int:
    data = {
        "csrf_token": token,
        "name": "荣昌镇防汛应急预案",
        "kind": "grassroots",
        "filing_number": "荣昌镇备〔2026〕1号",
        "filing_authority": "荣昌区应急管理局",
        "filed_on": "2026-03-01",
        "event_types": "flood、landslide",
        "level": "4",
    } | extra
    answer = client.post("/plans/new", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.endswith("/edit")
    return int(location.split("/")[2])


def _structure_form(token: str, dept_id: int) -> dict[str, str]:
    # Gaps in the indexes (rows removed in the browser) do not matter.
    return {
        "csrf_token": token,
        "summary": "第二稿",
        "levels-0-level": "4",
        "levels-0-event_types": "flood",
        "levels-0-min_injuries": "1",
        "levels-2-level": "3",
        "levels-2-min_deaths": "3",
        "levels-2-min_grade": "large",
        "levels-2-min_loss_wan_yuan": "100.5",
        "templates-0-level": "4",
        "templates-0-action": "值班员核实雨情水情",
        "templates-0-role": "duty_officer",
        "templates-0-deadline_minutes": "15",
        "templates-3-level": "3",
        "templates-3-action": "组织转移受威胁群众",
        "templates-3-department_id": str(dept_id),
        "templates-3-deadline_minutes": "60",
        "templates-3-resources": "冲锋舟、救生衣",
        # Added and left blank: not a task.
        "templates-4-level": "",
        "templates-4-action": "",
    }


def test_create_edit_publish_through_pages(client, ctx, dept_id):
    token = signed_in(client, "town_a")
    assert "/plans/new" in client.get("/plans").text
    form = client.get("/plans/new")
    assert form.status_code == 200
    assert "预案名称" in form.text
    plan_id = _create(client, token)
    editor = client.get(f"/plans/{plan_id}/edit")
    assert editor.status_code == 200
    assert 'name="levels-0-level"' in editor.text
    assert 'id="level-template"' in editor.text

    saved = client.post(
        f"/plans/{plan_id}/edit", data=_structure_form(token, dept_id), follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    detail = client.get(f"/api/v1/plans/{plan_id}").json()
    draft = detail["draft"]
    assert [lv["level"] for lv in draft["levels"]] == [3, 4]
    assert draft["levels"][0]["criteria"] == {
        "event_types": [],
        "min_grade": "large",
        "min_deaths": 3,
        "min_loss_wan_yuan": "100.5",
        "division_codes": [],
    }
    assert [t["action"] for t in draft["templates"]] == ["值班员核实雨情水情", "组织转移受威胁群众"]
    assert draft["templates"][1]["resources"] == ["冲锋舟", "救生衣"]
    assert draft["templates"][1]["department_id"] == dept_id
    assert detail["current"] is None

    page = client.get(f"/plans/{plan_id}")
    assert "发布草稿" in page.text
    assert "编辑草稿" in page.text
    published = client.post(
        f"/plans/{plan_id}/publish", data={"csrf_token": token}, follow_redirects=True
    )
    assert "草稿已发布为现行版本" in published.text
    assert "现行版本 第 1 版" in published.text
    with ctx.session_factory() as session:
        plan = session.get(EmergencyPlan, plan_id)
        assert plan is not None
        assert plan.division_code == "500153001"
        version = session.get(PlanVersion, plan.current_version_id)
        assert version is not None
        assert version.state == "published"
        actions = set(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.entity.in_(["plan", "plan_version"]))
            )
        )
    assert {"plans.plan.create", "plans.version.save_draft", "plans.version.publish"} <= actions
    # Nothing left to publish.
    again = client.post(
        f"/plans/{plan_id}/publish", data={"csrf_token": token}, follow_redirects=True
    )
    assert "没有待发布的草稿版本" in again.text


def test_revision_starts_from_the_published_version(client, ctx, plan):
    token = signed_in(client, "bureau")
    editor = client.get(f"/plans/{plan['id']}/edit")
    assert "取自现行版本" in editor.text
    assert 'value="派员赶赴现场"' in editor.text
    form: dict[str, str] = {"csrf_token": token, "levels-0-level": "4"}
    form |= {"templates-0-level": "4", "templates-0-action": "新任务"}
    form |= {"templates-0-role": "duty_officer", "templates-0-deadline_minutes": "5"}
    saved = client.post(f"/plans/{plan['id']}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    detail = client.get(f"/api/v1/plans/{plan['id']}").json()
    assert detail["draft"]["version_no"] == 2
    # The published version is untouched.
    assert [t["action"] for t in detail["current"]["templates"]] == [
        t["action"] for t in plan["current"]["templates"]
    ]


def test_validation_errors_are_shown_next_to_their_fields(client, ctx, dept_id):
    token = signed_in(client, "town_a")
    plan_id = _create(client, token)
    form = _structure_form(token, dept_id)
    form["levels-2-min_deaths"] = "-1"
    form["templates-0-deadline_minutes"] = "abc"
    form["templates-3-department_id"] = ""  # neither department nor role
    answer = client.post(f"/plans/{plan_id}/edit", data=form)
    assert answer.status_code == 422
    assert 'id="err-levels-2-min_deaths"' in answer.text
    assert 'id="err-templates-0-deadline_minutes"' in answer.text
    assert "应为整数" in answer.text
    assert 'id="err-templates-3"' in answer.text
    assert "任务须指定责任部门或岗位" in answer.text
    # What was typed is shown again.
    assert 'value="组织转移受威胁群众"' in answer.text

    form = _structure_form(token, dept_id)
    form["levels-2-level"] = "4"  # a level twice; the level-3 task has no level now
    answer = client.post(f"/plans/{plan_id}/edit", data=form)
    assert answer.status_code == 422
    assert 'id="err-levels-2-level"' in answer.text
    assert "响应等级重复" in answer.text
    assert 'id="err-templates-3-level"' in answer.text

    no_levels = {"csrf_token": token, "summary": "x"}
    answer = client.post(f"/plans/{plan_id}/edit", data=no_levels)
    assert answer.status_code == 422
    assert "至少设置一个响应等级" in answer.text

    bad_new = client.post("/plans/new", data={"csrf_token": token, "name": "", "level": "4"})
    assert bad_new.status_code == 422
    assert 'id="err-name"' in bad_new.text
    assert 'id="err-kind"' in bad_new.text
    with ctx.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(EmergencyPlan)) == 1


def test_drill_and_evaluation_forms(client, ctx, plan, clock):
    ctx.clock = clock
    token = signed_in(client, "bureau")
    today = clock.now().date().isoformat()
    bad = client.post(
        f"/plans/{plan['id']}/drills",
        data={"csrf_token": token, "held_on": today, "form": "", "participants": "0"},
    )
    assert bad.status_code == 422
    assert 'id="err-drill-participants"' in bad.text
    assert 'id="err-drill-scenario"' in bad.text
    future = client.post(
        f"/plans/{plan['id']}/drills",
        data={
            "csrf_token": token,
            "held_on": "2099-01-01",
            "form": "tabletop",
            "participants": "5",
            "scenario": "泄漏",
        },
    )
    assert future.status_code == 422
    assert "演练日期不能晚于今天" in future.text
    ok = client.post(
        f"/plans/{plan['id']}/drills",
        data={
            "csrf_token": token,
            "held_on": today,
            "form": "tabletop",
            "participants": "12",
            "scenario": "储罐泄漏桌面推演",
        },
        follow_redirects=True,
    )
    assert "演练已登记" in ok.text
    assert "储罐泄漏桌面推演" in ok.text
    evaluated = client.post(
        f"/plans/{plan['id']}/evaluations",
        data={"csrf_token": token, "evaluated_on": today, "conclusion": "预案可行"},
        follow_redirects=True,
    )
    assert "评估已登记" in evaluated.text
    assert f"上次评估：{today}" in evaluated.text
    bad_eval = client.post(
        f"/plans/{plan['id']}/evaluations", data={"csrf_token": token, "evaluated_on": "x"}
    )
    assert bad_eval.status_code == 422
    assert 'id="err-evaluation-conclusion"' in bad_eval.text


def _workbook(rows: list[list[Any]]) -> bytes:
    book = load_workbook(BytesIO(imports.template_workbook()))
    levels = book[imports.LEVEL_SHEET]
    levels.delete_rows(2)
    levels.append(["Ⅳ级", "hazmat", None, None, None, 1])
    tasks = book[imports.TASK_SHEET]
    tasks.delete_rows(2)
    for row in rows:
        tasks.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_structure_from_the_plan_page(client, plan):
    token = signed_in(client, "bureau")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bad = client.post(
        f"/plans/{plan['id']}/import",
        data={"csrf_token": token},
        files={"file": ("p.xlsx", _workbook([["Ⅳ级", "核实", "不存在的局", None, 10]]), xlsx)},
    )
    assert bad.status_code == 422
    assert "没有名为“不存在的局”的部门" in bad.text
    assert "第 2 行" in bad.text
    empty = client.post(f"/plans/{plan['id']}/import", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "请选择要导入的 Excel 文件" in empty.text
    good = client.post(
        f"/plans/{plan['id']}/import",
        data={"csrf_token": token},
        files={"file": ("p.xlsx", _workbook([["Ⅳ级", "导入的任务", None, "值班员", 10]]), xlsx)},
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    draft = client.get(f"/api/v1/plans/{plan['id']}").json()["draft"]
    assert [t["action"] for t in draft["templates"]] == ["导入的任务"]


def test_other_township_gets_404_and_grid_member_403(client, ctx, dept_id):
    token = signed_in(client, "town_a")
    plan_id = _create(client, token)
    client.post("/logout", data={"csrf_token": token})

    token_b = signed_in(client, "town_b")
    assert client.get(f"/plans/{plan_id}").status_code == 404
    assert client.get(f"/plans/{plan_id}/edit").status_code == 404
    for path in ("edit", "publish", "drills", "evaluations", "import"):
        answer = client.post(f"/plans/{plan_id}/{path}", data={"csrf_token": token_b})
        assert answer.status_code == 404, path
    assert "荣昌镇防汛应急预案" not in client.get("/plans").text
    client.post("/logout", data={"csrf_token": token_b})

    token_g = signed_in(client, "grid_a")
    page = client.get(f"/plans/{plan_id}")
    assert page.status_code == 200
    assert "编辑草稿" not in page.text
    assert "drill-form" not in page.text
    assert "/plans/new" not in client.get("/plans").text
    assert client.get("/plans/new").status_code == 403
    assert client.get(f"/plans/{plan_id}/edit").status_code == 403
    for path in ("edit", "publish", "drills", "evaluations", "import"):
        answer = client.post(f"/plans/{plan_id}/{path}", data={"csrf_token": token_g})
        assert answer.status_code == 403, path
    new = client.post("/plans/new", data={"csrf_token": token_g, "name": "x", "kind": "overall"})
    assert new.status_code == 403
    with ctx.session_factory() as session:
        version = session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan_id))
        assert version is not None
        assert version.state == "draft"


def test_browser_edits_a_draft_and_publishes_it(live_server, browser, shots, plan):
    page = new_page(browser, DESKTOP)
    try:
        login(page, live_server, "bureau")
        page.wait_for_url(f"{live_server}/")
        page.goto(f"{live_server}/plans/{plan['id']}")
        page.click("#edit-draft")
        page.wait_for_url(f"{live_server}/plans/{plan['id']}/edit")
        # Two levels and three templates come from the published version: the clones get 2, 3.
        page.click("#add-level")
        page.select_option("#f-levels-2-level", "2")
        page.fill("#f-levels-2-min_deaths", "10")
        page.click("#add-template")
        page.select_option("#f-templates-3-level", "2")
        page.fill("#f-templates-3-action", "区政府主要领导赶赴现场指挥")
        page.select_option("#f-templates-3-role", "bureau_staff")
        page.fill("#f-templates-3-deadline_minutes", "45")
        # Drop the first task row.
        page.click('[data-row="templates-0"] .remove-row')
        assert page.locator('[data-row="templates-0"]').count() == 0
        page.screenshot(path=str(shots / "plan-editor.png"), full_page=True)
        page.click('#plan-editor button[type="submit"]')
        page.wait_for_url(f"{live_server}/plans/{plan['id']}")
        assert "草稿已保存" in page.content()
        assert "区政府主要领导赶赴现场指挥" in page.inner_text("#draft-levels")
        page.click('#publish-form button[type="submit"]')
        page.wait_for_selector("text=草稿已发布为现行版本")
        text = page.inner_text("main")
        assert "现行版本 第 2 版" in text
        assert "Ⅱ级响应" in text
        assert "值班员核实情况并报告带班领导" not in text
    finally:
        page.context.close()
