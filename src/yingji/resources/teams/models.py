"""Rescue team and equipment tables."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base
from yingji.registry.models import SitedColumns


class RescueTeam(SitedColumns, Base):
    """A rescue team (救援队伍); its site is the team's base."""

    __tablename__ = "resources_rescue_team"

    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    staffing: Mapped[str] = mapped_column(String(20), index=True)
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    headcount: Mapped[int] = mapped_column(Integer)
    leader: Mapped[str | None] = mapped_column(String(100))
    on_duty_phone: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner_department: Mapped[str | None] = mapped_column(String(200))
    # 企业专职救援队: the enterprise it belongs to (enterprises are linked by id only).
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)


class Equipment(SitedColumns, Base):
    """Large rescue equipment or a vehicle (应急装备), owned by a team or a department."""

    __tablename__ = "resources_equipment"

    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    specification: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("resources_rescue_team.id"), index=True
    )
    owner_department: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
