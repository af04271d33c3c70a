"""Two dispatchers at once: a team is booked once, the last units are reserved once.

Each thread has its own unit of work (own connection); a barrier releases them together.
The team row lock (and the warehouse lock for reservations) makes the second wait and then
see the first's order. PostgreSQL is the case that matters; SQLite serializes writers.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from support.district import DISTRICT, POINT_A
from support.samples import rescue_team
from yingji.core.actor import Actor, system_actor
from yingji.core.errors import Conflict, ValidationFailed
from yingji.incidents.dispatch.schemas import OrderCreate
from yingji.incidents.dispatch.service import request_dispatch
from yingji.registry.service import create_record
from yingji.resources.supplies.registry import SUPPLIES, WAREHOUSES
from yingji.resources.supplies.schemas import MovementCreate, SupplyCreate, WarehouseCreate
from yingji.resources.supplies.service import record_movement
from yingji.resources.teams.registry import REGISTRIES as TEAM_REGISTRIES

ROUNDS = 8


def _duty(ids: dict[str, int]) -> Actor:
    return Actor(
        user_id=ids["user:duty"], username="duty", role="duty_officer", division_code=DISTRICT
    )


def _race(ctx: Any, actor: Actor, bodies: list[OrderCreate]) -> list[str]:
    barrier = threading.Barrier(len(bodies))
    out: list[str] = []
    lock = threading.Lock()

    def worker(body: OrderCreate) -> None:
        barrier.wait()
        try:
            with ctx.uow(actor) as uow:
                request_dispatch(uow, body)
                uow.commit()
            result = "ok"
        except (Conflict, ValidationFailed):
            result = "refused"
        except Exception as exc:  # a deadlock must fail visibly
            result = f"error: {exc!r}"
        with lock:
            out.append(result)

    threads = [threading.Thread(target=worker, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(out)


def test_a_team_is_booked_once(ctx, ids):
    spec = next(s for s in TEAM_REGISTRIES if s.name == "rescue-teams")
    actor = _duty(ids)
    for round_no in range(ROUNDS):
        with ctx.uow(system_actor("test")) as uow:
            team = create_record(
                uow, spec, spec.create_schema.model_validate(rescue_team(POINT_A, f"{round_no}"))
            )
            uow.commit()
        bodies = [
            OrderCreate(
                incident_id=n,
                resource_kind="team",
                team_id=team.id,
                longitude=POINT_A[0],
                latitude=POINT_A[1],
            )
            for n in (1, 2)
        ]
        assert _race(ctx, actor, bodies) == ["ok", "refused"], f"round {round_no}"


def test_last_units_are_reserved_once(ctx, ids):
    actor = _duty(ids)
    with ctx.uow(system_actor("test")) as uow:
        item = create_record(uow, SUPPLIES, SupplyCreate(code="1010301", name="棉被", unit="床"))
        warehouse = create_record(
            uow,
            WAREHOUSES,
            WarehouseCreate(
                name="甲库", level="township", longitude=POINT_A[0], latitude=POINT_A[1]
            ),
        )
        uow.commit()
    for round_no in range(ROUNDS):
        with ctx.uow(system_actor("test")) as uow:
            record_movement(
                uow,
                MovementCreate(
                    kind="receipt", warehouse_id=warehouse.id, item_id=item.id, quantity=Decimal(6)
                ),
            )
            uow.commit()
        bodies = [
            OrderCreate(
                incident_id=n,
                resource_kind="supply",
                warehouse_id=warehouse.id,
                item_id=item.id,
                quantity=Decimal(6),
                longitude=POINT_A[0],
                latitude=POINT_A[1],
            )
            for n in (1, 2)
        ]
        assert _race(ctx, actor, bodies) == ["ok", "refused"], f"round {round_no}"
