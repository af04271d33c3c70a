"""Reading the audit log: filtered pages of entries for the auditor (and the administrator).

The log itself lives in core (``core/audit.py``: written with every change, append-only,
sealed in a hash chain); this module is its one reader. Reads are not scoped by division:
the auditor's remit is the whole platform, and nobody else is admitted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.accounts.rules import AUDIT_READERS, require_role
from yingji.core.actor import Actor
from yingji.core.audit import AuditEntry, AuditSeal
from yingji.core.pagination import Page, PageParams
from yingji.core.schemas import ReadModel


class AuditFilters(BaseModel):
    """What to look for: an action (or its ``domain.`` prefix), a record, a person, a period."""

    action: str | None = Field(default=None, max_length=80, title="操作（可填前缀）")
    entity: str | None = Field(default=None, max_length=80, title="对象类型")
    entity_id: str | None = Field(default=None, max_length=64, title="对象编号")
    actor_name: str | None = Field(default=None, max_length=100, title="操作人")
    since: datetime | None = Field(default=None, title="起始时间")
    until: datetime | None = Field(default=None, title="截止时间")


class AuditEntryRead(ReadModel):
    """One audit row as the auditor reads it, with whether it is sealed yet."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    sealed: bool


def page_audit(
    session: Session, actor: Actor, filters: AuditFilters, params: PageParams
) -> Page[AuditEntryRead]:
    """Return a page of audit entries, newest first (PermissionDenied for other roles)."""
    require_role(actor, AUDIT_READERS, "只有审计员和系统管理员可以查看审计日志")
    stmt = select(AuditEntry, AuditSeal.seq).outerjoin(
        AuditSeal, AuditSeal.entry_id == AuditEntry.id
    )
    if filters.action:
        stmt = stmt.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.entity:
        stmt = stmt.where(AuditEntry.entity == filters.entity)
    if filters.entity_id:
        stmt = stmt.where(AuditEntry.entity_id == filters.entity_id)
    if filters.actor_name:
        stmt = stmt.where(AuditEntry.actor_name == filters.actor_name)
    if filters.since:
        stmt = stmt.where(AuditEntry.at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEntry.at < filters.until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(AuditEntry.id.desc()).offset(params.offset).limit(params.size)
    )
    items = [AuditEntryRead.of(entry, sealed=seq is not None) for entry, seq in rows]
    return Page(items=items, total=total, page=params.page, size=params.size)
