"""Social force table."""

from __future__ import annotations

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base
from yingji.registry.models import SitedColumns


class SocialForce(SitedColumns, Base):
    """A registered social rescue organisation (社会应急力量); its site is its base."""

    __tablename__ = "resources_social_force"

    name: Mapped[str] = mapped_column(String(200), index=True)
    registration_no: Mapped[str] = mapped_column(String(60), unique=True)
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    members: Mapped[int] = mapped_column(Integer)
    contact_person: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    equipment_summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
