"""Shared helpers of the hazard tests: report bodies, a hazard in any state."""

from __future__ import annotations

from typing import Any

from support.district import POINT_A
from yingji.core.actor import system_actor
from yingji.risks.hazards import service
from yingji.risks.hazards.schemas import HazardActionRequest, HazardReport, RectificationPlan

HAZARDS = "/api/v1/hazards"

FULL_PLAN = {
    "measures": "更换泄漏阀门并加装可燃气体报警器",
    "responsible_person": "企业安全负责人 张三",
    "funds": "5 万元（企业自筹）",
    "time_limit": "2026-07-01",
    "contingency_plan": "泄漏专项应急预案已修订并演练",
}

# The path from "reported" to each state (system actor: no role limits, no submitter).
PATHS: dict[str, list[str]] = {
    "reported": [],
    "confirmed": ["confirm"],
    "rejected": ["reject"],
    "rectifying": ["confirm", "start"],
    "submitted": ["confirm", "start", "submit"],
    "closed": ["confirm", "start", "submit", "accept"],
}


def report_body(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    """Return a report body for a hazard at ``point`` (a public place unless told)."""
    body: dict[str, Any] = {
        "source": "grid_patrol",
        "kind": "fire",
        "title": "商铺消防通道堵塞",
        "description": "一楼消防通道堆放杂物",
        "longitude": point[0],
        "latitude": point[1],
    }
    body.update(extra)
    return body


def seed_hazard(ctx: Any, state: str = "reported", **extra: Any) -> int:
    """Create a hazard through the service and move it to ``state``; return its id."""
    body = report_body(**extra)
    with ctx.uow(system_actor("test")) as uow:
        hazard_id = service.report_hazard(uow, HazardReport.model_validate(body))
        for action in PATHS[state]:
            request = HazardActionRequest(reason="测试", plan=RectificationPlan(**FULL_PLAN))
            service.take_action(uow, hazard_id, action, request)
        uow.commit()
    return hazard_id
