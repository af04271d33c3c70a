"""Major hazard endpoints beyond the registry kit: the GB 18218-2018 calculator.

The registry kit serves /api/v1/major-hazards itself (list with ``?enterprise_id=`` for the
enterprise profile, detail, create, update, retire, Excel, GeoJSON).
"""

from __future__ import annotations

from fastapi import APIRouter

from yingji.risks.major_hazards.registry import MAJOR_HAZARDS, item_reads
from yingji.risks.major_hazards.rules import GRADE_LABELS, SubstanceLine, assess, display
from yingji.risks.major_hazards.schemas import AssessRequest, AssessResponse
from yingji.risks.major_hazards.tables import load_tables
from yingji.web.deps import ApiActor

router = APIRouter(tags=[MAJOR_HAZARDS.title])


@router.post(
    "/api/v1/major-hazards/assess",
    response_model=AssessResponse,
    summary="危险化学品重大危险源辨识与分级（GB 18218-2018）",
    name="major-hazards:assess",
)
def assess_unit(body: AssessRequest, actor: ApiActor) -> AssessResponse:
    """Identify a production or storage unit (S ≥ 1) and grade it by R; nothing is stored."""
    lines = [
        SubstanceLine(quantity_t=s.quantity_t, name=s.name, cas=s.cas, category=s.category)
        for s in body.substances
    ]
    result = assess(body.unit_kind.value, lines, body.exposed_population, load_tables())
    return AssessResponse(
        unit_kind=body.unit_kind,
        items=item_reads(result),
        sum_ratio=display(result.sum_ratio),
        is_major_hazard=result.is_major_hazard,
        alpha=display(result.alpha),
        r_value=display(result.r_value) if result.r_value is not None else None,
        grade=result.grade,
        grade_label=GRADE_LABELS[str(result.grade)] if result.grade else None,
        table_version=result.table_version,
    )


routers = [router]
