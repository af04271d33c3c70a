"""Plan reads: the library with drill/evaluation flags, plan detail, matching, tasks.

Visibility: an enterprise officer sees their enterprise's plans; everyone else sees plans
whose jurisdiction overlaps theirs (a township officer sees the district's plans they act
under, and their own township's). Tasks: the department or role they are assigned to, in
jurisdiction, and the command post.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.accounts.rules import Role
from yingji.accounts.schemas import has_role
from yingji.accounts.scoping import covers_division, overlaps_division
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.plans.models import (
    Drill,
    EmergencyPlan,
    PlanActivation,
    PlanLevel,
    PlanTask,
    PlanTaskEvent,
    PlanVersion,
    TaskTemplate,
)
from yingji.plans.rules import (
    KIND_LABELS,
    LEVEL_LABELS,
    TASK_STATE_LABELS,
    Criteria,
    PlanCalendar,
    Situation,
    match_levels,
    plan_flags,
)
from yingji.plans.schemas import PlanMatch, TaskRead

_COMMAND_POST = {Role.ADMIN.value, Role.BUREAU_STAFF.value, Role.DUTY_OFFICER.value}


def sees_plan(actor: Actor, plan: EmergencyPlan) -> bool:
    """Tell whether ``actor`` may read ``plan``."""
    if actor.is_system:
        return True
    if actor.enterprise_id is not None:
        return plan.owner_enterprise_id == actor.enterprise_id
    return overlaps_division(actor, plan.division_code)


def get_plan_row(session: Session, actor: Actor, plan_id: int) -> EmergencyPlan:
    """Return the plan (NotFound when missing or not visible to the actor)."""
    plan = session.get(EmergencyPlan, plan_id)
    if plan is None or not sees_plan(actor, plan):
        raise NotFound("应急预案不存在")
    return plan


def _last_drills(session: Session, plan_ids: list[int]) -> dict[int, date]:
    if not plan_ids:
        return {}
    rows = session.execute(
        select(Drill.plan_id, func.max(Drill.held_on))
        .where(Drill.plan_id.in_(plan_ids))
        .group_by(Drill.plan_id)
    )
    return {pid: held for pid, held in rows}


def _published_on(session: Session, version_ids: list[int]) -> dict[int, date | None]:
    if not version_ids:
        return {}
    rows = session.execute(
        select(PlanVersion.id, PlanVersion.published_on).where(PlanVersion.id.in_(version_ids))
    )
    return {vid: published for vid, published in rows}


def list_plans(
    session: Session, actor: Actor, today: date, intervals: PlanCalendar | None = None
) -> list[dict[str, Any]]:
    """Return the visible plans with their evaluation and drill due dates and flags."""
    plans = [
        p
        for p in session.scalars(select(EmergencyPlan).order_by(EmergencyPlan.id))
        if sees_plan(actor, p)
    ]
    return _summaries(session, plans, today, intervals)


def _summaries(
    session: Session,
    plans: list[EmergencyPlan],
    today: date,
    intervals: PlanCalendar | None = None,
) -> list[dict[str, Any]]:
    drills = _last_drills(session, [p.id for p in plans])
    published = _published_on(
        session, [p.current_version_id for p in plans if p.current_version_id]
    )
    out: list[dict[str, Any]] = []
    for plan in plans:
        flags = plan_flags(
            plan.kind,
            published.get(plan.current_version_id) if plan.current_version_id else None,
            plan.last_evaluated_on,
            drills.get(plan.id),
            today,
            intervals,
        )
        out.append(
            {
                "id": plan.id,
                "name": plan.name,
                "kind": plan.kind,
                "kind_label": KIND_LABELS[plan.kind],
                "division_code": plan.division_code,
                "filing_number": plan.filing_number,
                "filed_on": plan.filed_on,
                "published": plan.current_version_id is not None,
                "last_drill_on": drills.get(plan.id),
                "evaluation_due": flags.evaluation_due,
                "drill_due": flags.drill_due,
                "evaluation_overdue": flags.evaluation_overdue,
                "drill_overdue": flags.drill_overdue,
            }
        )
    return out


def version_structure(session: Session, version_id: int) -> dict[str, Any]:
    """Return a version with its levels and task templates."""
    version = session.get(PlanVersion, version_id)
    if version is None:
        raise NotFound("预案版本不存在")
    levels = session.scalars(
        select(PlanLevel).where(PlanLevel.version_id == version_id).order_by(PlanLevel.level)
    ).all()
    templates = session.scalars(
        select(TaskTemplate).where(TaskTemplate.version_id == version_id).order_by(TaskTemplate.seq)
    ).all()
    return {
        "id": version.id,
        "version_no": version.version_no,
        "state": version.state,
        "summary": version.summary,
        "published_on": version.published_on,
        "levels": [
            {
                "level": lv.level,
                "label": LEVEL_LABELS[lv.level],
                "criteria": lv.criteria,
                "description": lv.description,
            }
            for lv in levels
        ],
        "templates": [
            {
                "id": t.id,
                "level": t.level,
                "seq": t.seq,
                "action": t.action,
                "department_id": t.department_id,
                "role": t.role,
                "deadline_minutes": t.deadline_minutes,
                "resources": t.resources,
            }
            for t in templates
        ],
    }


def plan_detail(session: Session, actor: Actor, plan_id: int, today: date) -> dict[str, Any]:
    """Return a plan with its versions, the current and draft structure, drills and flags."""
    plan = get_plan_row(session, actor, plan_id)
    versions = session.scalars(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.version_no)
    ).all()
    drills = session.scalars(
        select(Drill).where(Drill.plan_id == plan.id).order_by(Drill.held_on.desc())
    ).all()
    (summary,) = _summaries(session, [plan], today)
    draft = next((v for v in versions if v.state == "draft"), None)
    return summary | {
        "owner_department_id": plan.owner_department_id,
        "owner_enterprise_id": plan.owner_enterprise_id,
        "event_types": plan.event_types,
        "filing_authority": plan.filing_authority,
        "last_evaluated_on": plan.last_evaluated_on,
        "versions": [
            {
                "id": v.id,
                "version_no": v.version_no,
                "state": v.state,
                "published_on": v.published_on,
            }
            for v in versions
        ],
        "current": version_structure(session, plan.current_version_id)
        if plan.current_version_id
        else None,
        "draft": version_structure(session, draft.id) if draft else None,
        "drills": [
            {
                "id": d.id,
                "held_on": d.held_on,
                "form": d.form,
                "participants": d.participants,
                "scenario": d.scenario,
                "findings": d.findings,
            }
            for d in drills
        ],
    }


def _criteria(raw: dict[str, Any]) -> Criteria:
    loss = raw.get("min_loss_wan_yuan")
    return Criteria(
        event_types=tuple(raw.get("event_types") or ()),
        min_grade=raw.get("min_grade"),
        min_warning_level=raw.get("min_warning_level"),
        min_deaths=raw.get("min_deaths"),
        min_injuries=raw.get("min_injuries"),
        min_loss_wan_yuan=Decimal(str(loss)) if loss is not None else None,
        division_codes=tuple(raw.get("division_codes") or ()),
    )


def match_plans(session: Session, actor: Actor, situation: Situation) -> list[PlanMatch]:
    """Return the published plans the situation meets, best first, each with its reasons."""
    plans = [
        p
        for p in session.scalars(
            select(EmergencyPlan).where(EmergencyPlan.current_version_id.is_not(None))
        )
        if sees_plan(actor, p)
        # A plan of another area does not apply to this incident.
        and (situation.division_code or p.division_code).startswith(p.division_code)
    ]
    out: list[PlanMatch] = []
    for plan in plans:
        assert plan.current_version_id is not None
        levels = {
            lv.level: _criteria(lv.criteria)
            for lv in session.scalars(
                select(PlanLevel).where(PlanLevel.version_id == plan.current_version_id)
            )
        }
        if plan.event_types and situation.event_type not in plan.event_types:
            continue
        found = match_levels(plan.kind, levels, situation)
        if found is None:
            continue
        out.append(
            PlanMatch.of(
                found,
                plan_id=plan.id,
                plan_name=plan.name,
                kind=plan.kind,
                version_id=plan.current_version_id,
                level=int(found.level),
                level_label=LEVEL_LABELS[int(found.level)],
            )
        )
    out.sort(key=lambda m: (-m.score, m.plan_id))
    return out


def works_task(actor: Actor, task: PlanTask) -> bool:
    """Tell whether ``actor`` is the one a task is assigned to (or the command post)."""
    if has_role(actor, _COMMAND_POST, or_system=True):
        return True
    if task.department_id is not None and actor.department_id == task.department_id:
        return True
    return (
        task.role is not None
        and has_role(actor, {task.role})
        and covers_division(actor, task.division_code)
    )


def _sees_task(actor: Actor, task: PlanTask) -> bool:
    if works_task(actor, task):
        return True
    return has_role(actor, {Role.TOWNSHIP_OFFICER}) and covers_division(actor, task.division_code)


def get_task_row(session: Session, actor: Actor, task_id: int) -> PlanTask:
    """Return the task (NotFound when missing or not the actor's)."""
    task = session.get(PlanTask, task_id)
    if task is None or not _sees_task(actor, task):
        raise NotFound("任务不存在")
    return task


def list_tasks(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    activation_id: int | None = None,
    incident_id: int | None = None,
    with_history: bool = False,
) -> list[TaskRead]:
    """Return the tasks the actor may see, overdue and unfinished first."""
    query = (
        select(PlanTask, PlanActivation, EmergencyPlan)
        .join(PlanActivation, PlanActivation.id == PlanTask.activation_id)
        .join(EmergencyPlan, EmergencyPlan.id == PlanActivation.plan_id)
        .order_by(PlanTask.due_at, PlanTask.id)
    )
    if activation_id is not None:
        query = query.where(PlanTask.activation_id == activation_id)
    if incident_id is not None:
        query = query.where(PlanActivation.incident_id == incident_id)
    out: list[TaskRead] = []
    for task, activation, plan in session.execute(query):
        if not _sees_task(actor, task):
            continue
        history: list[dict[str, object]] = []
        if with_history:
            history = [
                {
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "by": e.actor_name,
                    "at": e.at,
                    "text": e.text,
                    "longitude": e.longitude,
                    "latitude": e.latitude,
                    "photo_key": e.photo_key,
                }
                for e in session.scalars(
                    select(PlanTaskEvent)
                    .where(PlanTaskEvent.task_id == task.id)
                    .order_by(PlanTaskEvent.id)
                )
            ]
        out.append(
            TaskRead.of(
                task,
                plan_id=plan.id,
                plan_name=plan.name,
                level=activation.level,
                resources=list(task.resources),
                state_label=TASK_STATE_LABELS[task.state],
                overdue=task.state != "done" and task.due_at < now,
                history=history,
            )
        )
    out.sort(key=lambda t: (t.state == "done", not t.overdue, t.due_at))
    return out


def task_photo_keys(session: Session, actor: Actor, task_id: int) -> set[str]:
    """Return the photo keys the task's actions carry (NotFound when not the actor's task)."""
    task = get_task_row(session, actor, task_id)
    return {
        key
        for key in session.scalars(
            select(PlanTaskEvent.photo_key).where(
                PlanTaskEvent.task_id == task.id, PlanTaskEvent.photo_key.is_not(None)
            )
        )
        if key
    }


def first_activation_at(session: Session, incident_id: int) -> datetime | None:
    """Return when a plan was first activated for the incident, or None (unscoped)."""
    return session.scalar(
        select(func.min(PlanActivation.activated_at)).where(
            PlanActivation.incident_id == incident_id
        )
    )


def incident_task_times(
    session: Session, incident_id: int
) -> list[tuple[datetime, datetime | None]]:
    """Return (due, done) of every task activated for the incident (unscoped)."""
    return [
        (t.due_at, t.done_at)
        for t in session.scalars(
            select(PlanTask)
            .join(PlanActivation, PlanActivation.id == PlanTask.activation_id)
            .where(PlanActivation.incident_id == incident_id)
        )
    ]
