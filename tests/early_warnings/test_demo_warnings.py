"""The demo warnings step: one published, one awaiting approval, one imported; idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from yingji.core.actor import system_actor
from yingji.demo.fixtures import load_fixtures
from yingji.demo.state import SeedState
from yingji.demo.warnings import seed
from yingji.early_warnings.caprules import validate_cap
from yingji.early_warnings.models import Warning, WarningMessage
from yingji.early_warnings.rules import CapProfile


def _run(ctx: Any) -> list[str]:
    with ctx.uow(system_actor("demo-seed")) as uow:
        state = SeedState(uow=uow, fixtures=load_fixtures(), district_code="500153")
        seed(state)
        uow.commit()
    return [t.line() for t in state.tallies]


def test_demo_warnings_seed_twice(ctx) -> None:
    _run(ctx)
    second = _run(ctx)
    assert "new 0, existing 3" in second[0]
    with ctx.session_factory() as session:
        states = sorted((w.origin, w.state) for w in session.scalars(select(Warning)))
        messages = list(session.scalars(select(WarningMessage)))
    assert states == [("imported", "published"), ("local", "published"), ("local", "submitted")]
    for message in messages:
        report = validate_cap(message.xml.encode(), profile=CapProfile(), strict_cn=True)
        assert report.errors == [], report.errors
