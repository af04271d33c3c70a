"""Dispatch writes: request a resource for an incident and move the order to its return.

Never double-booked: a request locks the team (or equipment) row and refuses it while
another order holds it open; supplies are reserved in the stock ledger at request time
(``supplies.service.reserve_stock``) and issued from the reservation at dispatch, so stock is
never promised twice. The team's status follows its order (deployed from dispatch to
return). Requesters: the command post (admin, bureau staff, duty officers) and township
officers for their own township; approval and dispatch: the command post.

The order's ETA comes from the road network when the travel model carries one (the same
question the recommendation asked), else from straight line × detour; the request's audit
row records which (``eta_source``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from yingji.accounts.rules import Role
from yingji.accounts.schemas import has_role, require_role
from yingji.accounts.scoping import covers_division
from yingji.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.geo.queries import locate
from yingji.incidents.dispatch import queries
from yingji.incidents.dispatch.events import DispatchOrderChanged
from yingji.incidents.dispatch.models import DispatchOrder, DispatchOrderEvent
from yingji.incidents.dispatch.rules import (
    DEPLOYED_STATES,
    OPEN_STATES,
    TravelModel,
    choose_eta,
    distance_km,
)
from yingji.incidents.dispatch.rules import MACHINE as ORDER_MACHINE
from yingji.incidents.dispatch.schemas import OrderAction, OrderCreate
from yingji.resources.supplies import queries as supply_queries
from yingji.resources.supplies import service as supplies
from yingji.resources.teams import service as teams
from yingji.resources.teams.schemas import EquipmentStatus, TeamStatus

COMMAND_POST = {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER}
REQUESTERS = COMMAND_POST | {Role.TOWNSHIP_OFFICER}


def request_dispatch(uow: UnitOfWork, data: OrderCreate, model: TravelModel | None = None) -> int:
    """Create a dispatch order, holding the resource for it; return the order id."""
    actor = uow.actor
    require_role(actor, REQUESTERS, "当前角色不能申请调度", or_system=True)
    session = uow.session
    place = locate(session, data.longitude, data.latitude)
    if place is None:
        raise ValidationFailed([FieldError("longitude", "位置不在本区范围内")])
    division = place.code
    if not (actor.is_system or covers_division(actor, division)):
        raise ValidationFailed([FieldError("longitude", "位置不在管辖范围内")])
    now = uow.clock.now()
    order = DispatchOrder(
        incident_id=data.incident_id,
        resource_kind=data.resource_kind,
        state="requested",
        division_code=division,
        longitude=data.longitude,
        latitude=data.latitude,
        note=data.note,
        requested_by=actor.user_id,
        requested_at=now,
        updated_at=now,
        resource_name="",
    )
    origin: tuple[float, float] | None = None
    if data.resource_kind == "team":
        assert data.team_id is not None
        team = teams.lock_team(uow, data.team_id)
        _refuse_if_held(uow, DispatchOrder.team_id, team.id, team.name)
        if team.status != TeamStatus.STANDBY.value:
            raise Conflict(f"{team.name}当前不在待命状态，不能调派")
        order.team_id, order.resource_name = team.id, team.name
        origin = _site_point(uow, team.site_id)
    elif data.resource_kind == "equipment":
        assert data.equipment_id is not None
        row = teams.lock_equipment(uow, data.equipment_id)
        _refuse_if_held(uow, DispatchOrder.equipment_id, row.id, row.name)
        if row.status != EquipmentStatus.STANDBY.value:
            raise Conflict(f"{row.name}当前不在待命状态，不能调派")
        order.equipment_id, order.resource_name = row.id, row.name
        origin = _site_point(uow, row.site_id)
    else:
        assert data.warehouse_id is not None
        assert data.item_id is not None
        warehouse = supply_queries.find_warehouse(session, data.warehouse_id)
        item = supply_queries.find_item(session, data.item_id)
        if warehouse is None or warehouse.retired_at is not None:
            raise NotFound("仓库不存在")
        if item is None:
            raise NotFound("物资不存在")
        order.warehouse_id, order.item_id, order.quantity = warehouse.id, item.id, data.quantity
        order.resource_name = f"{item.name} {data.quantity}{item.unit}（{warehouse.name}）"
        origin = _site_point(uow, warehouse.site_id)
    eta_source: str | None = None
    if origin is not None:
        km = distance_km(origin[0], origin[1], data.longitude, data.latitude)
        # Asked scene → resource, like the recommendation, so both show the same minutes.
        (road,) = queries.road_minutes(
            model or TravelModel(), (data.longitude, data.latitude), [origin]
        )
        eta = choose_eta(km, road, model)
        order.distance_km = round(km, 2)
        order.eta_minutes = eta.minutes
        eta_source = eta.source
    session.add(order)
    session.flush()
    if data.resource_kind == "supply":
        assert data.warehouse_id is not None
        assert data.item_id is not None
        assert data.quantity is not None
        order.reservation_ref = f"dispatch:{order.id}"
        supplies.reserve_stock(
            uow,
            warehouse_id=data.warehouse_id,
            item_id=data.item_id,
            quantity=data.quantity,
            reference=order.reservation_ref,
            reason=f"事件 {data.incident_id} 调度",
        )
    _record(
        uow,
        order,
        "request",
        "",
        "requested",
        data.note,
        {"eta_minutes": order.eta_minutes, "eta_source": eta_source},
    )
    return order.id


def _site_point(uow: UnitOfWork, site_id: int) -> tuple[float, float] | None:
    from yingji.geo.models import Site

    site = uow.session.get(Site, site_id)
    return (site.longitude, site.latitude) if site else None


def _refuse_if_held(
    uow: UnitOfWork, column: InstrumentedAttribute[int | None], resource_id: int, name: str
) -> None:
    held = uow.session.scalar(
        select(DispatchOrder.id).where(
            column == resource_id,
            DispatchOrder.state.in_(sorted(OPEN_STATES)),
        )
    )
    if held is not None:
        raise Conflict(f"{name}已被调度单 {held} 占用，不能重复调派")


def advance_order(uow: UnitOfWork, order_id: int, action: str, data: OrderAction) -> str:
    """Apply ``action`` to the order (approve, dispatch, depart, arrive, return, cancel)."""
    actor = uow.actor
    order = queries.get_order_row(uow.session, actor, order_id)
    if action in ("approve", "dispatch") and not has_role(actor, COMMAND_POST, or_system=True):
        raise PermissionDenied("只有指挥部（值班、局机关）可以批准和派出")
    target = ORDER_MACHINE.next_state(order.state, action)
    before = order.state
    reason = f"调度单 {order.id}：{data.note}" if data.note else f"调度单 {order.id}"
    if order.team_id is not None:
        if target in DEPLOYED_STATES and before not in DEPLOYED_STATES:
            teams.set_team_status(uow, order.team_id, TeamStatus.DEPLOYED, reason)
        if target in ("returned", "cancelled") and before in DEPLOYED_STATES:
            teams.set_team_status(uow, order.team_id, TeamStatus.STANDBY, reason)
    if order.equipment_id is not None:
        if target in DEPLOYED_STATES and before not in DEPLOYED_STATES:
            teams.set_equipment_status(uow, order.equipment_id, EquipmentStatus.DEPLOYED, reason)
        if target in ("returned", "cancelled") and before in DEPLOYED_STATES:
            teams.set_equipment_status(uow, order.equipment_id, EquipmentStatus.STANDBY, reason)
    if order.reservation_ref:
        if target == "dispatched":
            supplies.issue_reservation(uow, order.reservation_ref, reason)
        elif target == "cancelled":
            supplies.release_reservation(uow, order.reservation_ref, reason)
    order.state = target
    order.updated_at = uow.clock.now()
    if target == "on_scene":
        order.on_scene_at = uow.clock.now()
    _record(uow, order, action, before, target, data.note)
    return target


def _record(
    uow: UnitOfWork,
    order: DispatchOrder,
    action: str,
    before: str,
    target: str,
    note: str,
    extra: dict[str, object] | None = None,
) -> None:
    now = uow.clock.now()
    uow.session.add(
        DispatchOrderEvent(
            order_id=order.id,
            action=action,
            from_state=before,
            to_state=target,
            actor_name=uow.actor.name,
            at=now,
            note=note,
        )
    )
    uow.audit(
        f"incidents.dispatch_order.{action}",
        "dispatch_order",
        order.id,
        before={"state": before} if before else None,
        after={"state": target, "resource": order.resource_name, **(extra or {})},
        reason=note or None,
    )
    uow.add_event(
        DispatchOrderChanged.of(order, order_id=order.id, action=action, to_state=target, at=now)
    )
