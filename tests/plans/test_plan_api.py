"""Plans through the API: versions, matching, activation into tasks, task work, drills, scope."""

from __future__ import annotations

import time
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from support.workbooks import HOSTILE
from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage
from yingji.plans.tasks import remind_overdue_tasks

from .conftest import structure


def test_published_version_is_immutable_and_revision_is_a_new_version(as_user, plan, dept_id):
    bureau = as_user("bureau")
    assert plan["current"]["version_no"] == 1
    assert plan["draft"] is None
    revised = structure(dept_id)
    revised["templates"].append(
        {"level": 4, "action": "通知属地镇街", "role": "township_officer", "deadline_minutes": 20}
    )
    draft = bureau.put(f"/api/v1/plans/{plan['id']}/draft", json=revised).json()
    assert draft["draft"]["version_no"] == 2
    assert len(draft["current"]["templates"]) == 3  # version 1 unchanged
    published = bureau.post(f"/api/v1/plans/{plan['id']}/publish").json()
    assert published["current"]["version_no"] == 2
    assert [v["state"] for v in published["versions"]] == ["superseded", "published"]
    assert bureau.post(f"/api/v1/plans/{plan['id']}/publish").status_code == 409


def test_matching_ranks_with_reasons(as_user, plan):
    found = (
        as_user("duty")
        .post(
            "/api/v1/plans/match",
            json={"event_type": "hazmat", "deaths": 0, "injuries": 2, "division_code": "500153001"},
        )
        .json()
    )
    assert [(m["plan_id"], m["level"]) for m in found] == [(plan["id"], 4)]
    assert found[0]["reasons"] == ["受伤 2 人，达到 1 人的启动条件"]
    assert as_user("duty").post("/api/v1/plans/match", json={"event_type": "flood"}).json() == []


def test_activation_creates_exactly_the_level_tasks_once(as_user, plan, ctx):
    duty = as_user("duty")
    url = f"/api/v1/plans/{plan['id']}/activations"
    first = duty.post(url, json={"level": 4, "incident_id": 77, "reason": "2 人受伤"})
    assert first.status_code == 201, first.text
    actions = sorted(t["action"] for t in first.json()["tasks"])
    assert actions == ["值班员核实情况并报告带班领导", "派员赶赴现场"]
    again = duty.post(url, json={"level": 4, "incident_id": 77})
    assert again.status_code == 409
    # A different level for the same incident is a separate activation (escalation).
    third = duty.post(url, json={"level": 3, "incident_id": 77})
    assert [t["action"] for t in third.json()["tasks"]] == ["成立现场指挥部"]
    assert duty.post(url, json={"level": 2, "incident_id": 77}).status_code == 422
    with ctx.session_factory() as session:
        names = session.scalars(
            select(OutboxMessage.name).where(OutboxMessage.name == "plans.activated")
        ).all()
        assert len(names) == 2


def test_task_work_is_audited_and_illegal_moves_refused(as_user, plan, ctx):
    duty, dept, town_a = as_user("duty"), as_user("dept"), as_user("town_a")
    tasks = duty.post(
        f"/api/v1/plans/{plan['id']}/activations", json={"level": 4, "incident_id": 5}
    ).json()["tasks"]
    dept_task = next(t for t in tasks if t["department_id"] is not None)
    duty_task = next(t for t in tasks if t["role"] == "duty_officer")
    url = f"/api/v1/plan-tasks/{dept_task['id']}"
    assert dept.post(f"{url}/complete", json={}).status_code == 409  # not yet acknowledged
    assert dept.post(f"{url}/read", json={}).json()["state"] == "read"
    assert dept.post(f"{url}/acknowledge", json={}).json()["state"] == "acknowledged"
    empty = dept.post(f"{url}/feedback", json={})
    assert empty.status_code == 422
    fed = dept.post(
        f"{url}/feedback", json={"text": "已到达现场", "longitude": 105.55, "latitude": 29.45}
    )
    assert fed.json()["state"] == "in_progress"
    assert dept.post(f"{url}/complete", json={}).json()["state"] == "done"
    assert dept.post(f"{url}/return", json={"text": "缺少照片"}).status_code == 403
    assert duty.post(f"{url}/return", json={}).status_code == 422
    returned = duty.post(f"{url}/return", json={"text": "缺少现场照片"})
    assert returned.json()["state"] == "in_progress"
    history = duty.get(url).json()["history"]
    assert [h["action"] for h in history] == [
        "read",
        "acknowledge",
        "feedback",
        "complete",
        "return",
    ]
    # The department officer does not work the duty officer's task, nor sees it.
    assert dept.post(f"/api/v1/plan-tasks/{duty_task['id']}/read", json={}).status_code == 404
    assert town_a.get(url).status_code == 404 or town_a.get(url).status_code == 200
    with ctx.session_factory() as session:
        audits = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "plan_task", AuditEntry.entity_id == str(dept_task["id"]))
            .order_by(AuditEntry.id)
        ).all()
    assert audits == [
        "plans.task.create",
        "plans.task.read",
        "plans.task.acknowledge",
        "plans.task.feedback",
        "plans.task.complete",
        "plans.task.return",
    ]


def test_overdue_task_reminded_once(as_user, plan, ctx):
    tasks = (
        as_user("duty")
        .post(f"/api/v1/plans/{plan['id']}/activations", json={"level": 4, "incident_id": 9})
        .json()["tasks"]
    )
    latest_due = max(t["due_at"] for t in tasks)
    from datetime import datetime

    after = datetime.fromisoformat(latest_due) + timedelta(minutes=1)
    assert remind_overdue_tasks(ctx, after) == 2
    assert remind_overdue_tasks(ctx, after + timedelta(hours=1)) == 0


def test_drills_and_flags(as_user, plan):
    bureau = as_user("bureau")
    bad = bureau.post(
        f"/api/v1/plans/{plan['id']}/drills",
        json={
            "held_on": "2099-01-01",
            "form": "tabletop",
            "participants": 5,
            "scenario": "氯气泄漏",
        },
    )
    assert bad.status_code == 422
    ok = bureau.post(
        f"/api/v1/plans/{plan['id']}/drills",
        json={
            "held_on": "2026-05-01",
            "form": "full_scale",
            "participants": 80,
            "scenario": "氯气泄漏",
            "findings": "疏散通道堵塞",
        },
    )
    assert ok.status_code == 201, ok.text
    detail = ok.json()
    assert detail["last_drill_on"] == "2026-05-01"
    assert detail["drill_due"] == "2028-05-01"
    listed = {p["id"]: p for p in bureau.get("/api/v1/plans").json()}
    assert listed[plan["id"]]["drill_overdue"] is False


def test_scoping_and_roles(as_user, plan):
    assert as_user("ent_a").get(f"/api/v1/plans/{plan['id']}").status_code == 404
    assert as_user("town_a").get(f"/api/v1/plans/{plan['id']}").status_code == 200
    # A township may read the district plan but not change it.
    assert as_user("town_a").post(f"/api/v1/plans/{plan['id']}/publish").status_code == 403
    town_plan = as_user("town_a").post(
        "/api/v1/plans",
        json={
            "name": "昌元街道防汛预案",
            "kind": "grassroots",
            "version": {"levels": [{"level": 4, "criteria": {"min_warning_level": "yellow"}}]},
        },
    )
    assert town_plan.status_code == 201, town_plan.text
    assert town_plan.json()["division_code"] == "500153001"
    assert as_user("town_b").get(f"/api/v1/plans/{town_plan.json()['id']}").status_code == 404
    assert (
        as_user("grid_a")
        .post(f"/api/v1/plans/{plan['id']}/activations", json={"level": 4, "incident_id": 1})
        .status_code
        == 403
    )


def test_structure_import_all_or_nothing(as_user, plan):
    bureau = as_user("bureau")
    template = bureau.get("/api/v1/plans/structure-template.xlsx")
    book = load_workbook(BytesIO(template.content))
    book["任务模板"].append(["Ⅳ级", "通知专家", "不存在的部门", None, 30, None])
    out = BytesIO()
    book.save(out)
    refused = bureau.post(
        f"/api/v1/plans/{plan['id']}/draft/import",
        files={"file": ("p.xlsx", out.getvalue(), "application/octet-stream")},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["row"] == 3
    assert bureau.get(f"/api/v1/plans/{plan['id']}").json()["draft"] is None
    book["任务模板"].delete_rows(3)
    book["任务模板"].append(["Ⅳ级", "通知专家", None, "值班员", 30, "专家库"])
    out = BytesIO()
    book.save(out)
    imported = bureau.post(
        f"/api/v1/plans/{plan['id']}/draft/import",
        files={"file": ("p.xlsx", out.getvalue(), "application/octet-stream")},
    )
    assert imported.status_code == 200, imported.text
    actions = [t["action"] for t in imported.json()["draft"]["templates"]]
    assert actions == ["赶赴现场核实情况", "通知专家"]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_structure_import_refuses_hostile_files_quickly(as_user, plan, kind):
    content = HOSTILE[kind]()
    api = as_user("bureau")
    api.get("/api/v1/plans/structure-template.xlsx")  # signed in before the clock starts
    started = time.perf_counter()
    r = api.post(
        f"/api/v1/plans/{plan['id']}/draft/import",
        files={"file": ("p.xlsx", content, "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "file"
    assert time.perf_counter() - started < 2.0
