"""Notify tables: recipient registers, messages, deliveries and acknowledgements (叫应).

Registers: named responsible persons (a registry-kit table), residents (bulk data: one row per
registered phone, located by village code and point) and devices (大喇叭, 电子显示屏).
A message is one thing to say for one source (a warning, a notice); a delivery is that
message to one recipient over one channel; an acknowledgement is a named person's 叫应 of a
message, with its escalation progress kept here so a re-run job does nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime
from yingji.registry.models import DivisionColumns

# A 64-bit integer that is SQLite's rowid when it is the primary key (INTEGER, not BIGINT).
_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class ResponsiblePerson(DivisionColumns, Base):
    """A named person who must be told and must acknowledge (村社干部, 网格员, 包保责任人 ...)."""

    __tablename__ = "notify_responsible_person"

    name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str] = mapped_column(String(40))
    # See rules.PERSON_ROLE_LABELS.
    role: Mapped[str] = mapped_column(String(30), index=True)
    position: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Who is told when this person stays silent (叫应 escalation).
    superior_id: Mapped[int | None] = mapped_column(
        ForeignKey("notify_responsible_person.id"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)


class BroadcastDevice(DivisionColumns, Base):
    """A public-address device: a village loudspeaker (大喇叭) or an electronic display."""

    __tablename__ = "notify_broadcast_device"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # "loudspeaker" or "display": also the channel it receives on.
    kind: Mapped[str] = mapped_column(String(20), index=True)
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)


class Resident(Base):
    """A registered resident's phone, located by village code (the coarse index) and point.

    Kept narrow on purpose: the district holds hundreds of thousands of rows, written in bulk
    (INSERT ... SELECT), never one by one through the ORM.
    """

    __tablename__ = "notify_resident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(20))
    # The 12-digit village code (or a finer grid code): prefix selection by division.
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    # Where the row came from ("demo", "import:<file>"), so a reseed can replace its own rows.
    source: Mapped[str] = mapped_column(String(40), default="import")


class Message(Base):
    """One thing to say for one source (a broadcast of a warning, a notice, an escalation)."""

    __tablename__ = "notify_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Unique per purpose: "broadcast:<kind>:<id>", "notice:<dedupe_key>", "escalation:<ack>:<n>".
    message_key: Mapped[str] = mapped_column(String(200), unique=True)
    # "broadcast", "notice" or "escalation": coverage counts broadcasts only.
    purpose: Mapped[str] = mapped_column(String(20), index=True)
    source_kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    require_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    # The division the message concerns; None: district-wide.
    division_code: Mapped[str | None] = mapped_column(String(15), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Dispatcher progress (kept here so a restarted worker resumes): the message still has
    # deliveries never attempted, and the last delivery id the first pass reached.
    pending: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    dispatch_cursor: Mapped[int] = mapped_column(_BIGINT, default=0)

    __table_args__ = (Index("ix_notify_message_source", "source_kind", "source_id"),)


class Delivery(Base):
    """One message to one recipient over one channel (送达), with its state.

    The id is not a sequence: it is computed from (message, channel, recipient kind,
    recipient id) — ``rules.delivery_id``. That makes (source, recipient, channel) unique
    through the primary key alone (no second index on a table of millions of rows), keeps a
    message's deliveries in one contiguous id range the dispatcher walks, and gives every
    retry of a delivery the same idempotency key. Residents' rows carry no address: their
    phone is read when sending, so a bulk publish writes narrow rows.
    """

    __tablename__ = "notify_delivery"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=False)
    # No foreign key: checking it would cost a lookup per row of a million-row publish; the
    # id range already ties a delivery to its message.
    message_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(12))
    # "person", "resident", "device", "user" or "phone".
    recipient_kind: Mapped[str] = mapped_column(String(10))
    recipient_id: Mapped[int] = mapped_column(Integer)
    division_code: Mapped[str | None] = mapped_column(String(15))
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Phone number, device code or user id (in_app); None for residents (see above).
    address: Mapped[str | None] = mapped_column(String(64))
    # Set only while a failed attempt waits for its retry (a small partial index finds them).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        Index(
            "ix_notify_delivery_retry",
            "next_attempt_at",
            sqlite_where=text("next_attempt_at IS NOT NULL"),
            postgresql_where=text("next_attempt_at IS NOT NULL"),
        ),
        # The in-app inbox: only in-app rows are indexed (residents never get one).
        Index(
            "ix_notify_delivery_inbox",
            "address",
            sqlite_where=text("channel = 'in_app'"),
            postgresql_where=text("channel = 'in_app'"),
        ),
    )


class Acknowledgement(Base):
    """A named person's 叫应 of a message, and how far its escalation has gone."""

    __tablename__ = "notify_acknowledgement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("notify_message.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("notify_responsible_person.id"), index=True)
    # Secret for the acknowledgement link (叫应链接); unguessable, single purpose.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    division_code: Mapped[str | None] = mapped_column(String(15), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 0: none yet; 1: re-sent by voice; 2: superior told (see rules.ESCALATION_STEPS).
    escalation_step: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_via: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        UniqueConstraint("message_id", "person_id", name="uq_notify_acknowledgement_person"),
    )
