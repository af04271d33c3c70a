"""The duty demo step: rosters two weeks without conflicts and is idempotent."""

from __future__ import annotations

from typing import Any

from yingji.core.actor import system_actor
from yingji.demo.duty import DAYS
from yingji.demo.duty import seed as seed_duty
from yingji.demo.fixtures import load_fixtures
from yingji.demo.state import SeedState
from yingji.duty.queries import duty_chain


def _run(ctx: Any) -> SeedState:
    with ctx.uow(system_actor("seed")) as uow:
        state = SeedState(uow=uow, fixtures=load_fixtures(), district_code="500153")
        seed_duty(state)
        uow.commit()
    return state


def test_demo_roster_is_idempotent(ctx: Any, clock: Any, ids: dict[str, int]) -> None:
    ctx.clock = clock
    first = _run(ctx)
    assert [t.created for t in first.tallies] == [DAYS + 1, 3]
    again = _run(ctx)
    assert [(t.created, t.existing) for t in again.tallies] == [(0, DAYS + 1), (0, 3)]
    with ctx.session_factory() as session:
        chain = duty_chain(session, clock.now())
    assert [p.user_id for p in chain] == [ids["user:duty"], ids["user:bureau"], ids["user:admin"]]
