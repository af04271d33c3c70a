"""Supply writes: stock movements into the append-only ledger, reserve minimums, catalogue load.

Every movement runs the same steps: check the actor may move stock at the warehouse, lock
the warehouse row(s), replay an earlier request with the same reference, read the batch's
on-hand quantity *after* the lock, let ``rules.signed_deltas`` accept or refuse it, write the
ledger line(s), audit each line and announce ``StockMoved`` (and ``StockBelowMinimum`` when
the movement takes an item under its reserve minimum). Ledger lines are never updated or
deleted; a mistake is corrected by an adjustment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.accounts.schemas import require_role
from yingji.core.clock import attach_local, local_today
from yingji.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.geo.models import Site
from yingji.registry.queries import get_row
from yingji.registry.service import create_record
from yingji.resources.supplies.catalogue import load_catalogue
from yingji.resources.supplies.events import StockBelowMinimum, StockMoved
from yingji.resources.supplies.ledger import (
    batch_expiry,
    batch_on_hand,
    batches_on_hand,
    find_minimum,
    item_on_hand,
    lock_warehouses,
    reserved_quantity,
)
from yingji.resources.supplies.models import (
    StockLevel,
    StockMovement,
    StockReservation,
    SupplyItem,
    Warehouse,
)
from yingji.resources.supplies.queries import stock_level, to_movement_reads
from yingji.resources.supplies.registry import SUPPLIES, WAREHOUSES
from yingji.resources.supplies.rules import (
    SUPPLY_LEAF_LEVEL,
    LedgerDelta,
    MovementKind,
    StockRuleError,
    below_minimum,
    movement_number,
    signed_deltas,
    tidy_quantity,
)
from yingji.resources.supplies.schemas import (
    MovementCreate,
    MovementRead,
    StockLevelRead,
    StockLevelSet,
    SupplyCreate,
)

# rules.signed_deltas names its inputs; the API names them a little differently.
_API_FIELD = {"to_warehouse": "to_warehouse_id", "on_hand": "quantity"}
# A clock a few minutes ahead on a handset is not a future movement.
_CLOCK_SKEW = timedelta(minutes=5)


def _require_mover(uow: UnitOfWork) -> None:
    actor = uow.actor
    if actor.is_system:
        return
    require_role(actor, WAREHOUSES.writer_roles, "无权登记物资出入库")


def _own_warehouse(uow: UnitOfWork, warehouse_id: int, field: str) -> tuple[Warehouse, Site]:
    # Scoped: another township's warehouse reads exactly like a missing one.
    try:
        warehouse, site = get_row(uow.session, WAREHOUSES, uow.actor, warehouse_id)
    except NotFound:
        raise ValidationFailed(
            [FieldError(field, f"物资储备库 {warehouse_id} 不存在或不在您的管辖范围内")]
        ) from None
    assert site is not None  # warehouses are sited
    return warehouse, site


def _any_warehouse(uow: UnitOfWork, warehouse_id: int, field: str) -> tuple[Warehouse, Site]:
    # A transfer may send stock to another township: the destination need only exist.
    row = uow.session.execute(
        select(Warehouse, Site)
        .join(Site, Site.id == Warehouse.site_id)
        .where(Warehouse.id == warehouse_id)
    ).first()
    if row is None:
        raise ValidationFailed([FieldError(field, f"物资储备库 {warehouse_id} 不存在")])
    return row[0], row[1]


def _item(uow: UnitOfWork, item_id: int) -> SupplyItem:
    try:
        item, _ = get_row(uow.session, SUPPLIES, uow.actor, item_id)
    except NotFound:
        raise ValidationFailed([FieldError("item_id", f"物资 {item_id} 不存在")]) from None
    assert isinstance(item, SupplyItem)
    return item


def _occurred_at(uow: UnitOfWork, value: datetime | None) -> datetime:
    now = uow.clock.now()
    if value is None:
        return now
    # People type local wall-clock times; the district keeps one time zone.
    value = attach_local(value, uow.settings.timezone)
    if value > now + _CLOCK_SKEW:
        raise ValidationFailed([FieldError("occurred_at", "发生时间不能晚于当前时间")])
    return value


def _expected_primary_delta(data: MovementCreate) -> Decimal | None:
    # What leg 0 of an earlier identical request wrote (stocktakes compare the count instead).
    quantity = data.quantity
    if quantity is None:
        return None
    if data.kind in (MovementKind.ISSUE, MovementKind.TRANSFER):
        return -quantity
    return quantity


def _same_request(row: StockMovement, data: MovementCreate) -> bool:
    if (row.warehouse_id, row.item_id, row.batch) != (
        data.warehouse_id,
        data.item_id,
        data.batch.strip(),
    ):
        return False
    if row.counterpart_warehouse_id != data.to_warehouse_id:
        return False
    if data.kind is MovementKind.STOCKTAKE:
        counted = tidy_quantity(data.counted) if data.counted is not None else None
        recorded = tidy_quantity(row.counted) if row.counted is not None else None
        return counted == recorded
    expected = _expected_primary_delta(data)
    return expected is not None and tidy_quantity(expected) == tidy_quantity(row.quantity_delta)


def _replay(uow: UnitOfWork, data: MovementCreate) -> StockMovement | None:
    if data.reference is None:
        return None
    row = uow.session.scalar(
        select(StockMovement).where(
            StockMovement.kind == data.kind.value,
            StockMovement.reference == data.reference,
            StockMovement.leg == 0,
        )
    )
    if row is None:
        return None
    try:
        get_row(uow.session, WAREHOUSES, uow.actor, row.warehouse_id)
    except NotFound:
        raise Conflict("业务参考号已被使用", code="reference_in_use") from None
    if not _same_request(row, data):
        raise Conflict(
            f"业务参考号 {data.reference} 已用于单号 {row.movement_no}，且内容不同",
            code="reference_in_use",
        )
    return row


def _check_state(
    data: MovementCreate, warehouse: Warehouse, item: SupplyItem, to: Warehouse | None
) -> None:
    errors: list[FieldError] = []
    if data.kind is MovementKind.RECEIPT and warehouse.retired_at is not None:
        errors.append(FieldError("warehouse_id", "物资储备库已停用，不能入库"))
    if data.kind is MovementKind.RECEIPT and item.retired_at is not None:
        errors.append(FieldError("item_id", "物资已停用，不能入库"))
    if to is not None and to.retired_at is not None:
        errors.append(FieldError("to_warehouse_id", "调入的物资储备库已停用"))
    if data.kind is MovementKind.ADJUSTMENT and not (data.reason or "").strip():
        # A correction without a reason cannot be checked later (who broke what, and why).
        errors.append(FieldError("reason", "调整须填写原因"))
    if errors:
        raise ValidationFailed(errors)


def _batch_expiry(
    uow: UnitOfWork, data: MovementCreate, item: SupplyItem, batch: str
) -> date | None:
    recorded = batch_expiry(uow.session, item.id, batch)
    if data.expires_on is not None and not batch:
        raise ValidationFailed([FieldError("batch", "填写有效期时须填写批次")])
    if recorded is not None and data.expires_on is not None and data.expires_on != recorded:
        raise ValidationFailed(
            [FieldError("expires_on", f"批次 {batch} 的有效期已登记为 {recorded:%Y-%m-%d}")]
        )
    expires_on = data.expires_on or recorded
    if data.kind is MovementKind.RECEIPT and item.shelf_life_days and expires_on is None:
        raise ValidationFailed([FieldError("expires_on", "该物资有保质期，入库须填写批次和有效期")])
    return expires_on


def record_movement(
    uow: UnitOfWork, data: MovementCreate, *, consuming: str | None = None
) -> tuple[MovementRead, bool]:
    """Record a stock movement (or replay the one with the same reference); True if new.

    Stock held by active reservations is not available to a decrease, except to the issue
    that fulfils the reservation named by ``consuming``. That issue is authorised by the
    approved dispatch order behind the reservation, so it needs no warehouse-keeper role
    and may draw on any warehouse of the district.
    """
    session = uow.session
    if consuming is None:
        _require_mover(uow)
        warehouse, site = _own_warehouse(uow, data.warehouse_id, "warehouse_id")
    else:
        warehouse, site = _any_warehouse(uow, data.warehouse_id, "warehouse_id")
    item = _item(uow, data.item_id)
    to: tuple[Warehouse, Site] | None = None
    if data.to_warehouse_id is not None:
        to = _any_warehouse(uow, data.to_warehouse_id, "to_warehouse_id")

    # Lock first, then read: the replay lookup and the on-hand sum must see every movement
    # committed by a concurrent request on the same warehouse.
    lock_warehouses(session, [w.id for w in (warehouse, to[0] if to else None) if w is not None])
    replayed = _replay(uow, data)
    if replayed is not None:
        return to_movement_reads(session, [replayed])[0], False

    _check_state(data, warehouse, item, to[0] if to else None)
    batch = data.batch.strip()
    expires_on = _batch_expiry(uow, data, item, batch)
    occurred_at = _occurred_at(uow, data.occurred_at)
    on_hand = batch_on_hand(session, warehouse.id, item.id, batch)
    try:
        deltas = signed_deltas(
            data.kind,
            data.quantity,
            warehouse=warehouse.id,
            to_warehouse=to[0].id if to else None,
            on_hand=on_hand,
            counted=data.counted,
        )
    except StockRuleError as exc:
        field = _API_FIELD.get(exc.field, exc.field)
        raise ValidationFailed([FieldError(field, exc.reason)]) from None

    _check_reservations(session, item.id, deltas, consuming)
    sites = {warehouse.id: site, **({to[0].id: to[1]} if to else {})}
    before = {
        d.warehouse: (
            batch_on_hand(session, d.warehouse, item.id, batch),
            item_on_hand(session, d.warehouse, item.id),
        )
        for d in deltas
    }
    now = uow.clock.now()
    rows: list[StockMovement] = []
    for leg, delta in enumerate(deltas):
        other = deltas[1 - leg].warehouse if len(deltas) == 2 else None
        rows.append(
            StockMovement(
                # Placeholder until the first line's id gives the business number below.
                movement_no=uuid4().hex,
                kind=data.kind.value,
                leg=leg,
                warehouse_id=delta.warehouse,
                item_id=item.id,
                batch=batch,
                expires_on=expires_on,
                quantity_delta=delta.delta,
                counted=data.counted if leg == 0 else None,
                counterpart_warehouse_id=other,
                reason=data.reason,
                reference=data.reference,
                actor_id=uow.actor.user_id,
                actor_name=uow.actor.name,
                occurred_at=occurred_at,
                created_at=now,
            )
        )
    try:
        session.add(rows[0])
        session.flush()
        number = movement_number(
            data.kind, local_today(uow.settings.timezone, uow.clock.now()), rows[0].id
        )
        for row in rows:
            row.movement_no = number
        session.add_all(rows[1:])
        session.flush()
    except IntegrityError:
        # Two requests with one reference on different warehouses raced past the replay check.
        raise Conflict("业务参考号已被使用", code="reference_in_use") from None

    reads = to_movement_reads(session, rows)
    for row, read in zip(rows, reads, strict=True):
        batch_before, item_before = before[row.warehouse_id]
        uow.audit(
            f"resources.stock_movement.{row.kind}",
            "resources_stock_movement",
            row.id,
            after=read.model_dump(mode="json"),
            reason=row.reason,
        )
        uow.add_event(
            StockMoved.of(
                row,
                movement_id=row.id,
                quantity_delta=read.quantity_delta,
                on_hand=tidy_quantity(batch_before + row.quantity_delta),
                division_code=sites[row.warehouse_id].division_code,
            )
        )
        minimum = find_minimum(session, row.warehouse_id, item.id)
        _announce_crossing(
            uow,
            row.warehouse_id,
            item.id,
            was_below=below_minimum(item_before, minimum),
            on_hand=tidy_quantity(item_before + row.quantity_delta),
            minimum=minimum,
            division_code=sites[row.warehouse_id].division_code,
            movement_no=row.movement_no,
        )
    return reads[0], True


def _check_reservations(
    session: Session, item_id: int, deltas: Sequence[LedgerDelta[int]], consuming: str | None
) -> None:
    # Reserved stock is promised to a dispatch order: a decrease may use only the rest.
    for delta in deltas:
        if delta.delta >= 0:
            continue
        reserved = reserved_quantity(session, delta.warehouse, item_id, except_reference=consuming)
        if reserved <= 0:
            continue
        free = item_on_hand(session, delta.warehouse, item_id) - reserved
        if -delta.delta > free:
            raise ValidationFailed(
                [
                    FieldError(
                        "quantity",
                        f"可用库存不足：在库 {tidy_quantity(free + reserved)}，其中 "
                        f"{reserved} 已被调度预留，可用 {tidy_quantity(max(free, Decimal(0)))}",
                    )
                ]
            )


def reserve_stock(
    uow: UnitOfWork,
    *,
    warehouse_id: int,
    item_id: int,
    quantity: Decimal,
    reference: str,
    reason: str | None = None,
) -> StockReservation:
    """Promise stock to an order (idempotent by ``reference``); refuse what is not free."""
    session = uow.session
    if quantity <= 0:
        raise ValidationFailed([FieldError("quantity", "数量应大于 0")])
    warehouse, _ = _any_warehouse(uow, warehouse_id, "warehouse_id")
    _item(uow, item_id)
    # The same lock as the ledger: a reservation and an issue on one warehouse queue up.
    lock_warehouses(session, [warehouse.id])
    existing = session.scalar(
        select(StockReservation).where(StockReservation.reference == reference)
    )
    if existing is not None:
        if (existing.warehouse_id, existing.item_id, existing.quantity) != (
            warehouse.id,
            item_id,
            tidy_quantity(quantity),
        ):
            raise Conflict("业务参考号已用于另一笔预留", code="reference_in_use")
        return existing
    free = item_on_hand(session, warehouse.id, item_id) - reserved_quantity(
        session, warehouse.id, item_id
    )
    if quantity > free:
        raise ValidationFailed(
            [FieldError("quantity", f"可用库存不足：可用 {tidy_quantity(max(free, Decimal(0)))}")]
        )
    row = StockReservation(
        reference=reference,
        warehouse_id=warehouse.id,
        item_id=item_id,
        quantity=tidy_quantity(quantity),
        state="active",
        reason=reason,
        actor_name=uow.actor.name,
        created_at=uow.clock.now(),
    )
    session.add(row)
    session.flush()
    uow.audit(
        "resources.stock_reservation.create",
        "resources_stock_reservation",
        row.id,
        after={
            "warehouse_id": warehouse.id,
            "item_id": item_id,
            "quantity": str(row.quantity),
            "reference": reference,
        },
        reason=reason,
    )
    return row


def release_reservation(uow: UnitOfWork, reference: str, reason: str) -> None:
    """Give reserved stock back (the order was cancelled or refused); no-op if not active."""
    row = uow.session.scalar(
        select(StockReservation).where(StockReservation.reference == reference)
    )
    if row is None or row.state != "active":
        return
    row.state = "released"
    row.closed_at = uow.clock.now()
    uow.audit(
        "resources.stock_reservation.release",
        "resources_stock_reservation",
        row.id,
        before={"state": "active"},
        after={"state": "released"},
        reason=reason,
    )


def issue_reservation(uow: UnitOfWork, reference: str, reason: str) -> list[MovementRead]:
    """Issue the reserved stock through the ledger, first-expiring batches first."""
    session = uow.session
    row = session.scalar(select(StockReservation).where(StockReservation.reference == reference))
    if row is None:
        raise NotFound("预留记录不存在")
    if row.state == "issued":
        return []
    if row.state != "active":
        raise Conflict("预留已释放，不能出库")
    lock_warehouses(session, [row.warehouse_id])
    remaining = tidy_quantity(row.quantity)
    reads: list[MovementRead] = []
    for index, (batch, _expiry, on_hand) in enumerate(
        batches_on_hand(session, row.warehouse_id, row.item_id)
    ):
        if remaining <= 0:
            break
        take = min(on_hand, remaining)
        read, _ = record_movement(
            uow,
            MovementCreate(
                kind=MovementKind.ISSUE,
                warehouse_id=row.warehouse_id,
                item_id=row.item_id,
                quantity=take,
                batch=batch,
                reason=reason,
                reference=f"{reference}#{index}",
            ),
            consuming=reference,
        )
        reads.append(read)
        remaining = tidy_quantity(remaining - take)
    if remaining > 0:
        raise Conflict(f"在库数量不足以出库预留的 {row.quantity}")
    row.state = "issued"
    row.closed_at = uow.clock.now()
    uow.audit(
        "resources.stock_reservation.issue",
        "resources_stock_reservation",
        row.id,
        before={"state": "active"},
        after={"state": "issued"},
        reason=reason,
    )
    return reads


def _announce_crossing(
    uow: UnitOfWork,
    warehouse_id: int,
    item_id: int,
    *,
    was_below: bool,
    on_hand: Decimal,
    minimum: Decimal | None,
    division_code: str,
    movement_no: str | None,
) -> None:
    # Announce the crossing only, not every movement while stock stays under the minimum.
    if minimum is None or was_below or not below_minimum(on_hand, minimum):
        return
    uow.add_event(
        StockBelowMinimum(
            warehouse_id=warehouse_id,
            item_id=item_id,
            on_hand=on_hand,
            minimum_quantity=minimum,
            division_code=division_code,
            movement_no=movement_no,
        )
    )


def set_minimum(uow: UnitOfWork, data: StockLevelSet) -> StockLevelRead:
    """Set the reserve minimum of an item at a warehouse (0 removes the requirement)."""
    _require_mover(uow)
    warehouse, site = _own_warehouse(uow, data.warehouse_id, "warehouse_id")
    item = _item(uow, data.item_id)
    session = uow.session
    level = stock_level(session, warehouse.id, item.id)
    minimum = tidy_quantity(data.minimum_quantity)
    before = (
        {"minimum_quantity": str(tidy_quantity(level.minimum_quantity))}
        if level is not None
        else None
    )
    old_minimum = tidy_quantity(level.minimum_quantity) if level is not None else None
    now = uow.clock.now()
    if level is None:
        level = StockLevel(warehouse_id=warehouse.id, item_id=item.id)
        session.add(level)
    level.minimum_quantity = minimum
    level.updated_at = now
    level.updated_by = uow.actor.username
    session.flush()
    on_hand = item_on_hand(session, warehouse.id, item.id)
    uow.audit(
        "resources.stock_level.set",
        "resources_stock_level",
        level.id,
        before=before,
        after={
            "warehouse_id": warehouse.id,
            "item_id": item.id,
            "minimum_quantity": str(minimum),
        },
    )
    _announce_crossing(
        uow,
        warehouse.id,
        item.id,
        was_below=below_minimum(on_hand, old_minimum or None),
        on_hand=on_hand,
        minimum=minimum or None,
        division_code=site.division_code,
        movement_no=None,
    )
    return StockLevelRead(
        warehouse_id=warehouse.id,
        item_id=item.id,
        minimum_quantity=minimum,
        on_hand=on_hand,
        below_minimum=below_minimum(on_hand, minimum or None),
        updated_at=now,
        updated_by=level.updated_by,
    )


def ensure_catalogue_items(uow: UnitOfWork) -> int:
    """Register every 细类 of the shipped catalogue not yet in the table; return how many."""
    existing = set(uow.session.scalars(select(SupplyItem.code)))
    created = 0
    for entry in load_catalogue():
        if entry.level != SUPPLY_LEAF_LEVEL or entry.code in existing or entry.unit is None:
            continue
        create_record(
            uow, SUPPLIES, SupplyCreate(code=entry.code, name=entry.name, unit=entry.unit)
        )
        created += 1
    return created
