"""Risk endpoints beyond the registry kit: the LEC / LS calculators, assessments, measures.

The kit serves /api/v1/risk-points itself (list, detail, create, update, retire, Excel and
the 四色图 GeoJSON layer with ``level``/``color`` properties and ``?level=``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from yingji.core.web.context import AppContext
from yingji.registry.queries import get_row
from yingji.risks.points import queries, service
from yingji.risks.points.registry import RISK_POINTS
from yingji.risks.points.rules import Grade, GradingConfig, grade_lec, grade_ls, load_config
from yingji.risks.points.schemas import (
    AssessmentCreate,
    AssessmentRead,
    ControlMeasureCreate,
    ControlMeasureRead,
    GradeRead,
    LecInput,
    LsInput,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

POINTS = "/api/v1/risk-points"
FIELD_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "a value outside the method's table, naming the field"}
}

router = APIRouter(tags=[RISK_POINTS.title])


def grading_config(ctx: AppContext) -> GradingConfig:
    """Return the deployment's grading tables and bands (national defaults unless set)."""
    return load_config(getattr(ctx.settings, "risk_grading_file", None))


def _grade_read(grade: Grade) -> GradeRead:
    return GradeRead(
        score=float(grade.score), level=grade.level, color=grade.color, label=grade.label
    )


@router.post(
    "/api/v1/risk-assessments/lec",
    response_model=GradeRead,
    summary="LEC 作业条件危险性计算（D = L×E×C）",
    responses=FIELD_ERRORS,
)
def calculate_lec(body: LecInput, actor: ApiActor, ctx: Ctx) -> GradeRead:
    """Return D = L × E × C and its level; nothing is stored."""
    return _grade_read(grade_lec(body.l, body.e, body.c, grading_config(ctx)))


@router.post(
    "/api/v1/risk-assessments/ls",
    response_model=GradeRead,
    summary="LS 风险矩阵计算（R = L×S）",
    responses=FIELD_ERRORS,
)
def calculate_ls(body: LsInput, actor: ApiActor, ctx: Ctx) -> GradeRead:
    """Return R = L × S and its level; nothing is stored."""
    return _grade_read(grade_ls(body.l, body.s, grading_config(ctx)))


@router.post(
    f"{POINTS}/{{point_id}}/assessments",
    response_model=AssessmentRead,
    status_code=201,
    summary="评价风险点（LEC 或 LS；历史保留，最新一次为当前等级）",
    responses=FIELD_ERRORS,
)
def create_assessment(
    point_id: int, body: AssessmentCreate, response: Response, actor: ApiActor, ctx: Ctx
) -> AssessmentRead:
    """Record an assessment of a risk point the actor may see and change."""
    with ctx.uow(actor) as uow:
        read = service.record_assessment(
            uow, point_id, body, config=grading_config(ctx), timezone=ctx.settings.timezone
        )
        uow.commit()
    response.headers["Location"] = f"{POINTS}/{point_id}/assessments"
    return read


@router.get(
    f"{POINTS}/{{point_id}}/assessments",
    response_model=list[AssessmentRead],
    summary="风险点评价历史（最新在前）",
)
def list_assessments(point_id: int, actor: ApiActor, session: ReadSession) -> list[AssessmentRead]:
    """List a visible risk point's assessments, newest first."""
    get_row(session, RISK_POINTS, actor, point_id)
    return queries.list_assessments(session, point_id)


@router.post(
    f"{POINTS}/{{point_id}}/control-measures",
    response_model=ControlMeasureRead,
    status_code=201,
    summary="登记风险点管控措施（公司/车间/班组/岗位）",
)
def create_control_measure(
    point_id: int, body: ControlMeasureCreate, actor: ApiActor, ctx: Ctx
) -> ControlMeasureRead:
    """Add a control measure to a risk point the actor may see and change."""
    with ctx.uow(actor) as uow:
        read = service.add_control_measure(uow, point_id, body)
        uow.commit()
    return read


@router.get(
    f"{POINTS}/{{point_id}}/control-measures",
    response_model=list[ControlMeasureRead],
    summary="风险点管控措施",
)
def list_control_measures(
    point_id: int, actor: ApiActor, session: ReadSession
) -> list[ControlMeasureRead]:
    """List a visible risk point's control measures."""
    get_row(session, RISK_POINTS, actor, point_id)
    return queries.list_measures(session, point_id)


routers = [router]
