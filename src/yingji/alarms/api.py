"""Alarm endpoints: the board list, detail with history, acknowledge, clear, promote, stats,
and a server-sent-events stream that says when the actor's alarms changed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from yingji.alarms import queries, service
from yingji.alarms.rules import Level
from yingji.alarms.schemas import (
    AcknowledgeBody,
    AlarmDetail,
    AlarmRead,
    AlarmStats,
    ClearBody,
    PromoteBody,
)
from yingji.core.actor import Actor
from yingji.core.pagination import Page, PageParams
from yingji.core.web.context import AppContext
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/alarms"
router = APIRouter(tags=["报警"])
# How often the stream looks at the database, and how long one stream lives (the browser's
# EventSource reconnects by itself; short streams keep workers from being held for ever).
POLL_SECONDS = 2.0
STREAM_SECONDS = 300.0


@router.get(BASE, response_model=Page[AlarmRead], summary="报警列表（未确认在前，按等级）")
def list_alarms(
    actor: ApiActor,
    session: ReadSession,
    state: Literal["active", "acknowledged", "cleared", "open"] | None = None,
    level: Level | None = None,
    division_code: str | None = None,
    enterprise_id: int | None = None,
    device_code: str | None = None,
    page: int = Query(1, ge=1),
    size: int = Query(20, ge=1, le=200),
) -> Page[AlarmRead]:
    """List the alarms the actor may see: open first, the worst first, newest first."""
    filters: dict[str, Any] = {
        "state": state,
        "level": level.value if level else None,
        "division_code": division_code,
        "enterprise_id": enterprise_id,
        "device_code": device_code,
    }
    return queries.page_alarms(session, actor, PageParams(page=page, size=size), filters)


@router.get(f"{BASE}/stats", response_model=AlarmStats, summary="报警统计")
def alarm_stats(
    actor: ApiActor,
    session: ReadSession,
    start: datetime | None = None,
    end: datetime | None = None,
    division_code: str | None = None,
) -> AlarmStats:
    """Return counts by level, time to acknowledge (median/p90) and the false-alarm share."""
    return queries.alarm_stats(session, actor, start=start, end=end, division_code=division_code)


def _token(ctx: AppContext, actor: Actor) -> str:
    with ctx.session_factory() as session:
        return queries.last_change(session, actor)


async def change_stream(
    ctx: AppContext, actor: Actor, request: Request, *, poll: float, lifetime: float
) -> AsyncIterator[str]:
    """Yield an SSE ``change`` event whenever the actor's alarms change (polls the DB)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lifetime
    last: str | None = None
    yield "retry: 5000\n\n"
    while loop.time() < deadline:
        # The poll is a blocking query: run it off the event loop.
        token = await asyncio.to_thread(_token, ctx, actor)
        if token != last:
            if last is not None:
                yield f"event: change\ndata: {token}\n\n"
            else:
                yield f"event: hello\ndata: {token}\n\n"
            last = token
        else:
            yield ": keep-alive\n\n"
        if await request.is_disconnected():
            return
        await asyncio.sleep(poll)


@router.get(f"{BASE}/stream", summary="报警变化推送（text/event-stream）")
async def alarm_stream(request: Request, actor: ApiActor, ctx: Ctx) -> StreamingResponse:
    """Stream ``change`` events when the actor's alarms change; clients then reload."""
    poll = float(request.query_params.get("poll", POLL_SECONDS))
    lifetime = float(request.query_params.get("lifetime", STREAM_SECONDS))
    poll = min(max(poll, 0.05), 30.0)
    lifetime = min(max(lifetime, 0.0), STREAM_SECONDS)
    return StreamingResponse(
        change_stream(ctx, actor, request, poll=poll, lifetime=lifetime),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(f"{BASE}/{{alarm_id}}", response_model=AlarmDetail, summary="报警详情与处置记录")
def get_alarm(alarm_id: int, actor: ApiActor, session: ReadSession) -> AlarmDetail:
    """Return an alarm with its history and escalation steps."""
    return queries.get_alarm(session, actor, alarm_id)


def _after(ctx: AppContext, actor: Actor, alarm_id: int) -> AlarmDetail:
    with ctx.session_factory() as session:
        return queries.get_alarm(session, actor, alarm_id)


@router.post(f"{BASE}/{{alarm_id}}/acknowledge", response_model=AlarmDetail, summary="确认报警")
def acknowledge(
    alarm_id: int, actor: ApiActor, ctx: Ctx, body: AcknowledgeBody | None = None
) -> AlarmDetail:
    """Take charge of an active alarm (409 in any other state)."""
    with ctx.uow(actor) as uow:
        service.acknowledge_alarm(uow, alarm_id, note=body.note if body else "")
        uow.commit()
    return _after(ctx, actor, alarm_id)


@router.post(
    f"{BASE}/{{alarm_id}}/clear",
    response_model=AlarmDetail,
    summary="人工解除报警（须选择原因：real/false/maintenance/test）",
)
def clear(alarm_id: int, body: ClearBody, actor: ApiActor, ctx: Ctx) -> AlarmDetail:
    """Clear an open alarm with a reason code (422 without one, 409 when already cleared)."""
    with ctx.uow(actor) as uow:
        service.clear_alarm(uow, alarm_id, reason=body.reason, note=body.note)
        uow.commit()
    return _after(ctx, actor, alarm_id)


@router.post(
    f"{BASE}/{{alarm_id}}/promote",
    response_model=AlarmDetail,
    status_code=202,
    summary="报警转隐患或事件（异步生成，每个目标一次）",
)
def promote(alarm_id: int, body: PromoteBody, actor: ApiActor, ctx: Ctx) -> AlarmDetail:
    """Announce that the alarm opens a hazard or an incident draft."""
    with ctx.uow(actor) as uow:
        service.promote_alarm(uow, alarm_id, body)
        uow.commit()
    return _after(ctx, actor, alarm_id)


routers = [router]
