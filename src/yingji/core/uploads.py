"""Unattached uploads expire: a stored file that no record names is removed after a while.

Photos are uploaded before the record that carries them (a grid member's photo, then the
report; a task photo, then the feedback), so some never get a record: the report was not
sent, the form was abandoned. Kept forever they are personal data nobody can find, let alone
delete (《个人信息保护法》第十九条: kept no longer than the purpose needs). Each domain that
stores file keys contributes an ``UploadHolder`` naming its columns; the ``core.expire_uploads``
job deletes the blobs last stored more than ``Settings.upload_unattached_hours`` ago that no
holder names. Keys are content hashes, so a key is unique text and a substring match on a JSON
list column finds it exactly.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from yingji.adapters.storage import Storage
from yingji.core.extensions import ExtensionPoint
from yingji.core.uow import UnitOfWork

# How many candidate keys one query checks (bound parameters stay well under engine limits).
_BATCH = 200


@dataclass(frozen=True)
class UploadHolder:
    """A column that names stored files: a single key (``String``) or a JSON list of keys."""

    column: InstrumentedAttribute[object]
    is_list: bool = False

    @property
    def name(self) -> str:
        """Return ``table.column`` (for messages and the coverage test)."""
        return f"{self.column.class_.__tablename__}.{self.column.key}"


UPLOAD_HOLDERS: ExtensionPoint[UploadHolder] = ExtensionPoint(
    "core.upload_holders", "Columns that name stored files; unnamed uploads expire"
)


def referenced_keys(
    session: Session, holders: Sequence[UploadHolder], keys: Collection[str]
) -> set[str]:
    """Return those of ``keys`` that some holder's column names."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        for holder in holders:
            column = holder.column
            if not holder.is_list:
                found.update(session.scalars(select(column).where(column.in_(batch))))
                continue
            text = cast(column, String)
            rows = session.scalars(select(text).where(or_(*(text.contains(k) for k in batch))))
            for row in rows:
                found.update(k for k in batch if k in str(row))
    return found


def expire_unattached(
    uow: UnitOfWork, storage: Storage, holders: Sequence[UploadHolder], before: datetime
) -> int:
    """Delete blobs stored before ``before`` that no holder names; one audit row per run.

    Idempotent: a second run finds nothing to delete. A blob named by a record is never
    touched, however old.
    """
    stale = storage.stale_keys(before)
    if not stale:
        return 0
    orphans = sorted(set(stale) - referenced_keys(uow.session, holders, stale))
    for key in orphans:
        storage.delete(key)
    if orphans:
        uow.audit(
            "core.upload.expire",
            "storage",
            "*",
            after={"deleted": len(orphans), "keys": orphans[:50]},
        )
    return len(orphans)
