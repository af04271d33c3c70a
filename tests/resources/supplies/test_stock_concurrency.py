"""Concurrent movements on one warehouse: the last units are issued once, never twice.

Two threads, each with its own unit of work (its own connection), are released together by a
barrier and both try to issue everything on hand. Without the warehouse row lock both would
read the same balance and stock would go negative; with it exactly one succeeds. PostgreSQL
is the case that matters (row locks, READ COMMITTED); on SQLite BEGIN IMMEDIATE serializes the
two transactions, and the same scenario shows it.
"""

from __future__ import annotations

import threading
import traceback
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from support.district import DISTRICT, POINT_A, POINT_B
from yingji.core.actor import Actor, system_actor
from yingji.core.errors import ValidationFailed
from yingji.core.web.context import AppContext
from yingji.registry.service import create_record
from yingji.resources.supplies.ledger import item_on_hand
from yingji.resources.supplies.models import StockMovement
from yingji.resources.supplies.registry import SUPPLIES, WAREHOUSES
from yingji.resources.supplies.rules import MovementKind
from yingji.resources.supplies.schemas import MovementCreate, SupplyCreate, WarehouseCreate
from yingji.resources.supplies.service import record_movement

ROUNDS = 20
LAST_UNITS = Decimal(7)


def _setup(ctx: AppContext) -> tuple[int, int, int]:
    with ctx.uow(system_actor("test")) as uow:
        item = create_record(uow, SUPPLIES, SupplyCreate(code="1010301", name="棉被", unit="床"))
        a, b = (
            create_record(
                uow,
                WAREHOUSES,
                WarehouseCreate(name=name, level="township", longitude=p[0], latitude=p[1]),
            )
            for name, p in (("甲库", POINT_A), ("乙库", POINT_B))
        )
        uow.commit()
    return int(item.id), int(a.id), int(b.id)


def _bureau(ids: dict[str, int]) -> Actor:
    return Actor(
        user_id=ids["user:bureau"], username="bureau", role="bureau_staff", division_code=DISTRICT
    )


def _record(ctx: AppContext, actor: Actor, **body: Any) -> None:
    with ctx.uow(actor) as uow:
        record_movement(uow, MovementCreate(**body))
        uow.commit()


def _together(ctx: AppContext, actor: Actor, bodies: list[dict[str, Any]]) -> list[str]:
    """Run one movement per thread, released at the same instant; return each outcome."""
    barrier = threading.Barrier(len(bodies))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(body: dict[str, Any]) -> None:
        barrier.wait()
        try:
            _record(ctx, actor, **body)
            outcome = "ok"
        except ValidationFailed as exc:
            outcome = exc.errors[0].field
        except Exception as exc:  # a deadlock or a lock timeout must fail the test, visibly
            traceback.print_exc()
            outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a movement hung"
    return sorted(outcomes)


def _race_for_last_units(ctx: AppContext, ids: dict[str, int]) -> None:
    item, a, _ = _setup(ctx)
    actor = _bureau(ids)
    issue = {"kind": MovementKind.ISSUE, "warehouse_id": a, "item_id": item, "quantity": LAST_UNITS}
    for round_no in range(ROUNDS):
        _record(
            ctx, actor, kind=MovementKind.RECEIPT, warehouse_id=a, item_id=item, quantity=LAST_UNITS
        )
        outcomes = _together(ctx, actor, [issue, issue])
        assert outcomes == ["ok", "quantity"], f"round {round_no}: {outcomes}"
        with ctx.session_factory() as session:
            assert item_on_hand(session, a, item) == 0, f"round {round_no}"
    with ctx.session_factory() as session:
        issues = session.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.kind == "issue")
        )
        assert issues == ROUNDS
        # No prefix of the ledger ever dips below zero.
        running = Decimal(0)
        for delta in session.scalars(
            select(StockMovement.quantity_delta).order_by(StockMovement.id)
        ):
            running += Decimal(str(delta))
            assert running >= 0


def test_concurrent_issues_of_last_units_on_postgresql(ctx, engine_name, ids):
    if engine_name == "sqlite":
        pytest.skip("row locks are a PostgreSQL concern; SQLite is covered below")
    _race_for_last_units(ctx, ids)


def test_concurrent_issues_of_last_units_serialize_on_sqlite(ctx, engine_name, ids):
    if engine_name != "sqlite":
        pytest.skip("the PostgreSQL case is the test above")
    _race_for_last_units(ctx, ids)


def test_opposite_transfers_do_not_deadlock(ctx, engine_name, ids):
    # Each transfer locks both warehouses; taking the locks in id order means two transfers in
    # opposite directions queue instead of deadlocking.
    item, a, b = _setup(ctx)
    actor = _bureau(ids)
    for warehouse in (a, b):
        _record(
            ctx,
            actor,
            kind=MovementKind.RECEIPT,
            warehouse_id=warehouse,
            item_id=item,
            quantity=Decimal(100),
        )
    transfer = {"kind": MovementKind.TRANSFER, "item_id": item, "quantity": Decimal(1)}
    for _ in range(10):
        outcomes = _together(
            ctx,
            actor,
            [
                {**transfer, "warehouse_id": a, "to_warehouse_id": b},
                {**transfer, "warehouse_id": b, "to_warehouse_id": a},
            ],
        )
        assert outcomes == ["ok", "ok"]
    with ctx.session_factory() as session:
        assert item_on_hand(session, a, item) == 100
        assert item_on_hand(session, b, item) == 100
