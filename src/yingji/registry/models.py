"""Columns every registry table shares: identity, timestamps, retirement, and its site."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from yingji.core.db import UTCDateTime


class RegistryColumns:
    """Identity and lifecycle: records are retired, never deleted."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    retired_reason: Mapped[str | None] = mapped_column(String(500))


class SitedColumns(RegistryColumns):
    """A registry row with a place: it references its ``geo_site``."""

    @declared_attr
    def site_id(cls) -> Mapped[int]:  # noqa: N805 (SQLAlchemy's declared_attr idiom)
        """Return the site reference column."""
        return mapped_column(ForeignKey("geo_site.id"), unique=True)


class DivisionColumns(RegistryColumns):
    """A registry row without a point, scoped by the division it is registered in."""

    division_code: Mapped[str] = mapped_column(String(15), index=True)
