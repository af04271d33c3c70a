"""Notify writes: queue broadcasts and notices, dispatch deliveries, receipts, 叫应.

Takes a unit of work, never commits. Broadcasts select recipients with ``targeting`` and
queue residents' deliveries with one INSERT ... SELECT per channel (no Python loop over
residents); the few named persons and devices are inserted as one executemany.
May call accounts (users' phones) and geo (village boundaries); announces notify events.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, exists, insert, literal, select
from sqlalchemy.orm import Session

from yingji.accounts.queries import get_user
from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.core.actor import Actor
from yingji.core.errors import FieldError, NotFound, ValidationFailed
from yingji.core.notices import NoticeRequested
from yingji.core.uow import UnitOfWork
from yingji.notify import targeting
from yingji.notify.channels import ChannelAdapter, DuplicateSend, SendError, SendRequest
from yingji.notify.events import AcknowledgementEscalated, AcknowledgementReceived, BroadcastQueued
from yingji.notify.models import (
    Acknowledgement,
    BroadcastDevice,
    Delivery,
    Message,
    Resident,
    ResponsiblePerson,
)
from yingji.notify.rules import (
    DEFAULT_ACK,
    DEFAULT_RETRY,
    ESCALATION_STEPS,
    AckPolicy,
    Channel,
    DeliveryState,
    RecipientKind,
    RetryPolicy,
    channels_for,
    delivery_base,
    delivery_id,
    idempotency_key,
    message_id_range,
    unknown_channels,
)
from yingji.notify.rules import MACHINE as DELIVERY_MACHINE
from yingji.notify.schemas import TargetArea

# Roles that may publish to an area: the bureau, townships, and sector departments (气象,
# 水利 ... issue their own warnings). Grid members, inspectors and enterprises may not.
BROADCASTER_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.BUREAU_STAFF,
        Role.DUTY_OFFICER,
        Role.TOWNSHIP_OFFICER,
        Role.DEPARTMENT_OFFICER,
    }
)
# Where the acknowledgement link points (the page accepts the token without signing in).
ACK_PATH = "/notify/ack/"

_RESIDENT_COLUMNS = [
    "id",
    "message_id",
    "channel",
    "recipient_kind",
    "recipient_id",
    "division_code",
    "state",
    "attempts",
]


def ack_link(token: str) -> str:
    """Return the path a person opens to acknowledge (叫应)."""
    return f"{ACK_PATH}{token}"


# --- queuing ----------------------------------------------------------------------------


def queue_broadcast(
    uow: UnitOfWork,
    *,
    source_kind: str,
    source_id: str,
    area: TargetArea,
    channels: Sequence[str],
    subject: str,
    body: str,
    require_ack: bool,
) -> int:
    """Queue one delivery per recipient in ``area`` and channel; return how many were new.

    Idempotent per (source, recipient, channel): publishing the same source again (a retry,
    a widened area) queues only what is missing. With ``require_ack`` every named person
    reached must acknowledge (叫应); silence escalates (``escalate_silent``).
    """
    actor = uow.actor
    require_role(actor, BROADCASTER_ROLES, "无权发布消息", or_system=True)
    wanted = _checked_channels(channels)
    session = uow.session
    resolved = targeting.resolve_area(session, area)
    now = uow.clock.now()
    division = area.division_codes[0] if len(area.division_codes) == 1 else actor.division_code
    message, existed = _ensure_message(
        uow,
        key=f"broadcast:{source_kind}:{source_id}",
        purpose="broadcast",
        source_kind=source_kind,
        source_id=source_id,
        subject=subject,
        body=body,
        require_ack=require_ack,
        division_code=division,
    )
    queued = _queue_residents(uow, message, resolved, wanted, existed=existed)
    persons = targeting.select_persons(
        session, resolved, targeting.scope_for(actor, ResponsiblePerson.division_code)
    )
    devices = targeting.select_devices(
        session, resolved, targeting.scope_for(actor, BroadcastDevice.division_code)
    )
    rows: list[dict[str, Any]] = []
    for person in persons:
        rows.extend(_person_rows(message.id, person, wanted))
    for device in devices:
        for channel in channels_for(RecipientKind.DEVICE, wanted, has_user=False):
            if channel == device.kind:
                rows.append(
                    _row(
                        message.id,
                        channel,
                        RecipientKind.DEVICE,
                        device.id,
                        device.code,
                        device.division_code,
                    )
                )
    queued += _insert_rows(session, message, rows)
    acks = _request_acks(session, message, persons, now) if require_ack else 0
    uow.audit(
        "notify.message.queue_broadcast",
        Message.__tablename__,
        message.id,
        after={
            "source_kind": source_kind,
            "source_id": source_id,
            "channels": sorted(wanted),
            "division_codes": area.division_codes,
            "polygon": area.polygon is not None,
            "queued": queued,
            "acknowledgements": acks,
        },
    )
    uow.add_event(
        BroadcastQueued(
            message_id=message.id, source_kind=source_kind, source_id=source_id, queued=queued
        )
    )
    return queued


def deliver_notice(uow: UnitOfWork, notice: NoticeRequested) -> int:
    """Queue a notice to users (in-app, their phones) and bare numbers; deduped by its key."""
    session = uow.session
    wanted = frozenset(notice.channels) - set(unknown_channels(notice.channels))
    message, existed = _ensure_message(
        uow,
        key=f"notice:{notice.dedupe_key}",
        purpose="notice",
        source_kind=notice.source_kind,
        source_id=notice.source_id,
        subject=notice.subject,
        body=notice.body,
        require_ack=False,
        division_code=None,
    )
    if existed:
        return 0  # the same notice again (a replayed event, a retried job)
    rows: list[dict[str, Any]] = []
    for user_id in dict.fromkeys(notice.user_ids):
        try:
            user = get_user(session, user_id)
        except NotFound:
            continue
        if not user.is_active:
            continue
        for channel in sorted(wanted):
            if channel == Channel.IN_APP:
                address: str | None = str(user.id)
            elif channel in {Channel.SMS, Channel.VOICE, Channel.WECHAT}:
                address = user.phone
            else:
                address = None
            if address:
                rows.append(
                    _row(
                        message.id,
                        channel,
                        RecipientKind.USER,
                        user.id,
                        address,
                        user.division_code,
                    )
                )
    for index, phone in enumerate(dict.fromkeys(notice.phones), start=1):
        for channel in sorted(wanted & {Channel.SMS, Channel.VOICE, Channel.WECHAT}):
            rows.append(_row(message.id, channel, RecipientKind.PHONE, index, phone, None))
    queued = _insert_rows(session, message, rows)
    uow.audit(
        "notify.message.queue_notice",
        Message.__tablename__,
        message.id,
        after={"dedupe_key": notice.dedupe_key, "queued": queued, "source": notice.source_kind},
    )
    return queued


def _checked_channels(channels: Sequence[str]) -> frozenset[str]:
    bad = unknown_channels(list(channels))
    if bad or not channels:
        raise ValidationFailed([FieldError("channels", f"未知或缺少发布渠道：{'、'.join(bad)}")])
    return frozenset(channels)


def _ensure_message(
    uow: UnitOfWork,
    *,
    key: str,
    purpose: str,
    source_kind: str,
    source_id: str,
    subject: str,
    body: str,
    require_ack: bool,
    division_code: str | None,
) -> tuple[Message, bool]:
    session = uow.session
    stmt = select(Message).where(Message.message_key == key)
    if session.get_bind().dialect.name != "sqlite":
        # Two publishers of one source take turns (SQLite writers are serialised anyway).
        stmt = stmt.with_for_update()
    found = session.scalar(stmt)
    if found is not None:
        return found, True
    message = Message(
        message_key=key,
        purpose=purpose,
        source_kind=source_kind,
        source_id=source_id,
        subject=subject[:200],
        body=body,
        require_ack=require_ack,
        division_code=division_code,
        created_by=uow.actor.username,
        created_at=uow.clock.now(),
        pending=True,
        dispatch_cursor=0,
    )
    session.add(message)
    session.flush()
    return message, False


def _row(
    message_id: int,
    channel: str,
    kind: RecipientKind,
    recipient_id: int,
    address: str,
    division_code: str | None,
) -> dict[str, Any]:
    return {
        "id": delivery_id(message_id, str(channel), kind.value, recipient_id),
        "message_id": message_id,
        "channel": str(channel),
        "recipient_kind": kind.value,
        "recipient_id": recipient_id,
        "address": address,
        "division_code": division_code,
        "state": DeliveryState.QUEUED.value,
        "attempts": 0,
    }


def _person_rows(
    message_id: int, person: ResponsiblePerson, wanted: frozenset[str]
) -> list[dict[str, Any]]:
    rows = []
    for channel in channels_for(RecipientKind.PERSON, wanted, has_user=person.user_id is not None):
        address = str(person.user_id) if channel == Channel.IN_APP else person.phone
        rows.append(
            _row(
                message_id, channel, RecipientKind.PERSON, person.id, address, person.division_code
            )
        )
    return rows


def _insert_rows(session: Session, message: Message, rows: list[dict[str, Any]]) -> int:
    """Insert the rows not there yet (ids are per recipient and channel); return how many."""
    if not rows:
        return 0
    have: set[int] = set()
    for chunk in targeting.chunks([r["id"] for r in rows]):
        have.update(session.scalars(select(Delivery.id).where(Delivery.id.in_(chunk))))
    rows = [r for r in rows if r["id"] not in have]
    if rows:
        session.execute(insert(Delivery), rows)
        _wake(message)
    return len(rows)


def _wake(message: Message) -> None:
    # New rows may lie below the dispatcher's cursor (a widened re-publish): walk again.
    message.pending = True
    message.dispatch_cursor = 0


def _queue_residents(
    uow: UnitOfWork,
    message: Message,
    resolved: targeting.ResolvedArea,
    wanted: frozenset[str],
    *,
    existed: bool,
) -> int:
    session = uow.session
    channels = channels_for(RecipientKind.RESIDENT, wanted, has_user=False)
    if not channels or resolved.empty:
        return 0
    scope = targeting.scope_for(uow.actor, Resident.division_code)
    selections = [targeting.resident_sql_clause(resolved)]
    cut_ids = targeting.resident_ids_in_cut_villages(session, resolved, scope)
    selections.extend(Resident.id.in_(chunk) for chunk in targeting.chunks(cut_ids))
    total = 0
    for channel in channels:
        base = delivery_base(message.id, channel, RecipientKind.RESIDENT.value)
        new_id = literal(base, BigInteger) + Resident.id
        for where in selections:
            conditions = [where, scope]
            if existed:
                conditions.append(~exists().where(Delivery.id == new_id))
            chosen = (
                select(
                    new_id,
                    literal(message.id, Integer),
                    literal(channel, String),
                    literal(RecipientKind.RESIDENT.value, String),
                    Resident.id,
                    Resident.division_code,
                    literal(DeliveryState.QUEUED.value, String),
                    literal(0, Integer),
                )
                .where(*conditions)
                .order_by(Resident.id)
            )
            # PostgreSQL drivers report no row count for INSERT ... SELECT unless asked.
            result = session.execute(
                insert(Delivery).from_select(_RESIDENT_COLUMNS, chosen),
                execution_options={"preserve_rowcount": True},
            )
            total += max(int(getattr(result, "rowcount", 0) or 0), 0)
    if total:
        _wake(message)
    return total


def _request_acks(
    session: Session, message: Message, persons: Iterable[ResponsiblePerson], now: datetime
) -> int:
    have = set(
        session.scalars(
            select(Acknowledgement.person_id).where(Acknowledgement.message_id == message.id)
        )
    )
    rows = [
        {
            "message_id": message.id,
            "person_id": person.id,
            "token": secrets.token_urlsafe(24),
            "division_code": person.division_code,
            "requested_at": now,
            "escalation_step": 0,
        }
        for person in persons
        if person.id not in have
    ]
    if rows:
        session.execute(insert(Acknowledgement), rows)
    return len(rows)


# --- dispatching --------------------------------------------------------------------------


def dispatch_due(
    uow: UnitOfWork,
    channels: Mapping[str, ChannelAdapter],
    *,
    limit: int = 500,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> int:
    """Send up to ``limit`` due deliveries through their channels; return how many.

    Retries whose backoff has passed go first, then deliveries never attempted, message by
    message in id order (each message keeps its cursor, so a restarted worker resumes).
    Each attempt hands the adapter the delivery's idempotency key; a channel that already
    accepted the key (we crashed before committing last time) answers DuplicateSend and the
    delivery is marked sent without a second send. The batch is audited as one row.
    """
    session = uow.session
    now = uow.clock.now()
    locking = session.get_bind().dialect.name != "sqlite"
    due = (
        select(Delivery)
        .where(
            Delivery.next_attempt_at.is_not(None),
            Delivery.next_attempt_at <= now,
            Delivery.state == DeliveryState.QUEUED.value,
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if locking:
        # Several workers share the queue: each takes rows nobody else holds.
        due = due.with_for_update(skip_locked=True)
    batch = list(session.scalars(due))
    messages: dict[int, Message] = {}
    if len(batch) < limit:
        pending = select(Message).where(Message.pending.is_(True)).order_by(Message.id)
        if locking:
            pending = pending.with_for_update(skip_locked=True)
        for message in session.scalars(pending.limit(50)):
            messages[message.id] = message
            first, last = message_id_range(message.id)
            fresh = list(
                session.scalars(
                    select(Delivery)
                    .where(
                        Delivery.id > max(message.dispatch_cursor, first - 1),
                        Delivery.id <= last,
                        Delivery.state == DeliveryState.QUEUED.value,
                        Delivery.next_attempt_at.is_(None),
                    )
                    .order_by(Delivery.id)
                    .limit(limit - len(batch))
                )
            )
            batch.extend(fresh)
            if fresh:
                message.dispatch_cursor = fresh[-1].id
            if len(batch) >= limit:
                break  # the batch is full: this message may hold more
            message.pending = False  # walked to its end
    if not batch:
        return 0
    _send_batch(uow, batch, messages, channels, now, retry)
    return len(batch)


def _send_batch(
    uow: UnitOfWork,
    batch: list[Delivery],
    messages: dict[int, Message],
    channels: Mapping[str, ChannelAdapter],
    now: datetime,
    retry: RetryPolicy,
) -> None:
    session = uow.session
    missing = {d.message_id for d in batch} - set(messages)
    if missing:
        messages.update(
            {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(missing)))}
        )
    resident_ids = [d.recipient_id for d in batch if d.recipient_kind == RecipientKind.RESIDENT]
    phones: dict[int, str] = {}
    for chunk in targeting.chunks(resident_ids):
        phones.update(
            {
                i: p
                for i, p in session.execute(
                    select(Resident.id, Resident.phone).where(Resident.id.in_(chunk))
                )
            }
        )
    tokens = {
        (a.message_id, a.person_id): a.token
        for a in session.scalars(
            select(Acknowledgement).where(
                Acknowledgement.message_id.in_({d.message_id for d in batch}),
                Acknowledgement.acknowledged_at.is_(None),
            )
        )
    }
    tally = {"sent": 0, "delivered": 0, "retry": 0, "failed": 0}
    for delivery in batch:
        message = messages[delivery.message_id]
        body = message.body
        token = tokens.get((delivery.message_id, delivery.recipient_id))
        if token and delivery.recipient_kind == RecipientKind.PERSON.value:
            body = f"{body}\n请确认收到（叫应）：{ack_link(token)}"
        address = delivery.address
        if delivery.recipient_kind == RecipientKind.RESIDENT.value:
            address = phones.get(delivery.recipient_id)
        adapter = channels.get(delivery.channel)
        outcome = _attempt(delivery, adapter, address, message, body, now, retry)
        tally[outcome] += 1
    uow.audit(
        "notify.delivery.dispatch",
        Delivery.__tablename__,
        f"{batch[0].id}-{batch[-1].id}",
        after={"count": len(batch), **tally},
    )


def _attempt(
    delivery: Delivery,
    adapter: ChannelAdapter | None,
    address: str | None,
    message: Message,
    body: str,
    now: datetime,
    retry: RetryPolicy,
) -> str:
    delivery.attempts += 1
    if adapter is None:
        return _fail(delivery, "渠道未接入", now)
    if not address:
        return _fail(delivery, "无接收地址", now)
    request = SendRequest(
        idempotency_key=idempotency_key(delivery.id),
        address=address,
        subject=message.subject,
        body=body,
    )
    try:
        result = adapter.send(request)
    except DuplicateSend as dup:
        _move(delivery, "send")
        delivery.sent_at = delivery.sent_at or now
        delivery.provider_ref = dup.provider_ref
        delivery.next_attempt_at = None
        return "sent"
    except SendError as exc:
        if exc.transient and not retry.gives_up(delivery.attempts):
            delivery.next_attempt_at = now + retry.backoff(delivery.attempts)
            delivery.last_error = exc.reason[:300]
            return "retry"
        return _fail(delivery, exc.reason, now)
    delivery.sent_at = now
    delivery.provider_ref = result.provider_ref
    delivery.last_error = None
    delivery.next_attempt_at = None
    _move(delivery, "send")
    if result.delivered:
        # A channel that delivers as it accepts (the in-app inbox) is sent and delivered in
        # one attempt: two steps of the table, so queued → delivered never skips "sent".
        _move(delivery, "deliver")
        delivery.finished_at = now
        return "delivered"
    return "sent"


def _move(delivery: Delivery, action: str) -> None:
    """Move a delivery on by ``action`` through the delivery machine (409 when illegal)."""
    delivery.state = DELIVERY_MACHINE.next_state(delivery.state, action)


def _fail(delivery: Delivery, reason: str, now: datetime) -> str:
    _move(delivery, "fail")
    delivery.next_attempt_at = None
    delivery.finished_at = now
    delivery.last_error = reason[:300]
    return "failed"


def record_receipt(
    uow: UnitOfWork, delivery_id: int, *, delivered: bool, reason: str | None = None
) -> None:
    """Record a channel's receipt for a sent delivery (delivered, or failed with a reason)."""
    delivery = uow.session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound("送达记录不存在")
    target = DeliveryState.DELIVERED if delivered else DeliveryState.FAILED
    if delivery.state == target.value:
        return  # the same receipt twice
    before = {"state": delivery.state}
    _move(delivery, "deliver" if delivered else "fail")
    delivery.finished_at = uow.clock.now()
    if reason:
        delivery.last_error = reason[:300]
    uow.audit(
        "notify.delivery.record_receipt",
        Delivery.__tablename__,
        delivery.id,
        before=before,
        after={"state": target.value},
        reason=reason,
    )


# --- acknowledgement (叫应) ----------------------------------------------------------------


def acknowledge(
    uow: UnitOfWork, *, delivery_id: int | None = None, token: str | None = None
) -> None:
    """Record a named person's 叫应, by the link's token or by a delivery of theirs."""
    session = uow.session
    if token:
        ack = session.scalar(select(Acknowledgement).where(Acknowledgement.token == token))
        via = "link"
    elif delivery_id is not None:
        ack, via = _ack_for_delivery(session, uow.actor, delivery_id)
    else:
        raise ValidationFailed([FieldError("token", "请提供叫应链接或送达记录")])
    if ack is None:
        raise NotFound("叫应记录不存在")
    if ack.acknowledged_at is not None:
        return  # acknowledging twice changes nothing
    ack.acknowledged_at = uow.clock.now()
    ack.acknowledged_via = via
    message = session.get(Message, ack.message_id)
    assert message is not None
    uow.audit(
        "notify.acknowledgement.acknowledge",
        Acknowledgement.__tablename__,
        ack.id,
        after={"acknowledged_via": via, "message_id": ack.message_id},
    )
    uow.add_event(
        AcknowledgementReceived.of(
            ack,
            acknowledgement_id=ack.id,
            source_kind=message.source_kind,
            source_id=message.source_id,
        )
    )


def _ack_for_delivery(
    session: Session, actor: Actor, delivery_id: int
) -> tuple[Acknowledgement | None, str]:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.recipient_kind != RecipientKind.PERSON.value:
        raise NotFound("送达记录不存在")
    person = session.get(ResponsiblePerson, delivery.recipient_id)
    # Only the person themselves acknowledges through their own delivery.
    if person is None or actor.user_id is None or person.user_id != actor.user_id:
        raise NotFound("送达记录不存在")
    ack = session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.message_id == delivery.message_id,
            Acknowledgement.person_id == person.id,
        )
    )
    return ack, delivery.channel


def escalate_silent(uow: UnitOfWork, *, policy: AckPolicy = DEFAULT_ACK, limit: int = 200) -> int:
    """Escalate acknowledgements left silent past the policy; return how many steps fired.

    Step 1 calls the person (voice); step 2 tells their superior by SMS, voice and in-app.
    The step is stored with the acknowledgement and each step's message has a unique key,
    so running the job again (or twice at once) fires no step twice.
    """
    session = uow.session
    now = uow.clock.now()
    pending = list(
        session.scalars(
            select(Acknowledgement)
            .where(
                Acknowledgement.acknowledged_at.is_(None),
                Acknowledgement.escalation_step < len(ESCALATION_STEPS),
            )
            .order_by(Acknowledgement.id)
        )
    )
    fired = 0
    for ack in pending:
        due = policy.next_step_due(ack.escalation_step, ack.requested_at, ack.escalated_at)
        if due is None or due > now:
            continue
        _escalate(uow, ack, now)
        fired += 1
        if fired >= limit:
            break
    return fired


def _escalate(uow: UnitOfWork, ack: Acknowledgement, now: datetime) -> None:
    session = uow.session
    step = ack.escalation_step + 1
    message = session.get(Message, ack.message_id)
    person = session.get(ResponsiblePerson, ack.person_id)
    assert message is not None
    assert person is not None
    link = ack_link(ack.token)
    told: list[int] = []
    if step == 1:
        escalation, _ = _ensure_message(
            uow,
            key=f"escalation:{ack.id}:{step}",
            purpose="escalation",
            source_kind=message.source_kind,
            source_id=message.source_id,
            subject=f"【叫应提醒】{message.subject}",
            body=f"{message.body}\n请确认收到（叫应）：{link}",
            require_ack=False,
            division_code=ack.division_code,
        )
        rows = [
            _row(
                escalation.id,
                Channel.VOICE,
                RecipientKind.PERSON,
                person.id,
                person.phone,
                person.division_code,
            )
        ]
        _insert_rows(session, escalation, rows)
        told.append(person.id)
    else:
        superior = (
            session.get(ResponsiblePerson, person.superior_id) if person.superior_id else None
        )
        if superior is not None and superior.retired_at is None:
            escalation, _ = _ensure_message(
                uow,
                key=f"escalation:{ack.id}:{step}",
                purpose="escalation",
                source_kind=message.source_kind,
                source_id=message.source_id,
                subject=f"【未叫应】{person.name}未确认：{message.subject}",
                body=(
                    f"{person.name}（{person.phone}）收到以下消息后未确认，请督促落实：\n"
                    f"{message.body}"
                ),
                require_ack=False,
                division_code=ack.division_code,
            )
            wanted = frozenset({Channel.SMS.value, Channel.VOICE.value, Channel.IN_APP.value})
            _insert_rows(session, escalation, _person_rows(escalation.id, superior, wanted))
            told.append(superior.id)
    before = {"escalation_step": ack.escalation_step}
    ack.escalation_step = step
    ack.escalated_at = now
    uow.audit(
        "notify.acknowledgement.escalate",
        Acknowledgement.__tablename__,
        ack.id,
        before=before,
        after={"escalation_step": step, "told_person_ids": told},
        reason=None if told else "无上级责任人，未能上报",
    )
    uow.add_event(
        AcknowledgementEscalated.of(
            ack,
            acknowledgement_id=ack.id,
            step=step,
            source_kind=message.source_kind,
            source_id=message.source_id,
        )
    )
