"""Notify pages: recipient registers, the delivery dashboard, my notifications, the 叫应 link.

The registers (责任人, 预警发布终端) are registry-kit pages with Excel import. The dashboard
and the inbox read through the same scoped queries as the JSON API and write through the
same audited service. The acknowledgement link page needs no sign-in (the token is the
credential) but acknowledges only on an explicit POST, never on GET: SMS apps and link
previews open links by themselves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import require_role
from yingji.core.actor import system_actor
from yingji.core.clock import format_local
from yingji.core.errors import NotFound
from yingji.core.pagination import PageParams
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.notify import queries, service
from yingji.notify.api import STAFF_ROLES
from yingji.notify.registry import REGISTRIES
from yingji.notify.rules import (
    CHANNEL_LABELS,
    DELIVERY_STATE_LABELS,
    RECIPIENT_KIND_LABELS,
    DeliveryState,
)
from yingji.registry.page_parts import PAGE_SIZE
from yingji.registry.pages import build_pages
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

DASHBOARD = "/notify/deliveries"
INBOX = "/notify/inbox"
ACK = "/notify/ack/{token}"
_STAFF = frozenset(r.value for r in STAFF_ROLES)
_STATE_BADGES = {
    "queued": "badge-gray",
    "sent": "badge-blue",
    "delivered": "badge-green",
    "failed": "badge-red",
}


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10**6 else 1


def deliveries_page(request: Request, actor: PageActor, session: ReadSession, ctx: Ctx) -> Response:
    """Show delivery figures and the latest deliveries in the actor's jurisdiction."""
    tz = ctx.settings.timezone
    require_role(actor, _STAFF, "无权查看消息送达情况")
    q = request.query_params
    state = q.get("state") if q.get("state") in DELIVERY_STATE_LABELS else None
    channel = q.get("channel") if q.get("channel") in CHANNEL_LABELS else None
    params = PageParams(page=_page_number(q.get("page")), size=PAGE_SIZE)
    page = queries.page_deliveries(session, actor, params, {"state": state, "channel": channel})
    rows = [
        {
            "row": d,
            "channel": CHANNEL_LABELS.get(d.channel, d.channel),
            "kind": RECIPIENT_KIND_LABELS.get(d.recipient_kind, d.recipient_kind),
            "state": DELIVERY_STATE_LABELS.get(d.state, d.state),
            "badge": _STATE_BADGES.get(d.state, ""),
            "queued_at": format_local(d.queued_at, tz) or "—",
        }
        for d in page.items
    ]
    counts = queries.delivery_state_counts(session, actor)
    tiles = [
        (DELIVERY_STATE_LABELS[s.value], counts.get(s.value, 0), s.value) for s in DeliveryState
    ]
    acks = [
        {
            "row": a,
            "requested_at": format_local(a.requested_at, tz) or "—",
            "acknowledged_at": format_local(a.acknowledged_at, tz) or None,
        }
        for a in queries.list_acknowledgements(session, actor, limit=20)
    ]
    filter_query = urlencode({k: v for k, v in {"state": state, "channel": channel}.items() if v})
    context = {
        "title": "消息送达",
        "tiles": tiles,
        "rows": rows,
        "page": page,
        "acks": acks,
        "state": state or "",
        "channel": channel or "",
        "states": DELIVERY_STATE_LABELS,
        "channels": CHANNEL_LABELS,
        "filter_query": filter_query,
    }
    return render_page(request, actor, "notify/deliveries.html", context)


def inbox_page(request: Request, actor: PageActor, session: ReadSession, ctx: Ctx) -> Response:
    """Show the signed-in user's in-app messages, with 叫应 where it is asked for."""
    tz = ctx.settings.timezone
    items = [
        {"item": i, "queued_at": format_local(i.queued_at, tz) or "—"}
        for i in queries.inbox(session, actor)
    ]
    return render_page(request, actor, "notify/inbox.html", {"title": "我的消息", "items": items})


def inbox_ack(
    request: Request, delivery_id: int, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Acknowledge one of the user's own messages from the inbox."""
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.acknowledge(uow, delivery_id=delivery_id),
        done="已确认收到（叫应）",
        back=INBOX,
        catch=(),
    )


def _ack_context(session: Session, token: str) -> dict[str, Any]:
    ack = queries.find_acknowledgement_by_token(session, token)
    if ack is None:
        raise NotFound("叫应链接无效或已过期")
    return {
        "title": "确认收到（叫应）",
        "ack": ack,
        "subject": queries.message_subject(session, ack.message_id),
        "token": token,
    }


def ack_link_page(request: Request, token: str, session: ReadSession) -> Response:
    """Show the message a link acknowledges and the button that does it (no sign-in)."""
    return render_page(request, None, "notify/ack.html", _ack_context(session, token))


def ack_link_post(request: Request, token: str, form: CheckedForm, ctx: Ctx) -> Response:
    """Acknowledge through the link (no sign-in: the token is the credential)."""
    with ctx.uow(system_actor("ack-link")) as uow:
        service.acknowledge(uow, token=token)
        uow.commit()
    with ctx.session_factory() as session:
        context = _ack_context(session, token)
    return render_page(request, None, "notify/ack.html", context | {"done": True})


router.add_api_route(
    DASHBOARD,
    mark_nav(deliveries_page, NavEntry("monitoring", "消息送达", DASHBOARD, _STAFF)),
    methods=["GET"],
)
router.add_api_route(
    INBOX, mark_nav(inbox_page, NavEntry("services", "我的消息", INBOX)), methods=["GET"]
)
router.add_api_route(f"{INBOX}/{{delivery_id}}/ack", inbox_ack, methods=["POST"])
router.add_api_route(ACK, ack_link_page, methods=["GET"])
router.add_api_route(ACK, ack_link_post, methods=["POST"])

routers = [*(build_pages(spec) for spec in REGISTRIES), router]
