"""Demo patrols and public reports: one finished patrol of the demo grid member (track,
checks, an event report) and three public reports in two townships, one of them verified,
answered and rewarded — so the coverage view, the report list and the tracking page show
something. Idempotent: found by the member's patrols and by report titles.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from yingji.accounts.models import User
from yingji.accounts.queries import actor_for
from yingji.demo.state import SeedState
from yingji.geo.geometry import to_shape
from yingji.geo.models import Division
from yingji.patrols import service
from yingji.patrols.models import Patrol, PublicReport
from yingji.patrols.rules import CheckResult, GridReportType, ReportAction
from yingji.patrols.schemas import (
    CheckCreate,
    GridReportCreate,
    PatrolFinish,
    PatrolStart,
    PublicReportCreate,
    ReportDecision,
    ReportReply,
    RewardGrant,
    TrackBatch,
    TrackPointIn,
)

GRID_MEMBER = "grid_yuping"
# (village code, kind, title, description) of the demo public reports.
PUBLIC_REPORTS = (
    ("500153001001", "fire", "小区地下车库堆放大量纸箱", "车库消防通道被纸箱堵塞，已有多日。"),
    ("500153001002", "electrical", "临街商铺私拉电线给电动车充电", "夜间在人行道充电。"),
    ("500153002001", "hazmat", "居民楼内疑似存放液化气钢瓶", "一楼门面存放多个钢瓶。"),
)


def _centre(state: SeedState, code: str) -> tuple[float, float] | None:
    division = state.uow.session.scalar(select(Division).where(Division.code == code))
    if division is None:
        return None
    if division.center_longitude is not None and division.center_latitude is not None:
        return float(division.center_longitude), float(division.center_latitude)
    if division.boundary:
        # A point surely inside the boundary (a centroid may fall outside a concave one).
        inside = to_shape(division.boundary).representative_point()
        return float(inside.x), float(inside.y)
    return None


def _seed_patrol(state: SeedState) -> None:
    tally = state.tally("patrols 网格巡查")
    uow = state.uow
    user = uow.session.scalar(select(User).where(User.username == GRID_MEMBER))
    if user is None or user.division_code is None:
        return  # seeded without users
    if uow.session.scalar(select(Patrol.id).where(Patrol.patroller_id == user.id)) is not None:
        tally.existing += 1
        return
    centre = _centre(state, user.division_code) or _centre(state, user.division_code[:12])
    seed_actor = uow.actor
    # The patrol is the member's own: act as them for these writes (same transaction).
    uow.actor = actor_for(user, state.district_code)
    try:
        patrol = service.start_patrol(uow, PatrolStart())
        if centre is not None:
            lon, lat = centre
            now = uow.clock.now()
            points = [
                TrackPointIn(
                    recorded_at=now - timedelta(minutes=40 - 4 * i),
                    longitude=lon + 0.0008 * (i % 5),
                    latitude=lat + 0.0006 * i,
                    accuracy_m=10,
                )
                for i in range(10)
            ]
            service.upload_track(uow, patrol.id, TrackBatch(points=points))
        service.record_check(uow, patrol.id, CheckCreate(item="社区消防通道"))
        service.record_check(
            uow,
            patrol.id,
            CheckCreate(item="沿街配电箱", result=CheckResult.ANOMALY, note="箱门损坏未关闭"),
        )
        service.report_from_grid(
            uow,
            GridReportCreate(
                report_type=GridReportType.EVENT,
                category="flood",
                title="路口低洼处积水",
                description="积水约 20 厘米，已设置警示",
                longitude=centre[0] if centre else None,
                latitude=centre[1] if centre else None,
                patrol_id=patrol.id,
            ),
        )
        service.finish_patrol(uow, patrol.id, PatrolFinish(summary="例行巡查，发现一处异常"))
    finally:
        uow.actor = seed_actor
    tally.created += 1


def _seed_public_reports(state: SeedState) -> None:
    tally = state.tally("public reports 举报")
    uow = state.uow
    for index, (code, kind, title, description) in enumerate(PUBLIC_REPORTS):
        if uow.session.scalar(select(PublicReport.id).where(PublicReport.title == title)):
            tally.existing += 1
            continue
        centre = _centre(state, code)
        if centre is None:
            continue
        receipt = service.receive_public_report(
            uow,
            PublicReportCreate(
                kind=kind,
                title=title,
                description=description,
                longitude=centre[0],
                latitude=centre[1],
            ),
            client_hash=f"demo-seed-{index}",
        )
        tally.created += 1
        if index == 0:
            service.decide_public_report(
                uow, receipt.id, ReportAction.VERIFY, ReportDecision(note="现场核实属实")
            )
            service.reply_public_report(
                uow, receipt.id, ReportReply(reply="经核查属实，已责令物业清理并复查。")
            )
            service.grant_reward(uow, receipt.id, RewardGrant(amount=Decimal("500")))


def seed(state: SeedState) -> None:
    """Add the demo patrol and public reports (skipping what is already there)."""
    _seed_patrol(state)
    _seed_public_reports(state)
