"""Periodic job: remind townships whose disaster report is overdue (once per duty)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from yingji.accounts.models import User
from yingji.accounts.rules import Role
from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.core.notices import NoticeRequested
from yingji.incidents.disaster_reports import queries
from yingji.incidents.disaster_reports.models import DisasterProcess, DisasterReportReminder
from yingji.incidents.disaster_reports.rules import KIND_LABELS


def remind_overdue_reports(ctx: Any, now: datetime) -> int:
    """Tell each township officer whose report is overdue; return how many duties were new."""
    actor = system_actor("disaster-report-reminder")
    sent = 0
    with ctx.uow(actor) as uow:
        session = uow.session
        processes = session.scalars(
            select(DisasterProcess).where(DisasterProcess.state.in_(["active", "stabilised"]))
        ).all()
        for process in processes:
            read = queries.process_read(session, actor, process.id, now)
            for township in read.townships:
                if not township.overdue or township.next_due_at is None or not township.next_kind:
                    continue
                key = (
                    f"{process.id}:{township.division_code}:{township.next_kind.value}:"
                    f"{township.next_due_at.isoformat()}"
                )
                if session.scalar(
                    select(DisasterReportReminder.id).where(DisasterReportReminder.key == key)
                ):
                    continue
                session.add(
                    DisasterReportReminder(
                        key=key,
                        process_id=process.id,
                        division_code=township.division_code,
                        kind=township.next_kind.value,
                        due_at=township.next_due_at,
                        sent_at=now,
                    )
                )
                officers = session.scalars(
                    select(User.id).where(
                        User.role == Role.TOWNSHIP_OFFICER.value,
                        User.division_code == township.division_code,
                        User.is_active.is_(True),
                    )
                ).all()
                label = KIND_LABELS[township.next_kind.value]
                uow.add_event(
                    NoticeRequested(
                        user_ids=list(officers),
                        subject=f"灾情{label}逾期：{process.name}",
                        body=(
                            f"{township.division_name}的{process.name}{label}已超过报送时限，"
                            "请尽快报送。"
                        ),
                        source_kind="disaster_process",
                        source_id=str(process.id),
                        dedupe_key=f"disaster-report:{key}",
                    )
                )
                uow.audit(
                    "incidents.disaster_process.remind",
                    "disaster_process",
                    process.id,
                    after={"division": township.division_code, "kind": township.next_kind.value},
                )
                sent += 1
        uow.commit()
    return sent


JOBS = [Job("disaster_reports.remind_overdue", 300, remind_overdue_reports)]
