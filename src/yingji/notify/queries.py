"""Notify reads: recipient counts, coverage per source, deliveries, inbox, acknowledgements.

Lists are scoped by the actor's jurisdiction over the delivery's division; the inbox shows
only the signed-in user's own in-app messages. ``count_recipients`` and ``coverage`` are
system reads (the caller — e.g. a warning the actor may see — has already been scoped).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, text, true
from sqlalchemy.orm import Session

from yingji.accounts.scoping import division_filter, scope_clause
from yingji.core.actor import Actor, system_actor
from yingji.core.errors import NotFound
from yingji.core.pagination import Page, PageParams
from yingji.notify import targeting
from yingji.notify.models import (
    Acknowledgement,
    BroadcastDevice,
    Delivery,
    Message,
    Resident,
    ResponsiblePerson,
)
from yingji.notify.rules import DeliveryState, RecipientKind, message_id_range
from yingji.notify.schemas import (
    AcknowledgementRead,
    CoverageCounts,
    CoverageRead,
    DeliveryRead,
    InboxItem,
    RecipientCount,
    TargetArea,
)

VILLAGE_DIGITS = targeting.VILLAGE_DIGITS
DISTRICT_DIGITS = 6


def _scope(actor: Actor, column: Any) -> ColumnElement[bool]:
    # Deliveries to people filed under no division (district users, bare numbers) belong to
    # the district: district-wide actors see them, townships do not.
    clause = scope_clause(actor, column)
    if (
        actor.enterprise_id is None
        and actor.division_code is not None
        and len(actor.division_code) == DISTRICT_DIGITS
    ):
        return or_(clause, column.is_(None))
    return clause


def count_recipients(
    session: Session, area: TargetArea, actor: Actor | None = None
) -> RecipientCount:
    """Count the persons, residents and devices ``area`` reaches, by village (before sending).

    Only what lies in the actor's jurisdiction is counted: a township officer previewing a
    district-wide area sees the figures of their own township, never the others'. Without an
    actor (a system read) everything is counted.
    """
    actor = actor or system_actor()  # system reads (the service's own counts) see everything
    resolved = targeting.resolve_area(session, area)
    mine = targeting.scope_for(actor, Resident.division_code)
    by_village: dict[str, int] = defaultdict(int)
    village = func.substr(Resident.division_code, 1, VILLAGE_DIGITS)
    for code, n in session.execute(
        select(village, func.count())
        .where(targeting.resident_sql_clause(resolved), mine)
        .group_by(village)
    ):
        by_village[code] += n
    residents = sum(by_village.values())
    cut = targeting.resident_ids_in_cut_villages(session, resolved, mine)
    for chunk in targeting.chunks(cut):
        for code, n in session.execute(
            select(village, func.count()).where(Resident.id.in_(chunk)).group_by(village)
        ):
            by_village[code] += n
    residents += len(cut)
    persons = targeting.select_persons(
        session, resolved, targeting.scope_for(actor, ResponsiblePerson.division_code)
    )
    devices = targeting.select_devices(
        session, resolved, targeting.scope_for(actor, BroadcastDevice.division_code)
    )
    for code in [p.division_code for p in persons] + [d.division_code for d in devices]:
        by_village[code[:VILLAGE_DIGITS]] += 1
    return RecipientCount(
        responsible_persons=len(persons),
        residents=residents,
        devices=len(devices),
        total=residents + len(persons) + len(devices),
        by_village=dict(sorted(by_village.items())),
    )


def coverage(
    session: Session, *, source_kind: str, source_id: str, actor: Actor | None = None
) -> CoverageRead:
    """Return targeted / sent / delivered / failed / acknowledged for a source's broadcasts.

    With ``actor``, only deliveries to recipients in the actor's jurisdiction are counted.
    """
    message_ids = list(
        session.scalars(
            select(Message.id).where(
                Message.source_kind == source_kind,
                Message.source_id == source_id,
                Message.purpose == "broadcast",
            )
        )
    )
    out = CoverageRead(source_kind=source_kind, source_id=source_id)
    if not message_ids:
        return out
    village = func.substr(func.coalesce(Delivery.division_code, ""), 1, VILLAGE_DIGITS)
    # Each message's deliveries fill one id range: primary-key range scans, no other index.
    in_ranges = or_(*(Delivery.id.between(*message_id_range(m)) for m in message_ids))
    rows = session.execute(
        select(village, Delivery.channel, Delivery.state, func.count())
        .where(in_ranges)
        .where(
            targeting.scope_for(actor, func.coalesce(Delivery.division_code, ""))
            if actor is not None
            else true()
        )
        .group_by(village, Delivery.channel, Delivery.state)
    ).all()
    by_village: dict[str, CoverageCounts] = defaultdict(CoverageCounts)
    by_channel: dict[str, CoverageCounts] = defaultdict(CoverageCounts)
    for code, channel, state, n in rows:
        for slot in (out, by_village[code or "-"], by_channel[channel]):
            _add_state(slot, state, n)
    ack_village = func.substr(func.coalesce(Acknowledgement.division_code, ""), 1, VILLAGE_DIGITS)
    for code, required, done in session.execute(
        select(ack_village, func.count(), func.count(Acknowledgement.acknowledged_at))
        .where(Acknowledgement.message_id.in_(message_ids))
        .group_by(ack_village)
    ):
        for slot in (out, by_village[code or "-"]):
            slot.ack_required += required
            slot.acknowledged += done
    out.by_village = dict(sorted(by_village.items()))
    out.by_channel = dict(sorted(by_channel.items()))
    return out


def _add_state(slot: CoverageCounts, state: str, n: int) -> None:
    slot.targeted += n
    if state in (DeliveryState.SENT, DeliveryState.DELIVERED):
        slot.sent += n
    if state == DeliveryState.DELIVERED:
        slot.delivered += n
    elif state == DeliveryState.FAILED:
        slot.failed += n
    elif state == DeliveryState.QUEUED:
        slot.pending += n


def _delivery_read(delivery: Delivery, message: Message, phone: str | None) -> DeliveryRead:
    return DeliveryRead.of(
        delivery,
        subject=message.subject,
        source_kind=message.source_kind,
        source_id=message.source_id,
        address=delivery.address or phone,
        queued_at=message.created_at,
    )


def page_deliveries(
    session: Session, actor: Actor, params: PageParams, filters: dict[str, Any]
) -> Page[DeliveryRead]:
    """Page the deliveries the actor may see, newest first (filters: state, channel, ...)."""
    conditions = [_scope(actor, Delivery.division_code)]
    if filters.get("state"):
        conditions.append(Delivery.state == filters["state"])
    if filters.get("channel"):
        conditions.append(Delivery.channel == filters["channel"])
    if filters.get("message_id"):
        conditions.append(Delivery.message_id == filters["message_id"])
    if filters.get("division_code"):
        conditions.append(division_filter(Delivery.division_code, filters["division_code"]))
    total = session.scalar(select(func.count()).select_from(Delivery).where(*conditions)) or 0
    rows = session.execute(
        _with_message(select(Delivery, Message, Resident.phone))
        .where(*conditions)
        .order_by(Delivery.id.desc())
        .offset(params.offset)
        .limit(params.size)
    ).all()
    return Page[DeliveryRead](
        items=[_delivery_read(d, m, p) for d, m, p in rows],
        total=total,
        page=params.page,
        size=params.size,
    )


def delivery_state_counts(session: Session, actor: Actor) -> dict[str, int]:
    """Count the actor's visible deliveries by state (dashboard tiles)."""
    rows = session.execute(
        select(Delivery.state, func.count())
        .where(_scope(actor, Delivery.division_code))
        .group_by(Delivery.state)
    ).all()
    counts = {state.value: 0 for state in DeliveryState}
    counts.update({state: n for state, n in rows})
    return counts


def get_delivery(session: Session, actor: Actor, delivery_id: int) -> DeliveryRead:
    """Return one delivery; NotFound when missing or outside the actor's jurisdiction."""
    row = session.execute(
        _with_message(select(Delivery, Message, Resident.phone)).where(
            Delivery.id == delivery_id, _scope(actor, Delivery.division_code)
        )
    ).first()
    if row is None:
        raise NotFound("送达记录不存在")
    return _delivery_read(row[0], row[1], row[2])


def _with_message(stmt: Any) -> Any:
    # Residents' rows carry no address: show the phone from the register.
    return stmt.join(Message, Message.id == Delivery.message_id).outerjoin(
        Resident,
        (Delivery.recipient_kind == RecipientKind.RESIDENT.value)
        & (Resident.id == Delivery.recipient_id),
    )


def inbox(session: Session, actor: Actor, *, limit: int = 50) -> list[InboxItem]:
    """Return the signed-in user's in-app messages, newest first."""
    if actor.user_id is None:
        return []
    rows = session.execute(
        select(Delivery, Message)
        .join(Message, Message.id == Delivery.message_id)
        .where(
            # Spelled as in the partial index's WHERE, so SQLite uses that index.
            text("notify_delivery.channel = 'in_app'"),
            Delivery.address == str(actor.user_id),
            Delivery.recipient_kind.in_([RecipientKind.USER.value, RecipientKind.PERSON.value]),
        )
        .order_by(Delivery.id.desc())
        .limit(limit)
    ).all()
    acks: dict[tuple[int, int], Acknowledgement] = {}
    person_rows = [(d.message_id, d.recipient_id) for d, _ in rows if d.recipient_kind == "person"]
    if person_rows:
        for found in session.scalars(
            select(Acknowledgement).where(
                Acknowledgement.message_id.in_({m for m, _ in person_rows}),
                Acknowledgement.person_id.in_({p for _, p in person_rows}),
            )
        ):
            acks[(found.message_id, found.person_id)] = found
    items = []
    for delivery, message in rows:
        ack = (
            acks.get((delivery.message_id, delivery.recipient_id))
            if delivery.recipient_kind == RecipientKind.PERSON.value
            else None
        )
        items.append(
            InboxItem.of(
                message,
                delivery_id=delivery.id,
                message_id=message.id,
                queued_at=message.created_at,
                state=delivery.state,
                ack_token=ack.token if ack and ack.acknowledged_at is None else None,
                acknowledged_at=ack.acknowledged_at if ack else None,
            )
        )
    return items


def list_acknowledgements(
    session: Session, actor: Actor, *, message_id: int | None = None, limit: int = 200
) -> list[AcknowledgementRead]:
    """Return the acknowledgements the actor may see (newest first)."""
    conditions = [_scope(actor, Acknowledgement.division_code)]
    if message_id is not None:
        conditions.append(Acknowledgement.message_id == message_id)
    rows = session.execute(
        select(Acknowledgement, ResponsiblePerson.name)
        .join(ResponsiblePerson, ResponsiblePerson.id == Acknowledgement.person_id)
        .where(*conditions)
        .order_by(Acknowledgement.id.desc())
        .limit(limit)
    ).all()
    return [AcknowledgementRead.of(a, person_name=name) for a, name in rows]


def find_acknowledgement_by_token(session: Session, token: str) -> AcknowledgementRead | None:
    """Return the acknowledgement a link's token names (the token is the credential)."""
    row = session.execute(
        select(Acknowledgement, ResponsiblePerson.name)
        .join(ResponsiblePerson, ResponsiblePerson.id == Acknowledgement.person_id)
        .where(Acknowledgement.token == token)
    ).first()
    if row is None:
        return None
    a, name = row
    return AcknowledgementRead.of(a, person_name=name)


def message_subject(session: Session, message_id: int) -> str | None:
    """Return a message's subject (for the acknowledgement page)."""
    return session.scalar(select(Message.subject).where(Message.id == message_id))


def broadcast_message_id(session: Session, source_kind: str, source_id: str) -> int | None:
    """Return the id of a source's broadcast message, or None before it was published."""
    return session.scalar(
        select(Message.id).where(Message.message_key == f"broadcast:{source_kind}:{source_id}")
    )
