"""`yingji seed demo`: load the demo district (荣昌区) through the domain services.

Everything goes through the same services the API uses, as the system actor ``demo-seed``, in
one unit of work committed at the end, so every row has its audit entry and its event:

- divisions (``geo.service.upsert_division``) with demo boundaries (``demo.district``);
- departments (``accounts.service.ensure_department``);
- registry records (``registry.service.create_record``) for enterprises, rescue teams,
  equipment, social forces, warehouses, shelters and experts, the supply catalogue, and the
  warehouses' opening stock as ledger receipts (``supplies.service.record_movement``);
- one demo user per role (``accounts.service.create_user``) sharing ``DEMO_PASSWORD``.

Idempotent: a division is rewritten only when it differs from the plan; a record is skipped
when one with the same natural key exists (name in its registry; 统一社会信用代码 for
enterprises; registration number for social forces; name and owner for equipment; username
for users); each receipt carries the reference ``DEMO-{warehouse id}-{supply code}-{batch}``
that the ledger replays instead of booking twice. Running it again changes nothing.

Refused outside demo mode (``YINGJI_DEMO=true``): the data and the shared password are fake.

The steps live beside it: ``demo.people`` (departments, users), ``demo.registries`` (the
registry records and stock), ``demo.state`` (what the steps share), ``demo.district`` (the
divisions and their demo boundaries).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from yingji.accounts.models import User
from yingji.accounts.rules import ROLE_LABELS, Role
from yingji.core.actor import system_actor
from yingji.core.clock import Clock, SystemClock
from yingji.core.db import make_engine, make_session_factory
from yingji.core.errors import DomainError
from yingji.core.events import EventRegistry
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.demo.district import BOUNDARY_SOURCE, PlannedDivision, plan_divisions
from yingji.demo.fixtures import DemoFixtures, load_fixtures
from yingji.demo.major_hazards import seed_major_hazards
from yingji.demo.people import (
    DEMO_ENTERPRISE,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DemoUser,
    seed_departments,
    seed_users,
)
from yingji.demo.registries import (
    seed_catalogue,
    seed_enterprises,
    seed_equipment,
    seed_experts,
    seed_shelters,
    seed_social_forces,
    seed_stock,
    seed_teams,
    seed_warehouses,
)
from yingji.demo.risks import seed_risk_points
from yingji.demo.state import SeedState
from yingji.geo.models import Division
from yingji.geo.queries import division_names, find_division
from yingji.geo.rules import division_level
from yingji.geo.schemas import DivisionWrite
from yingji.geo.service import upsert_division
from yingji.settings import Settings

SEED_ACTOR = "demo-seed"
__all__ = ["DEMO_ENTERPRISE", "DEMO_PASSWORD", "DemoSeedRefused", "seed_demo"]


class DemoSeedRefused(DomainError):
    """The demo seed cannot run here: not in demo mode, or another district is configured."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            detail=detail, status=409, code="demo_seed_refused", title="不能加载演示数据"
        )


def seed_demo(
    settings: Settings, *, with_users: bool = True, context: AppContext | None = None
) -> list[str]:
    """Load the demo district into the database of ``settings``; return the lines to print.

    With ``context`` (the CLI passes the composed application context) the seed's events are
    relayed to their handlers once it has committed; without one, they wait in the outbox for
    the application's relay.
    """
    if not settings.demo:
        raise DemoSeedRefused(
            "yingji seed demo 只能在演示模式下运行（设置 YINGJI_DEMO=true）：演示数据和演示"
            "密码都是虚构的，不能进入正式库。"
        )
    fixtures = load_fixtures()
    if settings.district_code != str(fixtures.district["code"]):
        raise DemoSeedRefused(
            f"演示区县为 {fixtures.district['code']}，但 YINGJI_DISTRICT_CODE 为 "
            f"{settings.district_code}"
        )
    plan = plan_divisions(fixtures)
    if context is not None:
        with_context = _Target(
            context.session_factory, context.clock, context.events, context.relay_count
        )
        return _run(settings, fixtures, plan, with_context, with_users=with_users)
    engine = make_engine(settings.database_url)
    try:
        alone = _Target(
            make_session_factory(engine, settings), SystemClock(), EventRegistry(), None
        )
        return _run(settings, fixtures, plan, alone, with_users=with_users)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class _Target:
    """Where the seed writes: sessions, clock, event types, and the relay to run afterwards."""

    session_factory: sessionmaker[Session]
    clock: Clock
    events: EventRegistry
    relay: Callable[[], int] | None


# Later domains add their demo data in their own module exposing ``seed(state)``; each runs
# after the users exist, must be idempotent, and must cope with ``with_users=False``.
def _demo_steps() -> list[Callable[[SeedState], None]]:
    from yingji.demo import (
        duty,
        hazards,
        incidents,
        inspections,
        monitoring,
        patrols,
        plans,
        population,
        warnings,
    )

    return [
        duty.seed,
        hazards.seed,
        inspections.seed,
        patrols.seed,
        monitoring.seed,
        population.seed,
        warnings.seed,
        plans.seed,
        incidents.seed,
    ]


def _run(
    settings: Settings,
    fixtures: DemoFixtures,
    plan: Sequence[PlannedDivision],
    target: _Target,
    *,
    with_users: bool,
) -> list[str]:
    actor = system_actor(SEED_ACTOR)
    uow = UnitOfWork(
        target.session_factory,
        actor,
        clock=target.clock,
        registry=target.events,
        settings=settings,
    )
    with uow:
        state = SeedState(uow=uow, fixtures=fixtures, district_code=settings.district_code)
        _seed_divisions(state, plan)
        seed_departments(state)
        seed_enterprises(state)
        seed_teams(state)
        seed_equipment(state)
        seed_social_forces(state)
        seed_catalogue(state)
        seed_warehouses(state)
        seed_stock(state)
        seed_shelters(state)
        seed_experts(state)
        seed_major_hazards(state)
        seed_risk_points(state)
        users = seed_users(state) if with_users else []
        for step in _demo_steps():
            step(state)
        lines = _report(state, plan, users, with_users)
        uow.commit()
    if target.relay is not None:
        # Hand the seed's events to their handlers now; the relay works a batch at a time
        # and reports how many it finished, so stop when a pass finishes none.
        while target.relay():
            pass
    return lines


# ---------------------------------------------------------------------------- divisions


def _seed_divisions(state: SeedState, plan: Sequence[PlannedDivision]) -> None:
    tally = state.tally("divisions 行政区划")
    session = state.uow.session
    for planned in plan:
        data = DivisionWrite(
            code=planned.code,
            name=planned.name,
            population=planned.population,
            households=planned.households,
            boundary=planned.boundary,
            boundary_source=BOUNDARY_SOURCE,
            longitude=planned.longitude,
            latitude=planned.latitude,
        )
        current = find_division(session, planned.code)
        if current is None:
            upsert_division(state.uow, data)
            tally.created += 1
        elif _unchanged(current, data):
            tally.existing += 1
        else:
            upsert_division(state.uow, data)
            tally.updated += 1


def _unchanged(current: Division, data: DivisionWrite) -> bool:
    # Rewriting an unchanged division would still audit it and bump updated_at, which
    # invalidates every process's point-in-division index: compare first.
    return (
        current.name,
        current.population,
        current.households,
        current.boundary,
        current.boundary_source,
        current.center_longitude,
        current.center_latitude,
    ) == (
        data.name,
        data.population,
        data.households,
        data.boundary,
        data.boundary_source,
        data.longitude,
        data.latitude,
    )


# ---------------------------------------------------------------------------- report


def _report(
    state: SeedState,
    plan: Sequence[PlannedDivision],
    users: list[tuple[DemoUser, User]],
    with_users: bool,
) -> list[str]:
    levels: dict[str, int] = {}
    for planned in plan:
        level = division_level(planned.code).value
        levels[level] = levels.get(level, 0) + 1
    district = plan[0]
    lines = [
        f"demo district {district.name} ({district.code}), population {district.population:,}: "
        f"{levels.get('township', 0)} 镇街, {levels.get('village', 0)} 村社, "
        f"{levels.get('grid', 0)} 网格 (boundaries are demo geometry)",
        *(t.line() for t in state.tallies),
    ]
    if not with_users:
        lines.append("demo users: skipped (--no-users)")
        return lines
    scopes = _scope_names(state, users)
    lines.append("")
    lines.append(f"demo users (password for all: {DEMO_PASSWORD})")
    lines.append(f"  {'username':<16} {'role':<20} scope")
    for demo, user in users:
        role = Role(user.role)
        lines.append(
            f"  {user.username:<16} {role.value:<20} {ROLE_LABELS[role]} · {scopes[demo.username]}"
        )
    lines.append(
        f"second factor for {', '.join(sorted(state.uow.settings.totp_required_roles))}: "
        f"TOTP secret {DEMO_TOTP_SECRET} (or `yingji user totp-code admin` prints the code)"
    )
    lines.append("demo mode only: change or remove these accounts before any real use.")
    return lines


def _scope_names(state: SeedState, users: list[tuple[DemoUser, User]]) -> dict[str, str]:
    codes = [u.division_code for _, u in users if u.division_code]
    names = division_names(state.uow.session, codes)
    enterprises = {v: k for k, v in state.enterprises.items()}
    out: dict[str, str] = {}
    for demo, user in users:
        if user.enterprise_id is not None:
            out[demo.username] = f"企业 {enterprises.get(user.enterprise_id, user.enterprise_id)}"
        elif user.division_code:
            out[demo.username] = f"{names.get(user.division_code, '')} {user.division_code}"
        else:
            out[demo.username] = f"全区 {state.district_code}"
    return out
