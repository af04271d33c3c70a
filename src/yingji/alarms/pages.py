"""Alarm pages: the board (open first, by level) with acknowledge and clear, the detail with
its history and escalation steps, promotion to a hazard or incident, and statistics.

Pages read through the same scoped queries and write through the same audited service as
the API. The board listens to ``/api/v1/alarms/stream`` (server-sent events, session cookie)
and reloads when the actor's alarms change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import has_role
from yingji.alarms import queries, service
from yingji.alarms.rules import (
    CLEAR_REASON_LABELS,
    LEVEL_LABELS,
    MANUAL_CLEAR_REASONS,
    STATE_LABELS,
)
from yingji.alarms.schemas import PromoteBody
from yingji.core.actor import Actor
from yingji.core.pagination import PageParams
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.geo.queries import division_names
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

BOARD = "/alarms"
STATS = "/alarms/stats"
LEVEL_BADGES = {
    "red": "badge-red",
    "orange": "badge-orange",
    "yellow": "badge-yellow",
    "blue": "badge-blue",
}
STATE_BADGES = {"active": "badge-red", "acknowledged": "badge-orange", "cleared": "badge-gray"}


def _common(request: Request, actor: Actor) -> dict[str, Any]:
    return {
        "level_badges": LEVEL_BADGES,
        "state_badges": STATE_BADGES,
        "state_labels": STATE_LABELS,
        "level_labels": LEVEL_LABELS,
        "clear_reasons": [(r.value, CLEAR_REASON_LABELS[r]) for r in MANUAL_CLEAR_REASONS],
        "can_handle": has_role(actor, service.HANDLER_ROLES),
        "can_promote": has_role(actor, service.PROMOTER_ROLES),
    }


def board_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the alarm board: open alarms first, the worst first; filters by state/level."""
    q = request.query_params
    state = q.get("state") or "open"
    if state not in {"open", "all", "active", "acknowledged", "cleared"}:
        state = "open"
    level = q.get("level") if q.get("level") in LEVEL_LABELS else None
    raw_page = q.get("page") or "1"
    number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10**6 else 1
    filters = {"state": None if state == "all" else state, "level": level}
    page = queries.page_alarms(session, actor, PageParams(page=number, size=50), filters)
    context = {
        "title": "报警看板",
        "page": page,
        "state": state,
        "level": level or "",
        "query": f"state={state}" + (f"&level={level}" if level else ""),
        **_common(request, actor),
    }
    return render_page(request, actor, "alarms/board.html", context)


def detail_page(
    alarm_id: int, request: Request, actor: PageActor, session: ReadSession
) -> Response:
    """Show one alarm with its figures, history and escalation steps."""
    alarm = queries.get_alarm(session, actor, alarm_id)
    code = alarm.division_code
    names = division_names(session, [code]) if code else {}
    context = {
        "title": f"报警详情 #{alarm.id}",
        "alarm": alarm,
        "division_name": names.get(code or "", code or "—"),
        **_common(request, actor),
    }
    return render_page(request, actor, "alarms/detail.html", context)


def stats_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show alarm statistics for the last N days (default 30)."""
    raw = request.query_params.get("days") or "30"
    days = int(raw) if raw.isdigit() and 0 < int(raw) <= 3660 else 30
    ctx: AppContext = request.app.state.ctx
    end = ctx.clock.now()
    stats = queries.alarm_stats(session, actor, start=end - timedelta(days=days))
    peak = max([x.count for x in stats.by_level] + [1])
    context = {
        "title": "报警统计",
        "stats": stats,
        "days": days,
        "peak": peak,
        "reason_labels": dict(CLEAR_REASON_LABELS),
        **_common(request, actor),
    }
    return render_page(request, actor, "alarms/stats.html", context)


def _back(form: FormData, alarm_id: int) -> str:
    target = str(form.get("next") or "")
    return (
        target
        if target in (BOARD, f"{BOARD}/{alarm_id}") or target.startswith(f"{BOARD}?")
        else f"{BOARD}/{alarm_id}"
    )


def acknowledge_post(
    alarm_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Acknowledge an alarm from the board or the detail page."""
    note = str(form.get("note") or "")[:1000]
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.acknowledge_alarm(uow, alarm_id, note=note),
        done="已确认报警",
        back=_back(form, alarm_id),
    )


def clear_post(
    alarm_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Clear an alarm with the chosen reason code."""
    reason = str(form.get("reason") or "") or None
    note = str(form.get("note") or "")[:1000]
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.clear_alarm(uow, alarm_id, reason=reason, note=note),
        done="已解除报警",
        back=_back(form, alarm_id),
    )


def promote_post(
    alarm_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Promote an alarm to a hazard or an incident draft."""
    target = str(form.get("target") or "")
    if target not in ("hazard", "incident"):
        flash(request, "请选择转为隐患或事件", "error")
        return RedirectResponse(f"{BOARD}/{alarm_id}", status_code=303)
    body = PromoteBody.model_validate(
        {"target": target, "title": str(form.get("title") or "")[:200] or None}
    )
    label = "隐患" if target == "hazard" else "事件"
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.promote_alarm(uow, alarm_id, body),
        done=f"已提交转{label}",
        back=f"{BOARD}/{alarm_id}",
    )


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("monitoring", title, url))


router.add_api_route(BOARD, _nav(board_page, "报警看板", BOARD), methods=["GET"])
router.add_api_route(STATS, _nav(stats_page, "报警统计", STATS), methods=["GET"])
router.add_api_route(f"{BOARD}/{{alarm_id}}", detail_page, methods=["GET"])
router.add_api_route(f"{BOARD}/{{alarm_id}}/acknowledge", acknowledge_post, methods=["POST"])
router.add_api_route(f"{BOARD}/{{alarm_id}}/clear", clear_post, methods=["POST"])
router.add_api_route(f"{BOARD}/{{alarm_id}}/promote", promote_post, methods=["POST"])

routers = [router]
