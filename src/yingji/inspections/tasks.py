"""Inspection jobs: remind the officers of a case whose rectification deadline has passed to
re-inspect it (整改复查, within 10 days of the deadline in common practice — M).

Progress is kept on the case (``reminded_deadline``), so a re-run or a restarted worker
reminds nobody twice for the same deadline; a new order (new deadline) reminds again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from yingji.core.actor import system_actor
from yingji.core.clock import local_today
from yingji.core.jobs import Job
from yingji.core.notices import NoticeRequested
from yingji.core.uow import UnitOfWork
from yingji.inspections import queries
from yingji.inspections.models import InspectionCase
from yingji.inspections.rules import DEFAULT_CONFIG, CaseState, InspectionConfig


def remind_reinspection(
    uow: UnitOfWork, now: datetime, *, config: InspectionConfig = DEFAULT_CONFIG
) -> int:
    """Tell each overdue ordered case's officers once per deadline; return how many."""
    today = local_today(config.timezone, now)
    stmt = select(InspectionCase).where(
        InspectionCase.state == CaseState.ORDERED.value,
        InspectionCase.rectify_deadline < today,
        or_(
            InspectionCase.reminded_deadline.is_(None),
            InspectionCase.reminded_deadline != InspectionCase.rectify_deadline,
        ),
    )
    done = 0
    for case in uow.session.scalars(stmt.order_by(InspectionCase.id)):
        assert case.rectify_deadline is not None
        facts = queries.enterprise_facts(uow.session, [case.enterprise_id]).get(case.enterprise_id)
        name = facts.name if facts else f"企业{case.enterprise_id}"
        due = case.rectify_deadline + timedelta(days=config.reinspection_days)
        uow.add_event(
            NoticeRequested(
                user_ids=list(case.inspector_ids),
                subject=f"待整改复查：{name}",
                body=(
                    f"{name}的责令限期整改期限 {case.rectify_deadline.isoformat()} 已到，"
                    f"请于 {due.isoformat()} 前进行整改复查并出具整改复查意见书。"
                ),
                channels=["in_app"],
                source_kind="inspection_case",
                source_id=str(case.id),
                dedupe_key=f"inspection_case:{case.id}:reinspect:{case.rectify_deadline.isoformat()}",
            )
        )
        case.reminded_deadline = case.rectify_deadline
        uow.audit(
            "inspections.case.remind_reinspection",
            InspectionCase.__tablename__,
            case.id,
            after={"deadline": case.rectify_deadline.isoformat(), "due": due.isoformat()},
        )
        done += 1
    return done


def remind_reinspection_job(ctx: Any, now: datetime) -> int:
    """Run the re-inspection reminder as the system."""
    config = InspectionConfig(timezone=ctx.settings.timezone)
    with ctx.uow(system_actor("inspections.reminder")) as uow:
        done = remind_reinspection(uow, now, config=config)
        uow.commit()
    return done


JOBS = [Job("inspections.remind_reinspection", 3600, remind_reinspection_job)]
