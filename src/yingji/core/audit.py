"""Audit log: one row per write, in the same transaction as the write itself, sealed in a
hash chain so that a changed, removed or inserted row shows.

The log is append-only: migration 0004 installs triggers that refuse UPDATE and DELETE on the
log and on its seals, on both engines (GB/T 22239-2019 8.1.4.3 安全审计 c: audit records are
protected from deletion, modification and overwriting). Rows are sealed after they have
settled (their transaction long committed) by the ``core.seal_audit`` job: each seal holds
``SHA-256(previous seal's hash + the row's canonical form)`` in seal order, so sealing never
makes writers wait on each other. ``verify`` recomputes the chain; ``yingji audit verify``
runs it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from yingji.core.db import Base, UTCDateTime


class AuditEntry(Base):
    """Who did what to which record, when, with the state before and after."""

    __tablename__ = "core_audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity: Mapped[str] = mapped_column(String(80), index=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(500))


class AuditSeal(Base):
    """One link of the chain: the hash over the previous link and one audit row."""

    __tablename__ = "core_audit_seal"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("core_audit_entry.id"), unique=True, index=True
    )
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The chain's start: what the first seal's "previous hash" is.
GENESIS = "0" * 64
# A row is sealed once its transaction has surely committed (ids are handed out before
# commit, so a younger row may still be followed by an older one becoming visible).
SETTLE = timedelta(seconds=60)
_BATCH = 5000


def canonical(entry: AuditEntry) -> bytes:
    """Return the bytes the seal covers: every column of the row, in a fixed JSON form."""
    at = entry.at.isoformat() if entry.at is not None else None
    data = {
        "id": entry.id,
        "at": at,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def link(previous: str, entry: AuditEntry) -> str:
    """Return the seal hash of ``entry`` after the seal ``previous``."""
    return hashlib.sha256(previous.encode("ascii") + canonical(entry)).hexdigest()


def seal_pending(session_factory: sessionmaker[Session], now: datetime) -> int:
    """Seal the settled, unsealed audit rows in id order; return how many were sealed.

    One sealer runs at a time (the job runner); a second one racing would fail on the
    unique ``entry_id`` and seal nothing twice.
    """
    sealed = 0
    with session_factory() as session:
        last = session.scalar(select(AuditSeal).order_by(AuditSeal.seq.desc()).limit(1))
        previous = last.hash if last is not None else GENESIS
        pending = session.scalars(
            select(AuditEntry)
            .outerjoin(AuditSeal, AuditSeal.entry_id == AuditEntry.id)
            .where(AuditSeal.seq.is_(None), AuditEntry.at <= now - SETTLE)
            .order_by(AuditEntry.id)
            .limit(_BATCH)
        ).all()
        for entry in pending:
            previous = link(previous, entry)
            session.add(AuditSeal(entry_id=entry.id, hash=previous, sealed_at=now))
            sealed += 1
        session.commit()
    return sealed


@dataclass(frozen=True)
class ChainReport:
    """What a verification found: seals checked and every break, by seal number."""

    checked: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        """Tell whether the chain verified without a break."""
        return not self.problems


def verify(session: Session) -> ChainReport:
    """Recompute the chain from the first seal and report every link that does not hold."""
    problems: list[str] = []
    previous = GENESIS
    checked = 0
    rows = session.execute(
        select(AuditSeal, AuditEntry)
        .outerjoin(AuditEntry, AuditEntry.id == AuditSeal.entry_id)
        .order_by(AuditSeal.seq)
    )
    expected_seq = 1
    for seal, entry in rows:
        checked += 1
        if seal.seq != expected_seq:
            problems.append(f"第 {expected_seq}–{seal.seq - 1} 号封存记录缺失")
        expected_seq = seal.seq + 1
        if entry is None:
            problems.append(f"第 {seal.seq} 号封存的审计记录 {seal.entry_id} 已被删除")
        elif link(previous, entry) != seal.hash:
            problems.append(f"审计记录 {seal.entry_id}（第 {seal.seq} 号封存）与封存时不一致")
        previous = seal.hash
    return ChainReport(checked, problems)
