"""The demo district's law enforcement: this year's plan for the demo enterprises, one 双随机
draw with a published seed, and a few cases carried to their documents (现场检查记录,
责令限期整改指令书, 整改复查意见书, 行政处罚决定书).

Idempotent: the plan, the draw (found by its seed) and each case step are made only once.
Without demo users (``with_users=False``) only the plan is made: a draw needs officers.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from yingji.accounts.models import User
from yingji.core.clock import local_today
from yingji.demo.people import DEMO_ENTERPRISE
from yingji.demo.state import SeedState, Tally
from yingji.inspections import queries, service
from yingji.inspections.models import InspectionCase, RandomDraw
from yingji.inspections.rules import DEFAULT_CONFIG, CaseState
from yingji.inspections.schemas import (
    CaseCreate,
    DrawCreate,
    FindingCreate,
    OrderInput,
    PenaltyInput,
    PlanCreate,
    RecordInput,
    ReinspectionInput,
)

DEMO_SEED = "rongchang-demo-draw-01"
# The demo's officers: the inspector and the bureau's staff member (both in 应急局).
OFFICERS = ("inspector", "bureau")


def _officers(state: SeedState) -> list[int]:
    rows = state.uow.session.scalars(select(User.id).where(User.username.in_(OFFICERS)))
    return sorted(rows)


def seed(state: SeedState) -> None:
    """Create the plan, the draw and the demo cases unless they exist."""
    uow = state.uow
    year = local_today(DEFAULT_CONFIG.timezone, uow.clock.now()).year
    plans = state.tally("inspection plan 年度执法计划")
    if queries.find_plan(uow.session, year) is None:
        service.generate_plan(uow, PlanCreate(year=year))
        plans.created += 1
    else:
        plans.existing += 1
    officers = _officers(state)
    if len(officers) < 2:
        return
    draws = state.tally("random draws 双随机抽取")
    draw_id = uow.session.scalar(select(RandomDraw.id).where(RandomDraw.seed == DEMO_SEED))
    if draw_id is None:
        draw_id = service.make_draw(
            uow,
            DrawCreate(year=year, count=3, seed=DEMO_SEED, inspector_ids=officers),
            district_code=state.district_code,
        )
        draws.created += 1
    else:
        draws.existing += 1
    drawn = list(
        uow.session.scalars(
            select(InspectionCase)
            .where(InspectionCase.draw_id == draw_id)
            .order_by(InspectionCase.id)
        )
    )
    cases = state.tally("inspection cases 执法检查案件")
    if drawn:
        _ordered_case(state, drawn[0].id, cases)
    if len(drawn) > 1:
        _clean_case(state, drawn[1].id, cases)
    _penalty_case(state, officers, cases)


def _ordered_case(state: SeedState, case_id: int, tally: Tally) -> None:
    """A drawn case with a finding in the hazard loop and a rectification order."""
    uow = state.uow
    row = uow.session.get(InspectionCase, case_id)
    if row is None or row.state != CaseState.PLANNED.value:
        _count(tally, created=False)
        return
    service.add_finding(
        uow,
        case_id,
        FindingCreate(
            description="危险化学品仓库未按规定设置可燃气体检测报警装置",
            checklist_item="HC03",
            hazard_kind="hazmat",
            legal_basis="安监总管三〔2017〕121号 第12项",
        ),
    )
    service.record_inspection(uow, case_id, RecordInput(place="仓储区", summary="按清单逐项检查"))
    deadline = local_today(DEFAULT_CONFIG.timezone, uow.clock.now()) + timedelta(days=15)
    service.order_rectification(uow, case_id, OrderInput(deadline=deadline))
    _count(tally, created=True)


def _clean_case(state: SeedState, case_id: int, tally: Tally) -> None:
    """A drawn case where nothing was found: recorded and closed."""
    uow = state.uow
    row = uow.session.get(InspectionCase, case_id)
    if row is None or row.state != CaseState.PLANNED.value:
        _count(tally, created=False)
        return
    service.record_inspection(uow, case_id, RecordInput(summary="未发现问题"))
    service.close_case(uow, case_id)
    _count(tally, created=True)


def _penalty_case(state: SeedState, officers: list[int], tally: Tally) -> None:
    """A key inspection of the demo enterprise that was not rectified and was fined."""
    uow = state.uow
    enterprise_id = state.enterprises.get(DEMO_ENTERPRISE)
    if enterprise_id is None:
        return
    found = uow.session.scalar(
        select(InspectionCase.id).where(
            InspectionCase.enterprise_id == enterprise_id, InspectionCase.mode == "key"
        )
    )
    if found is not None:
        _count(tally, created=False)
        return
    case_id = service.open_case(
        uow, CaseCreate(enterprise_id=enterprise_id, inspector_ids=officers, mode="key")
    )
    finding_id = service.add_finding(
        uow,
        case_id,
        FindingCreate(
            description="窑炉区域特种作业人员未持证上岗",
            hazard_kind="management",
            legal_basis="《中华人民共和国安全生产法》第三十条",
            as_hazard=False,
        ),
    )
    service.record_inspection(uow, case_id, RecordInput(place="窑炉车间"))
    today = local_today(DEFAULT_CONFIG.timezone, uow.clock.now())
    service.order_rectification(uow, case_id, OrderInput(deadline=today))
    service.reinspect(
        uow, case_id, ReinspectionInput(unrectified_finding_ids=[finding_id], opinion="逾期未整改")
    )
    service.decide_penalty(
        uow,
        case_id,
        PenaltyInput(
            fine_yuan=Decimal("20000"),
            basis="《中华人民共和国安全生产法》第九十七条",
            facts="特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业",
        ),
    )
    _count(tally, created=True)


def _count(tally: Tally, *, created: bool) -> None:
    if created:
        tally.created += 1
    else:
        tally.existing += 1
