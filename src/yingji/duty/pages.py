"""Duty desk pages: today's shift, the roster (week view, with the add-shift form), the
hand-over form with the open items it will carry, and the duty log.

Pages use the same scoped queries and audited services as the API; a refused roster (a
conflict) is shown again with every reason by its field.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.models import User
from yingji.accounts.pages import render_page
from yingji.accounts.queries import person_choices
from yingji.accounts.rules import Role
from yingji.accounts.schemas import has_role
from yingji.core.actor import Actor
from yingji.core.clock import local_today, zone
from yingji.core.errors import DomainError, FieldError
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.duty import queries, service
from yingji.duty.rules import LOG_CATEGORY_LABELS, POSITION_LABELS
from yingji.duty.schemas import HandoverCreate, LogEntryCreate, ShiftCreate
from yingji.duty.sources import OPEN_ITEM_SOURCES, open_items
from yingji.web.actions import act
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

TODAY, ROSTER, HANDOVER, LOG = "/duty", "/duty/roster", "/duty/handover", "/duty/log"
WEEKDAYS = "一二三四五六日"
# The duty desk belongs to the emergency bureau and the townships; others have no menu entry.
_DESK_ROLES = frozenset(
    r.value for r in (Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER, Role.TOWNSHIP_OFFICER)
)


def _desk(request: Request, actor: Actor) -> str:
    return actor.division_code or str(request.app.state.ctx.settings.district_code)


def _now(request: Request) -> datetime:
    ctx: AppContext = request.app.state.ctx
    return ctx.clock.now()


def _common(request: Request, actor: Actor) -> dict[str, Any]:
    return {
        "can_roster": has_role(actor, service.ROSTER_WRITERS),
        "can_write": has_role(actor, service.DESK_WRITERS),
        "position_labels": POSITION_LABELS,
        "categories": LOG_CATEGORY_LABELS,
    }


def today_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the desk now: the shift on duty, the next one, open items."""
    desk = _desk(request, actor)
    current, upcoming = queries.today(session, actor, _now(request), desk)
    notes = queries.list_log(session, actor, open_only=True, division_code=desk)
    context = {
        "title": "值班值守",
        "current": current,
        "upcoming": upcoming,
        "notes": notes,
        "items": open_items(session, desk, request.app.state.ctx.extensions.get(OPEN_ITEM_SOURCES)),
        **_common(request, actor),
    }
    return render_page(request, actor, "duty/today.html", context)


def _week_start(request: Request) -> date:
    raw = request.query_params.get("week") or ""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        ctx: AppContext = request.app.state.ctx
        day = local_today(ctx.settings.timezone, ctx.clock.now())
    return day - timedelta(days=day.weekday())


def _people(session: Session) -> list[tuple[int, str]]:
    stmt = (
        select(User.id, User.display_name, User.username)
        .where(User.is_active.is_(True), User.enterprise_id.is_(None))
        .order_by(User.display_name, User.id)
    )
    return person_choices((uid, name, login) for uid, name, login in session.execute(stmt))


def _roster_page(
    request: Request,
    actor: Actor,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Response:
    monday = _week_start(request) if form is None else date.fromisoformat(form["week"])
    ctx: AppContext = request.app.state.ctx
    tz = zone(ctx.settings.timezone)
    start = datetime.combine(monday, time(0), tz)
    shifts = queries.list_shifts(session, actor, start, start + timedelta(days=7))
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        lo = datetime.combine(day, time(0), tz)
        hi = lo + timedelta(days=1)
        days.append(
            {
                "date": day,
                "label": f"周{WEEKDAYS[offset]} {day:%m-%d}",
                "shifts": [s for s in shifts if s.starts_at < hi and s.ends_at > lo],
            }
        )
    context = {
        "title": "排班表",
        "days": days,
        "week": monday.isoformat(),
        "prev": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "people": _people(session),
        "form": form or {"date": monday.isoformat(), "start": "08:30", "end": "08:30"},
        "errors": errors or [],
        **_common(request, actor),
    }
    return render_page(request, actor, "duty/roster.html", context, status)


def roster_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the week's roster (Monday to Sunday) and the add-shift form."""
    return _roster_page(request, actor, session)


def create_shift_post(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Roster a shift from the form; show conflicts by their field."""
    values = {
        k: str(form.get(k) or "").strip()
        for k in (
            "week",
            "date",
            "start",
            "end",
            "label",
            "leader",
            "duty_officer",
            "backup",
            "phone",
        )
    }
    if not values["week"]:
        values["week"] = _week_start(request).isoformat()
    errors: list[FieldError] = []
    tz = zone(ctx.settings.timezone)
    try:
        day = date.fromisoformat(values["date"])
        starts = datetime.combine(day, time.fromisoformat(values["start"]), tz)
        ends = datetime.combine(day, time.fromisoformat(values["end"]), tz)
        if ends <= starts:
            ends += timedelta(days=1)  # a night shift ends the next morning
    except ValueError:
        errors.append(FieldError("date", "请填写正确的日期和时间"))
    assignments: list[dict[str, Any]] = [
        {"user_id": int(values[p]), "position": p}
        for p in ("leader", "duty_officer", "backup")
        if values[p].isdigit()
    ]
    if not errors:
        data = ShiftCreate.model_validate(
            {
                "starts_at": starts,
                "ends_at": ends,
                "label": values["label"][:40],
                "phone": values["phone"][:40] or None,
                "assignments": assignments,
            }
        )
        try:
            with ctx.uow(actor) as uow:
                service.create_shift(uow, data)
                uow.commit()
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors = list(exc.errors) or [FieldError("form", exc.detail)]
        else:
            flash(request, "已排班")
            return RedirectResponse(f"{ROSTER}?week={values['week']}", status_code=303)
    # Name the position, not the list index, next to each reason.
    named = []
    for e in errors:
        where = e.field
        if where.startswith("assignments.") and where.split(".")[1].isdigit():
            index = int(where.split(".")[1])
            if index < len(assignments):
                where = POSITION_LABELS[assignments[index]["position"]]
        elif where == "assignments":
            where = "岗位"
        named.append(FieldError(where, e.reason))
    with ctx.session_factory() as session:
        return _roster_page(request, actor, session, form=values, errors=named, status=422)


def handover_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the hand-over form (next shifts, items it will carry) and recent hand-overs."""
    desk = _desk(request, actor)
    now = _now(request)
    upcoming = [
        s
        for s in queries.list_shifts(session, actor, now, now + timedelta(days=2))
        if s.starts_at > now and s.division_code == desk
    ]
    notes = queries.list_log(session, actor, open_only=True, division_code=desk)
    context = {
        "title": "交接班",
        "upcoming": upcoming,
        "items": open_items(session, desk, request.app.state.ctx.extensions.get(OPEN_ITEM_SOURCES)),
        "notes": notes,
        "handovers": queries.list_handovers(session, actor, limit=20),
        "me": actor.user_id,
        **_common(request, actor),
    }
    return render_page(request, actor, "duty/handover.html", context)


def handover_post(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Hand the desk over to the chosen shift."""
    raw = str(form.get("to_shift_id") or "")
    if not raw.isdigit():
        flash(request, "请选择接班班次", "error")
        return RedirectResponse(HANDOVER, status_code=303)
    body = HandoverCreate(to_shift_id=int(raw), notes=str(form.get("notes") or "")[:4000])
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.hand_over(uow, body, ctx.extensions.get(OPEN_ITEM_SOURCES)),
        done="已交班，等待接班人员确认",
        back=HANDOVER,
    )


def accept_post(
    handover_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Take over the desk (a person of the next shift)."""
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.accept_handover(uow, handover_id),
        done="已确认接班",
        back=HANDOVER,
    )


def log_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the duty log, newest first, with the entry form."""
    context = {
        "title": "值班日志",
        "entries": queries.list_log(session, actor, limit=200),
        **_common(request, actor),
    }
    return render_page(request, actor, "duty/log.html", context)


def log_post(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Write a log entry."""
    content = str(form.get("content") or "").strip()
    if not content:
        flash(request, "请填写日志内容", "error")
        return RedirectResponse(LOG, status_code=303)
    body = LogEntryCreate(
        category=str(form.get("category") or "note"),
        content=content[:4000],
        is_open=form.get("is_open") == "1",
    )
    return act(
        request, ctx, actor, lambda uow: service.add_log_entry(uow, body), done="已记录", back=LOG
    )


def close_post(
    entry_id: int, request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx
) -> Response:
    """Close an open log entry."""
    return act(
        request,
        ctx,
        actor,
        lambda uow: service.close_log_entry(uow, entry_id),
        done="已办结",
        back=LOG,
    )


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("response", title, url, _DESK_ROLES))


router.add_api_route(TODAY, _nav(today_page, "值班值守", TODAY), methods=["GET"])
router.add_api_route(ROSTER, _nav(roster_page, "排班表", ROSTER), methods=["GET"])
router.add_api_route(ROSTER, create_shift_post, methods=["POST"])
router.add_api_route(HANDOVER, _nav(handover_page, "交接班", HANDOVER), methods=["GET"])
router.add_api_route(HANDOVER, handover_post, methods=["POST"])
router.add_api_route(f"{HANDOVER}/{{handover_id}}/accept", accept_post, methods=["POST"])
router.add_api_route(LOG, _nav(log_page, "值班日志", LOG), methods=["GET"])
router.add_api_route(LOG, log_post, methods=["POST"])
router.add_api_route(f"{LOG}/{{entry_id}}/close", close_post, methods=["POST"])

routers = [router]
