"""Early-warning tables: warnings, the CAP messages each one sent, and its workflow history.

A warning row holds the current content; every published change is an immutable row in
``early_warnings_message`` with the exact CAP document (an imported one byte for byte), so a
later Update or Cancel can reference each earlier message by the very ``sender,identifier,sent``
it went out with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Warning(Base):
    """A warning (预警): issued here, or imported from another authority's CAP feed."""

    __tablename__ = "early_warnings_warning"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    signal: Mapped[str] = mapped_column(String(40), index=True)
    level: Mapped[str] = mapped_column(String(10), index=True)
    issuer: Mapped[str] = mapped_column(String(200))
    # The jurisdiction the warning belongs to (scoping): the deepest division containing its
    # area, or the composing township officer's own township.
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    area_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_polygon: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    area_desc: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), index=True)
    # "local" (composed here) or "imported" (CAP from another authority).
    origin: Mapped[str] = mapped_column(String(20), default="local")
    cap_status: Mapped[str] = mapped_column(String(20), default="Actual")
    created_by: Mapped[int | None] = mapped_column(Integer)
    submitted_by: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WarningMessage(Base):
    """One CAP 1.2 message of a warning, stored exactly as sent or received."""

    __tablename__ = "early_warnings_message"
    __table_args__ = (
        # CAP 1.2 §3.2.1: an identifier is unique per sender; imports are idempotent on it.
        UniqueConstraint("sender", "identifier", name="uq_early_warnings_message_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("early_warnings_warning.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    identifier: Mapped[str] = mapped_column(String(200), index=True)
    sender: Mapped[str] = mapped_column(String(200))
    # The dateTime text exactly as in the document (references repeat it verbatim).
    sent: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    msg_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(String(12), default="Public")
    # The document as text (decoded with its own encoding), for reading and comparing.
    xml: Mapped[str] = mapped_column(Text)
    # An imported message's bytes exactly as received (any encoding: ISO-8859-1, UTF-16 …);
    # signatures and digests are over them, and the public link serves them. None for the
    # messages composed here: ``xml`` is their exact UTF-8 serialisation already.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    # How many deliveries notify queued for this message (0 for imports not relayed).
    queued: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WarningTransition(Base):
    """One step of a warning's workflow: who did what, when and why."""

    __tablename__ = "early_warnings_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("early_warnings_warning.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
