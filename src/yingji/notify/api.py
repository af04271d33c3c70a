"""Notify JSON API: registers (via the registry kit), recipient counts, broadcasts,
coverage, deliveries, the in-app inbox and acknowledgement (叫应).

The acknowledgement link (``POST /api/v1/notify/ack/{token}``) needs no sign-in: the
unguessable token is the credential, as for the SMS link a village cadre taps.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.core.actor import Actor, system_actor
from yingji.core.pagination import Page, PageParams
from yingji.notify import queries, service
from yingji.notify.registry import REGISTRIES
from yingji.notify.schemas import (
    AcknowledgementRead,
    AcknowledgeRequest,
    BroadcastQueued,
    BroadcastRequest,
    CoverageRead,
    DeliveryRead,
    InboxItem,
    RecipientCount,
    TargetArea,
)
from yingji.registry.api import build_router
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/notify"
# Who may look at targeting figures and delivery coverage (not enterprises, not grid staff).
STAFF_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.BUREAU_STAFF,
        Role.DUTY_OFFICER,
        Role.TOWNSHIP_OFFICER,
        Role.DEPARTMENT_OFFICER,
    }
)

router = APIRouter(tags=["消息送达与叫应"])


def _staff(actor: Actor) -> None:
    require_role(actor, STAFF_ROLES, "无权查看消息送达情况")


@router.post(
    f"{BASE}/recipient-counts", response_model=RecipientCount, summary="统计范围内接收对象"
)
def recipient_counts(area: TargetArea, actor: ApiActor, session: ReadSession) -> RecipientCount:
    """Count persons, residents and devices in an area before publishing."""
    _staff(actor)
    return queries.count_recipients(session, area, actor)


@router.post(
    f"{BASE}/broadcasts", response_model=BroadcastQueued, status_code=201, summary="按范围发布消息"
)
def broadcast(body: BroadcastRequest, actor: ApiActor, ctx: Ctx) -> BroadcastQueued:
    """Queue a broadcast over an area (idempotent per source, recipient and channel)."""
    with ctx.uow(actor) as uow:
        queued = service.queue_broadcast(
            uow,
            source_kind=body.source_kind,
            source_id=body.source_id,
            area=body.area,
            channels=body.channels,
            subject=body.subject,
            body=body.body,
            require_ack=body.require_ack,
        )
        message_id = queries.broadcast_message_id(uow.session, body.source_kind, body.source_id)
        uow.commit()
    assert message_id is not None
    return BroadcastQueued(message_id=message_id, queued=queued)


@router.get(f"{BASE}/coverage", response_model=CoverageRead, summary="送达覆盖统计")
def coverage(
    source_kind: str, source_id: str, actor: ApiActor, session: ReadSession
) -> CoverageRead:
    """Return targeted / delivered / acknowledged figures of a source, by village."""
    _staff(actor)
    return queries.coverage(session, source_kind=source_kind, source_id=source_id, actor=actor)


@router.get(f"{BASE}/deliveries", response_model=Page[DeliveryRead], summary="送达记录")
def list_deliveries(
    actor: ApiActor,
    session: ReadSession,
    state: str | None = None,
    channel: str | None = None,
    message_id: int | None = None,
    division_code: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Page[DeliveryRead]:
    """List deliveries in the actor's jurisdiction, newest first."""
    _staff(actor)
    filters = {
        "state": state,
        "channel": channel,
        "message_id": message_id,
        "division_code": division_code,
    }
    return queries.page_deliveries(session, actor, PageParams(page=page, size=size), filters)


@router.get(f"{BASE}/deliveries/{{delivery_id}}", response_model=DeliveryRead, summary="送达详情")
def delivery_detail(delivery_id: int, actor: ApiActor, session: ReadSession) -> DeliveryRead:
    """Return one delivery (404 outside the actor's jurisdiction)."""
    _staff(actor)
    return queries.get_delivery(session, actor, delivery_id)


@router.get(f"{BASE}/inbox", response_model=list[InboxItem], summary="我的消息")
def my_inbox(actor: ApiActor, session: ReadSession) -> list[InboxItem]:
    """Return the signed-in user's in-app messages."""
    return queries.inbox(session, actor)


@router.get(
    f"{BASE}/acknowledgements", response_model=list[AcknowledgementRead], summary="叫应情况"
)
def list_acknowledgements(
    actor: ApiActor, session: ReadSession, message_id: int | None = None
) -> list[AcknowledgementRead]:
    """List acknowledgements in the actor's jurisdiction."""
    _staff(actor)
    return queries.list_acknowledgements(session, actor, message_id=message_id)


@router.post(f"{BASE}/acknowledgements", status_code=204, summary="叫应（确认收到）")
def acknowledge(body: AcknowledgeRequest, actor: ApiActor, ctx: Ctx) -> Response:
    """Acknowledge a message by one's own delivery id or by token."""
    with ctx.uow(actor) as uow:
        service.acknowledge(uow, delivery_id=body.delivery_id, token=body.token)
        uow.commit()
    return Response(status_code=204)


@router.post(f"{BASE}/ack/{{token}}", status_code=204, summary="叫应链接确认（无需登录）")
def acknowledge_by_link(token: str, ctx: Ctx) -> Response:
    """Acknowledge through the link sent to a responsible person."""
    with ctx.uow(system_actor("ack-link")) as uow:
        service.acknowledge(uow, token=token)
        uow.commit()
    return Response(status_code=204)


routers = [router, *(build_router(spec) for spec in REGISTRIES)]
