"""The demo district's duty desk: a 24-hour roster (08:30 to 08:30) for this week and the
next, and a few duty log entries, built through the duty services.

Uses the demo accounts: ``duty`` as 值班员, ``bureau`` as 备班, ``admin`` as 带班领导 (the
demo has no separate leader account). Skipped when the demo users are not seeded.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from yingji.accounts.queries import find_user_by_username
from yingji.core.clock import local_now, zone
from yingji.demo.state import SeedState
from yingji.duty.models import LogEntry, Shift
from yingji.duty.schemas import LogEntryCreate, ShiftCreate
from yingji.duty.service import add_log_entry, create_shift

HANDOVER_AT = time(8, 30)
DAYS = 14
PEOPLE = {"duty_officer": "duty", "backup": "bureau", "leader": "admin"}
LOG = [
    ("call", "区气象台来电：预计今夜有中到大雨，请关注地质灾害隐患点", True),
    ("report", "向市应急局报送今日值班信息（无突发事件）", False),
    ("note", "例行检查值班电话、卫星电话、视频会商系统，运行正常", False),
]


def seed(state: SeedState) -> None:
    """Roster the demo desk for two weeks and write the first log entries."""
    tally = state.tally("duty shifts 值班排班")
    session = state.uow.session
    users = {pos: find_user_by_username(session, name) for pos, name in PEOPLE.items()}
    if any(u is None for u in users.values()):
        return
    timezone = state.uow.settings.timezone
    now = local_now(state.uow.clock, timezone)
    monday = now.date() - timedelta(days=now.weekday())
    first = datetime.combine(monday - timedelta(days=1), HANDOVER_AT, zone(timezone))
    for day in range(DAYS + 1):
        starts = first + timedelta(days=day)
        exists = session.scalar(
            select(Shift.id).where(
                Shift.division_code == state.district_code, Shift.starts_at == starts
            )
        )
        if exists is not None:
            tally.existing += 1
            continue
        data = ShiftCreate.model_validate(
            {
                "starts_at": starts,
                "ends_at": starts + timedelta(days=1),
                "label": "全天班",
                "phone": "023-46712345",
                "division_code": state.district_code,
                "assignments": [
                    {"user_id": u.id, "position": pos} for pos, u in users.items() if u
                ],
            }
        )
        create_shift(state.uow, data)
        tally.created += 1
    log = state.tally("duty log 值班日志")
    for category, content, is_open in LOG:
        found = session.scalar(select(LogEntry.id).where(LogEntry.content == content))
        if found is not None:
            log.existing += 1
            continue
        add_log_entry(
            state.uow,
            LogEntryCreate(category=category, content=content, is_open=is_open),
            division_code=state.district_code,
        )
        log.created += 1
