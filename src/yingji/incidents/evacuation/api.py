"""Evacuation endpoints: compute and store an assignment, read stored plans."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from yingji.incidents.evacuation import queries, service
from yingji.incidents.evacuation.schemas import EvacuationPlanRead, EvacuationRequest
from yingji.web.deps import ApiActor, Ctx, ReadSession

router = APIRouter(tags=["转移安置"])


@router.post(
    "/api/v1/evacuation-plans",
    response_model=EvacuationPlanRead,
    status_code=201,
    summary="编制转移安置方案（按容量约束求总转移距离最小的分配）",
)
def create_plan(body: EvacuationRequest, actor: ApiActor, ctx: Ctx) -> EvacuationPlanRead:
    """Assign the villages' people to open shelters and store the plan."""
    with ctx.uow(actor) as uow:
        plan_id = service.plan_evacuation_for(
            uow, body, min_area_m2=ctx.settings.shelter_min_area_m2
        )
        uow.commit()
    with ctx.session_factory() as session:
        return queries.get_plan(session, actor, plan_id)


@router.get(
    "/api/v1/evacuation-plans/{plan_id}",
    response_model=EvacuationPlanRead,
    summary="转移安置方案详情",
)
def get_plan(plan_id: int, actor: ApiActor, session: ReadSession) -> EvacuationPlanRead:
    """Return one stored plan (404 outside the actor's jurisdiction)."""
    return queries.get_plan(session, actor, plan_id)


@router.get("/api/v1/evacuation-plans", summary="转移安置方案列表")
def list_plans(
    actor: ApiActor, session: ReadSession, incident_id: int | None = None
) -> list[dict[str, Any]]:
    """Return the plans the actor may see (summaries, newest first)."""
    return [
        {
            "id": row.id,
            "title": row.title,
            "incident_id": row.incident_id,
            "division_code": row.division_code,
            "total_persons": row.total_persons,
            "unplaced_persons": row.unplaced_persons,
            "created_at": row.created_at,
        }
        for row in queries.list_plans(session, actor, incident_id=incident_id)
    ]


routers = [router]
