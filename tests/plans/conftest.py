"""Plan fixtures: a published district plan with two levels and their task templates."""

from __future__ import annotations

from typing import Any

import pytest


def structure(dept_id: int | None) -> dict[str, Any]:
    """Return a version with levels IV and III and two + one task templates."""
    return {
        "summary": "危化品事故专项应急预案",
        "levels": [
            {"level": 4, "criteria": {"event_types": ["hazmat"], "min_injuries": 1}},
            {
                "level": 3,
                "criteria": {"event_types": ["hazmat"], "min_deaths": 3, "min_grade": "large"},
            },
        ],
        "templates": [
            {
                "level": 4,
                "action": "值班员核实情况并报告带班领导",
                "role": "duty_officer",
                "deadline_minutes": 15,
            },
            {
                "level": 4,
                "action": "派员赶赴现场",
                "department_id": dept_id,
                "deadline_minutes": 30,
                "resources": ["防化服"],
            },
            {
                "level": 3,
                "action": "成立现场指挥部",
                "department_id": dept_id,
                "deadline_minutes": 60,
            },
        ],
    }


@pytest.fixture
def dept_id(ctx) -> int:
    """Put the test district's department officer in a department; return its id."""
    from sqlalchemy import select

    from yingji.accounts.models import User
    from yingji.accounts.service import ensure_department
    from yingji.core.actor import system_actor

    with ctx.uow(system_actor("test")) as uow:
        dept = ensure_department(uow, "区交通运输局", "500153")
        user = uow.session.scalar(select(User).where(User.username == "dept"))
        assert user is not None
        user.department_id = dept.id
        uow.commit()
        return int(dept.id)


@pytest.fixture
def plan(as_user, dept_id) -> dict[str, Any]:
    """Create and publish the district's hazmat plan as bureau staff; return its detail."""
    bureau = as_user("bureau")
    created = bureau.post(
        "/api/v1/plans",
        json={
            "name": "危化品事故专项应急预案",
            "kind": "special",
            "event_types": ["hazmat"],
            "filing_number": "荣应急备〔2026〕3号",
            "version": structure(dept_id),
        },
    )
    assert created.status_code == 201, created.text
    published = bureau.post(f"/api/v1/plans/{created.json()['id']}/publish")
    assert published.status_code == 200, published.text
    return dict(published.json())
