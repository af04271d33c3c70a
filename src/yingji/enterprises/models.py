"""Enterprise tables: the 一企一档 profile and its licences.

An enterprise's place and 属地 (jurisdiction) come from its ``geo_site``: the township is the
first 9 digits of the site's division code, so no township column is kept here (one source of
truth for scoping). The supervising department (行业主管部门) links to ``accounts_department`` by
id; licences are child rows written through the registry's ``after_write`` hook.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime
from yingji.registry.models import SitedColumns


class Enterprise(SitedColumns, Base):
    """An enterprise (生产经营单位) keyed by its 统一社会信用代码."""

    __tablename__ = "enterprises_enterprise"

    # GB 32100-2015: 18 characters, checked by rules.validate_credit_code on the way in.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # GB/T 4754-2017 numeric code: 大类 (2), 中类 (3) or 小类 (4 digits).
    industry_code: Mapped[str] = mapped_column(String(4), index=True)
    # 三个必须 (《安全生产法》2021 第三条, 管行业必须管安全): the sector regulator.
    supervising_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_department.id"), index=True
    )
    scale: Mapped[str] = mapped_column(String(10), index=True)
    produces_hazardous_chemicals: Mapped[bool] = mapped_column(Boolean, default=False)
    stores_hazardous_chemicals: Mapped[bool] = mapped_column(Boolean, default=False)
    uses_hazardous_chemicals: Mapped[bool] = mapped_column(Boolean, default=False)
    operates_hazardous_chemicals: Mapped[bool] = mapped_column(Boolean, default=False)
    # GB 18218-2018 重大危险源 present (the installations themselves belong to ``risks``).
    has_major_hazard: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    safety_officer: Mapped[str | None] = mapped_column(String(100))
    # [{"name": ..., "role": ..., "phone": ...}]
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    employees: Mapped[int | None] = mapped_column(Integer)


class EnterpriseLicence(Base):
    """A licence an enterprise holds (安全生产许可证, 危险化学品经营许可证 ...) and its expiry."""

    __tablename__ = "enterprises_licence"
    __table_args__ = (UniqueConstraint("enterprise_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises_enterprise.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    number: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
