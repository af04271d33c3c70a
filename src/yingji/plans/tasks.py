"""Periodic job: remind the department (or role) of each overdue plan task, once per due time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from yingji.accounts.models import User
from yingji.core.actor import system_actor
from yingji.core.jobs import Job
from yingji.core.notices import NoticeRequested
from yingji.plans.models import PlanTask


def remind_overdue_tasks(ctx: Any, now: datetime) -> int:
    """Notify whoever holds an unfinished task past its due time; return how many tasks."""
    reminded = 0
    with ctx.uow(system_actor("plan-task-reminder")) as uow:
        session = uow.session
        tasks = session.scalars(
            select(PlanTask).where(
                PlanTask.state != "done",
                PlanTask.due_at < now,
                or_(PlanTask.reminded_for.is_(None), PlanTask.reminded_for != PlanTask.due_at),
            )
        ).all()
        for task in tasks:
            if task.department_id is not None:
                who = select(User.id).where(User.department_id == task.department_id)
            else:
                who = select(User.id).where(
                    User.role == task.role, User.division_code.startswith(task.division_code[:6])
                )
            users = list(session.scalars(who.where(User.is_active.is_(True))))
            task.reminded_for = task.due_at
            uow.add_event(
                NoticeRequested(
                    user_ids=users,
                    subject="预案任务已超时",
                    body=f"任务“{task.action}”已超过时限，请尽快处置并反馈。",
                    channels=["in_app", "sms"],
                    source_kind="plan_task",
                    source_id=str(task.id),
                    dedupe_key=f"plan-task:{task.id}:{task.due_at.isoformat()}",
                )
            )
            uow.audit("plans.task.remind", "plan_task", task.id, after={"due_at": str(task.due_at)})
            reminded += 1
        uow.commit()
    return reminded


JOBS = [Job("plans.remind_overdue_tasks", 60, remind_overdue_tasks)]
