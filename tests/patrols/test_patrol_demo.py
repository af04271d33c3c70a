"""The demo step for patrols and public reports: creates its records once, then finds them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from support.district import PASSWORD
from yingji.accounts.rules import Role
from yingji.accounts.schemas import UserCreate
from yingji.accounts.service import create_user
from yingji.core.actor import system_actor
from yingji.demo.fixtures import load_fixtures
from yingji.demo.patrols import seed
from yingji.demo.state import SeedState
from yingji.patrols.models import GridReport, Patrol, PatrolCheck, PublicReport


def _run(ctx: Any) -> list[str]:
    with ctx.uow(system_actor("demo-seed")) as uow:
        state = SeedState(uow=uow, fixtures=load_fixtures(), district_code="500153")
        seed(state)
        uow.commit()
    return [t.line() for t in state.tallies]


def test_demo_step_is_idempotent(ctx: Any) -> None:
    with ctx.uow(system_actor("test")) as uow:
        create_user(
            uow,
            UserCreate(
                username="grid_yuping",
                display_name="网格员",
                password=PASSWORD,
                role=Role.GRID_MEMBER,
                division_code="500153001001",
            ),
            district_code="500153",
        )
        uow.commit()
    first = _run(ctx)
    assert any("new 1" in line and "网格巡查" in line for line in first)
    assert any("new 3" in line and "举报" in line for line in first), first
    with ctx.session_factory() as s:
        patrol = s.scalar(select(Patrol))
        assert patrol is not None
        assert patrol.state == "finished"
        assert patrol.point_count == 10
        assert s.scalar(select(func.count(PatrolCheck.id))) == 2
        assert s.scalar(select(func.count(GridReport.id))) == 1
        replied = s.scalar(select(PublicReport).where(PublicReport.state == "replied"))
        assert replied is not None
        assert replied.reward_state == "granted"
    again = _run(ctx)
    assert all("new 0" in line for line in again)
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count(PublicReport.id))) == 3
        assert s.scalar(select(func.count(Patrol.id))) == 1
