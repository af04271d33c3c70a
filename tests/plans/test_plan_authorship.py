"""Who may author which plan, and where an enterprise's plan belongs (issue 15: writes
across jurisdictions). 《突发事件应急预案管理办法》第七条: 总体/专项/部门 plans are the
government's and its departments'; an enterprise writes its own plans and 现场处置方案."""

from __future__ import annotations

from support.district import TOWN_A

VERSION = {"summary": "预案", "levels": [{"level": 4, "criteria": {}}], "templates": []}


def _body(kind: str, **extra):
    return {"name": f"{kind} 预案", "kind": kind, "version": VERSION, **extra}


def test_an_enterprise_officer_cannot_author_a_district_overall_plan(as_user):
    answer = as_user("ent_a").post("/api/v1/plans", json=_body("overall"))
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["kind"]
    names = [p["name"] for p in as_user("admin").get("/api/v1/plans").json()]
    assert "overall 预案" not in names


def test_an_enterprise_plan_belongs_to_the_enterprise_township(as_user):
    answer = as_user("ent_a").post("/api/v1/plans", json=_body("enterprise"))
    assert answer.status_code == 201, answer.text
    plan = as_user("admin").get(f"/api/v1/plans/{answer.json()['id']}").json()
    assert plan["division_code"].startswith(TOWN_A)
    assert plan["owner_enterprise_id"] is not None


def test_a_department_officer_authors_department_plans_only(as_user, dept_id):
    assert as_user("dept").post("/api/v1/plans", json=_body("overall")).status_code == 422
    assert as_user("dept").post("/api/v1/plans", json=_body("department")).status_code == 201


def test_an_unknown_owner_is_a_422_not_a_500(as_user):
    answer = as_user("bureau").post(
        "/api/v1/plans",
        json=_body("special", owner_department_id=987654, owner_enterprise_id=987654),
    )
    assert answer.status_code == 422, answer.text
    fields = sorted(e["field"] for e in answer.json()["errors"])
    assert fields == ["owner_department_id", "owner_enterprise_id"]
