"""Duty desk endpoints: roster (shifts by week), today's shift, leave, log, hand-overs,
and the Excel import of a roster."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Query, Response, UploadFile

from yingji.core.actor import Actor
from yingji.core.excel import MAX_UPLOAD_BYTES
from yingji.core.web.context import AppContext
from yingji.duty import excel, queries, service
from yingji.duty.schemas import (
    HandoverCreate,
    HandoverRead,
    LeaveCreate,
    LeaveRead,
    LogEntryCreate,
    LogEntryRead,
    ShiftCreate,
    ShiftRead,
    ShiftUpdate,
    TodayRead,
)
from yingji.duty.sources import OPEN_ITEM_SOURCES
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/duty"
router = APIRouter(tags=["值班值守"])
FIELD_ERRORS: dict[int | str, dict[str, object]] = {
    422: {"description": "排班冲突（同一人时段重叠、请假、缺岗），逐项指明字段"}
}


def _desk(actor: Actor, ctx: AppContext, division_code: str | None) -> str:
    return division_code or actor.division_code or ctx.settings.district_code


@router.get(f"{BASE}/shifts", response_model=list[ShiftRead], summary="排班表（默认本周）")
def list_shifts(
    actor: ApiActor,
    session: ReadSession,
    ctx: Ctx,
    start: datetime | None = None,
    end: datetime | None = None,
    division_code: str | None = None,
) -> list[ShiftRead]:
    """List the shifts overlapping [start, end) (default: the 7 days from ``start``/now)."""
    begin = start or ctx.clock.now()
    return queries.list_shifts(
        session, actor, begin, end or begin + timedelta(days=7), division_code=division_code
    )


@router.post(
    f"{BASE}/shifts",
    response_model=ShiftRead,
    status_code=201,
    summary="排班",
    responses=FIELD_ERRORS,
)
def create_shift(body: ShiftCreate, actor: ApiActor, ctx: Ctx) -> ShiftRead:
    """Roster a shift; conflicts are refused with 422 naming each field."""
    with ctx.uow(actor) as uow:
        read = service.create_shift(uow, body)
        uow.commit()
    return read


@router.get(f"{BASE}/shifts/{{shift_id}}", response_model=ShiftRead, summary="班次详情")
def get_shift(shift_id: int, actor: ApiActor, session: ReadSession) -> ShiftRead:
    """Return a shift the actor may see."""
    return queries.get_shift(session, actor, shift_id)


@router.patch(
    f"{BASE}/shifts/{{shift_id}}",
    response_model=ShiftRead,
    summary="调整班次",
    responses=FIELD_ERRORS,
)
def update_shift(shift_id: int, body: ShiftUpdate, actor: ApiActor, ctx: Ctx) -> ShiftRead:
    """Change a shift (the same conflict checks apply)."""
    with ctx.uow(actor) as uow:
        read = service.update_shift(uow, shift_id, body)
        uow.commit()
    return read


@router.post(
    f"{BASE}/shifts/import",
    response_model=list[ShiftRead],
    status_code=201,
    summary="Excel 导入排班（全部通过才写入）",
)
async def import_shifts(file: UploadFile, actor: ApiActor, ctx: Ctx) -> list[ShiftRead]:
    """Import a roster sheet; any error (parse or conflict) refuses the whole file."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    with ctx.uow(actor) as uow:
        reads = excel.import_roster(uow, content, timezone=ctx.settings.timezone)
        uow.commit()
    return reads


@router.get(f"{BASE}/shifts-template.xlsx", summary="排班导入模板")
def roster_template(actor: ApiActor) -> Response:
    """Return the roster import template."""
    return Response(
        excel.template(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="duty-roster.xlsx"'},
    )


@router.get(f"{BASE}/today", response_model=TodayRead, summary="当前值班")
def today(
    actor: ApiActor, session: ReadSession, ctx: Ctx, division_code: str | None = None
) -> TodayRead:
    """Return the desk's current and next shift and its open log items."""
    now = ctx.clock.now()
    desk = _desk(actor, ctx, division_code)
    current, upcoming = queries.today(session, actor, now, desk)
    notes = queries.list_log(session, actor, open_only=True, division_code=desk)
    return TodayRead(at=now, current=current, next=upcoming, open_notes=notes)


@router.post(f"{BASE}/leaves", response_model=LeaveRead, status_code=201, summary="登记请假")
def record_leave(body: LeaveCreate, actor: ApiActor, ctx: Ctx) -> LeaveRead:
    """Record a person's leave (refused when they are rostered then)."""
    with ctx.uow(actor) as uow:
        read = service.record_leave(uow, body)
        uow.commit()
    return read


@router.get(f"{BASE}/log", response_model=list[LogEntryRead], summary="值班日志")
def list_log(
    actor: ApiActor,
    session: ReadSession,
    start: datetime | None = None,
    end: datetime | None = None,
    open_only: bool = False,
    limit: int = Query(200, ge=1, le=1000),
) -> list[LogEntryRead]:
    """List duty log entries, newest first."""
    return queries.list_log(session, actor, start=start, end=end, open_only=open_only, limit=limit)


@router.post(f"{BASE}/log", response_model=LogEntryRead, status_code=201, summary="填写值班日志")
def add_log_entry(body: LogEntryCreate, actor: ApiActor, ctx: Ctx) -> LogEntryRead:
    """Write a log entry on the current shift (``is_open``: carried until closed)."""
    with ctx.uow(actor) as uow:
        read = service.add_log_entry(uow, body)
        uow.commit()
    return read


@router.post(f"{BASE}/log/{{entry_id}}/close", response_model=LogEntryRead, summary="办结值班事项")
def close_log_entry(entry_id: int, actor: ApiActor, ctx: Ctx) -> LogEntryRead:
    """Close an open log entry."""
    with ctx.uow(actor) as uow:
        read = service.close_log_entry(uow, entry_id)
        uow.commit()
    return read


@router.get(f"{BASE}/handovers", response_model=list[HandoverRead], summary="交接班记录")
def list_handovers(actor: ApiActor, session: ReadSession) -> list[HandoverRead]:
    """List the latest hand-overs."""
    return queries.list_handovers(session, actor)


@router.post(f"{BASE}/handovers", response_model=HandoverRead, status_code=201, summary="交班")
def hand_over(body: HandoverCreate, actor: ApiActor, ctx: Ctx) -> HandoverRead:
    """Hand the desk to the next shift with every open item."""
    with ctx.uow(actor) as uow:
        read = service.hand_over(uow, body, ctx.extensions.get(OPEN_ITEM_SOURCES))
        uow.commit()
    return read


@router.get(f"{BASE}/handovers/{{handover_id}}", response_model=HandoverRead, summary="交接班详情")
def get_handover(handover_id: int, actor: ApiActor, session: ReadSession) -> HandoverRead:
    """Return a hand-over with its carried items."""
    return queries.get_handover(session, actor, handover_id)


@router.post(
    f"{BASE}/handovers/{{handover_id}}/accept",
    response_model=HandoverRead,
    summary="接班确认（接班人员确认每项遗留事项）",
)
def accept_handover(handover_id: int, actor: ApiActor, ctx: Ctx) -> HandoverRead:
    """Take over the desk (only a person of the next shift)."""
    with ctx.uow(actor) as uow:
        read = service.accept_handover(uow, handover_id)
        uow.commit()
    return read


routers = [router]
