"""The demo hazards step: every state, an overdue supervised_listing major hazard, idempotent."""

from __future__ import annotations

from sqlalchemy import select

from yingji.accounts.service import ensure_department
from yingji.core.actor import system_actor
from yingji.core.clock import local_today
from yingji.demo import hazards as demo_hazards
from yingji.demo.fixtures import load_fixtures
from yingji.demo.people import DEMO_ENTERPRISE, ECONOMY
from yingji.demo.state import SeedState
from yingji.risks.hazards.models import Hazard
from yingji.risks.hazards.queries import hazard_read


def _seed(ctx, ids) -> SeedState:
    fixtures = load_fixtures()
    chemicals = next(
        row["name"] for row in fixtures.section("enterprises") if row.get("hazardous_chemicals")
    )
    with ctx.uow(system_actor("demo-seed")) as uow:
        dept = ensure_department(uow, ECONOMY, "500153")
        state = SeedState(
            uow=uow,
            fixtures=fixtures,
            district_code="500153",
            departments={ECONOMY: dept.id},
            enterprises={DEMO_ENTERPRISE: ids["enterprise:A"], chemicals: ids["enterprise:B"]},
        )
        demo_hazards.seed(state)
        uow.commit()
    return state


def test_demo_hazards_cover_the_loop_and_are_idempotent(ctx, ids):
    first = _seed(ctx, ids)
    assert first.tallies[0].created == 6
    with ctx.session_factory() as session:
        rows = list(session.scalars(select(Hazard)))
        today = local_today(ctx.settings.timezone, ctx.clock.now())
        reads = [hazard_read(h, today) for h in rows]
    assert {r.state for r in reads} == {
        "reported",
        "rejected",
        "rectifying",
        "submitted",
        "closed",
    }
    overdue_major = [r for r in reads if r.level == "major" and r.overdue and r.supervised_listing]
    assert len(overdue_major) == 1
    again = _seed(ctx, ids)
    assert again.tallies[0].created == 0
    assert again.tallies[0].existing == 6
    with ctx.session_factory() as session:
        assert len(list(session.scalars(select(Hazard.id)))) == 6
