"""Expert table."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base
from yingji.registry.models import DivisionColumns


class Expert(DivisionColumns, Base):
    """An expert (专家) the bureau can call on; registered in a division, without a point."""

    __tablename__ = "resources_expert"

    name: Mapped[str] = mapped_column(String(100), index=True)
    gender: Mapped[str | None] = mapped_column(String(10))
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str | None] = mapped_column(String(100))
    employer: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    available: Mapped[bool] = mapped_column(Boolean, index=True)
    notes: Mapped[str | None] = mapped_column(Text)
