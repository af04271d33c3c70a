"""Dispatch orders (调度单) for teams, equipment and supplies, with their history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class DispatchOrder(Base):
    """One resource sent to one incident, from request to return."""

    __tablename__ = "incidents_dispatch_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(Integer, index=True)
    resource_kind: Mapped[str] = mapped_column(String(20))  # team, equipment, supply
    team_id: Mapped[int | None] = mapped_column(Integer, index=True)
    equipment_id: Mapped[int | None] = mapped_column(Integer, index=True)
    warehouse_id: Mapped[int | None] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    reservation_ref: Mapped[str | None] = mapped_column(String(100))
    resource_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), index=True)
    # Where the resource goes; its division scopes who sees the order.
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    distance_km: Mapped[float | None] = mapped_column(Float)
    eta_minutes: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DispatchOrderEvent(Base):
    """A step of an order: who moved it, when, from which state to which, and why."""

    __tablename__ = "incidents_dispatch_order_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("incidents_dispatch_order.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
