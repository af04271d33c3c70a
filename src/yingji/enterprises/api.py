"""Enterprise endpoints beyond the registry kit: expiring licences and the industry list.

The registry kit serves /api/v1/enterprises itself (list, detail, create, update, retire,
Excel, GeoJSON); this router adds what reminders and forms need.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yingji.core.clock import local_today
from yingji.core.pagination import Page, PageParams
from yingji.enterprises.industries import load_industries, load_sections
from yingji.enterprises.queries import page_expiring_licences
from yingji.enterprises.registry import ENTERPRISES
from yingji.enterprises.schemas import ExpiringLicence, IndustryRead
from yingji.registry.queries import check_readable
from yingji.web.deps import ApiActor, Ctx, ReadSession

router = APIRouter(tags=[ENTERPRISES.title])


@router.get(
    "/api/v1/enterprises/licences/expiring",
    response_model=Page[ExpiringLicence],
    summary="即将到期或已过期的企业证照（按到期日排序）",
    name="enterprises:licences_expiring",
)
def expiring_licences(
    actor: ApiActor,
    ctx: Ctx,
    session: ReadSession,
    within_days: Annotated[
        int | None,
        Query(ge=0, le=3650, description="days ahead; default YINGJI_LICENCE_EXPIRY_WARN_DAYS"),
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Page[ExpiringLicence]:
    """List the visible enterprises' licences expired or expiring within ``within_days``."""
    check_readable(ENTERPRISES, actor)
    settings = ctx.settings
    days = settings.licence_expiry_warn_days if within_days is None else within_days
    return page_expiring_licences(
        session,
        actor,
        PageParams(page=page, size=size),
        today=local_today(settings.timezone),
        within_days=days,
    )


@router.get(
    "/api/v1/industries",
    response_model=list[IndustryRead],
    summary="国民经济行业分类（GB/T 4754-2017）大类列表",
    name="industries:list",
)
def industries(actor: ApiActor) -> list[IndustryRead]:
    """List the GB/T 4754-2017 大类 for form choices."""
    sections = load_sections()
    return [
        IndustryRead(
            code=item.code,
            name=item.name,
            section=item.section,
            section_name=sections[item.section],
        )
        for item in load_industries().values()
    ]


routers = [router]
