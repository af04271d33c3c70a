"""Plan writes: plans and versions, publication, activation into tasks, task work, drills.

Who may do what (checked here, scoped by jurisdiction):
- edit a plan: admin; bureau staff and township officers inside their jurisdiction; a
  department officer for their department's plans; an enterprise officer for their
  enterprise's plans;
- activate: admin, bureau staff, duty officers, township officers (in their jurisdiction);
- work a task: the department it is assigned to (or the role it names, in jurisdiction) and
  the command post (admin, bureau staff, duty officers); only the command post returns a
  finished task for rework.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from yingji.accounts.queries import department_exists
from yingji.accounts.rules import Role
from yingji.accounts.schemas import has_role, require_role
from yingji.accounts.scoping import covers_division
from yingji.adapters.storage import Storage
from yingji.core.actor import Actor
from yingji.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.enterprises.queries import enterprise_division, enterprise_exists
from yingji.plans import queries
from yingji.plans.events import PlanActivated, PlanTaskChanged, PlanVersionPublished
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
from yingji.plans.rules import MACHINE as TASK_MACHINE
from yingji.plans.rules import may_author_kind, task_due
from yingji.plans.schemas import (
    ActivationIn,
    DrillIn,
    EvaluationIn,
    PlanCreate,
    TaskActionIn,
    VersionIn,
)

COMMAND_POST = {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER}
ACTIVATORS = COMMAND_POST | {Role.TOWNSHIP_OFFICER}
# Task feedback photos: pictures only (storage keys end with the type's suffix).
PHOTO_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
}
PHOTO_MIMES = frozenset(PHOTO_TYPES)


def can_edit(actor: Actor, plan: EmergencyPlan) -> bool:
    """Tell whether ``actor`` may change ``plan``."""
    if has_role(actor, {Role.ADMIN}, or_system=True):
        return True
    if has_role(actor, {Role.ENTERPRISE_OFFICER}):
        return (
            plan.owner_enterprise_id is not None and plan.owner_enterprise_id == actor.enterprise_id
        )
    if has_role(actor, {Role.DEPARTMENT_OFFICER}):
        return (
            plan.owner_department_id is not None and plan.owner_department_id == actor.department_id
        )
    if has_role(actor, (Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICER)):
        return covers_division(actor, plan.division_code)
    return False


def create_plan(uow: UnitOfWork, data: PlanCreate, *, district_code: str) -> int:
    """Create a plan with its first draft version; return the plan id."""
    actor = uow.actor
    now = uow.clock.now()
    if not actor.is_system and not may_author_kind(actor.role, data.kind.value):
        raise ValidationFailed([FieldError("kind", "当前角色不能编制此类应急预案")])
    _check_owners(uow, data)
    division = data.division_code or actor.division_code or district_code
    if has_role(actor, {Role.ENTERPRISE_OFFICER}) and actor.enterprise_id is not None:
        # An enterprise's plan belongs to the township its site lies in, never the district.
        division = enterprise_division(uow.session, actor.enterprise_id) or division
    plan = EmergencyPlan(
        name=data.name,
        kind=data.kind.value,
        division_code=division,
        owner_department_id=data.owner_department_id,
        owner_enterprise_id=(
            actor.enterprise_id
            if has_role(actor, {Role.ENTERPRISE_OFFICER})
            else data.owner_enterprise_id
        ),
        event_types=list(data.event_types),
        filing_number=data.filing_number,
        filing_authority=data.filing_authority,
        filed_on=data.filed_on,
        created_at=now,
        updated_at=now,
    )
    if has_role(actor, {Role.DEPARTMENT_OFFICER}) and plan.owner_department_id is None:
        plan.owner_department_id = actor.department_id
    if not can_edit(actor, plan):
        raise PermissionDenied("无权在此辖区或单位编制应急预案")
    uow.session.add(plan)
    uow.session.flush()
    version = PlanVersion(plan_id=plan.id, version_no=1, state="draft", created_at=now)
    uow.session.add(version)
    uow.session.flush()
    _write_structure(uow, version.id, data.version)
    uow.audit(
        "plans.plan.create",
        "plan",
        plan.id,
        after=data.model_dump(mode="json", exclude={"version"}),
    )
    return plan.id


def _check_owners(uow: UnitOfWork, data: PlanCreate) -> None:
    """Refuse an owner department or enterprise that is not registered (422, not a 500)."""
    errors = []
    if data.owner_department_id is not None and not department_exists(
        uow.session, data.owner_department_id
    ):
        errors.append(FieldError("owner_department_id", "部门不存在"))
    if data.owner_enterprise_id is not None and not enterprise_exists(
        uow.session, data.owner_enterprise_id
    ):
        errors.append(FieldError("owner_enterprise_id", "企业不存在"))
    if errors:
        raise ValidationFailed(errors)


def save_draft(uow: UnitOfWork, plan_id: int, data: VersionIn) -> int:
    """Replace the plan's draft structure (a published version is never edited); return its id."""
    plan = _plan_for_edit(uow, plan_id)
    latest = uow.session.scalar(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan.id)
        .order_by(PlanVersion.version_no.desc())
        .limit(1)
    )
    if latest is not None and latest.state == "draft":
        version = latest
        uow.session.execute(delete(TaskTemplate).where(TaskTemplate.version_id == version.id))
        uow.session.execute(delete(PlanLevel).where(PlanLevel.version_id == version.id))
    else:
        version = PlanVersion(
            plan_id=plan.id,
            version_no=(latest.version_no + 1) if latest else 1,
            state="draft",
            created_at=uow.clock.now(),
        )
        uow.session.add(version)
        uow.session.flush()
    _write_structure(uow, version.id, data)
    plan.updated_at = uow.clock.now()
    uow.audit(
        "plans.version.save_draft", "plan_version", version.id, after=data.model_dump(mode="json")
    )
    return version.id


def _write_structure(uow: UnitOfWork, version_id: int, data: VersionIn) -> None:
    version = uow.session.get(PlanVersion, version_id)
    assert version is not None
    version.summary = data.summary
    for level in data.levels:
        uow.session.add(
            PlanLevel(
                version_id=version_id,
                level=level.level,
                criteria=level.criteria.model_dump(mode="json", exclude_none=True),
                description=level.description,
            )
        )
    for seq, template in enumerate(data.templates, start=1):
        uow.session.add(
            TaskTemplate(
                version_id=version_id,
                level=template.level,
                seq=seq,
                action=template.action,
                department_id=template.department_id,
                role=template.role,
                deadline_minutes=template.deadline_minutes,
                resources=list(template.resources),
            )
        )
    uow.session.flush()


def publish_version(uow: UnitOfWork, plan_id: int) -> int:
    """Publish the plan's draft: it becomes current and immutable; return the version id."""
    plan = _plan_for_edit(uow, plan_id)
    draft = uow.session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.state == "draft")
    )
    if draft is None:
        raise Conflict("没有待发布的草稿版本")
    for old in uow.session.scalars(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.state == "published")
    ):
        old.state = "superseded"
    draft.state = "published"
    draft.published_on = uow.clock.now().date()
    draft.published_by = uow.actor.user_id
    plan.current_version_id = draft.id
    plan.updated_at = uow.clock.now()
    uow.audit(
        "plans.version.publish", "plan_version", draft.id, after={"version_no": draft.version_no}
    )
    uow.add_event(
        PlanVersionPublished(plan_id=plan.id, version_id=draft.id, version_no=draft.version_no)
    )
    return draft.id


def activate_plan(uow: UnitOfWork, plan_id: int, data: ActivationIn) -> int:
    """Start the plan's current version at a level: create exactly that level's tasks."""
    actor = uow.actor
    require_role(actor, ACTIVATORS, "当前角色不能启动应急预案", or_system=True)
    plan = queries.get_plan_row(uow.session, actor, plan_id)
    if plan.current_version_id is None:
        raise Conflict("预案尚未发布，不能启动")
    division = data.division_code or plan.division_code
    if not (actor.is_system or covers_division(actor, division)):
        raise ValidationFailed([FieldError("division_code", "不在管辖范围内")])
    level = uow.session.scalar(
        select(PlanLevel).where(
            PlanLevel.version_id == plan.current_version_id, PlanLevel.level == data.level
        )
    )
    if level is None:
        raise ValidationFailed([FieldError("level", f"预案未设置 {data.level} 级响应")])
    cause = data.cause or f"incident:{data.incident_id}"
    # Lock the plan row so two confirmations at once cannot both pass the check below.
    uow.session.scalar(
        select(EmergencyPlan.id).where(EmergencyPlan.id == plan.id).with_for_update()
    )
    existing = uow.session.scalar(
        select(PlanActivation.id).where(
            PlanActivation.plan_id == plan.id,
            PlanActivation.cause == cause,
            PlanActivation.level == data.level,
        )
    )
    if existing is not None:
        raise Conflict("该预案已按此响应等级启动，不能重复启动")
    now = uow.clock.now()
    activation = PlanActivation(
        plan_id=plan.id,
        version_id=plan.current_version_id,
        level=data.level,
        cause=cause,
        incident_id=data.incident_id,
        division_code=division,
        reason=data.reason,
        activated_by=actor.user_id,
        activated_at=now,
    )
    uow.session.add(activation)
    uow.session.flush()
    templates = uow.session.scalars(
        select(TaskTemplate)
        .where(TaskTemplate.version_id == plan.current_version_id, TaskTemplate.level == data.level)
        .order_by(TaskTemplate.seq)
    ).all()
    tasks = [
        PlanTask(
            activation_id=activation.id,
            template_id=t.id,
            action=t.action,
            department_id=t.department_id,
            role=t.role,
            division_code=division,
            resources=list(t.resources),
            state="assigned",
            due_at=task_due(now, t.deadline_minutes),
        )
        for t in templates
    ]
    uow.session.add_all(tasks)
    uow.session.flush()
    uow.audit(
        "plans.plan.activate",
        "plan",
        plan.id,
        after={"level": data.level, "cause": cause, "tasks": [t.id for t in tasks]},
        reason=data.reason or None,
    )
    for task in tasks:
        uow.audit(
            "plans.task.create",
            "plan_task",
            task.id,
            after={"action": task.action, "due_at": str(task.due_at)},
        )
    uow.add_event(
        PlanActivated.of(
            data,
            activation_id=activation.id,
            plan_id=plan.id,
            cause=cause,
            task_ids=[t.id for t in tasks],
            activated_at=now,
        )
    )
    return activation.id


def record_task_photo(uow: UnitOfWork, task_id: int, key: str) -> None:
    """Audit that a photo (already in storage under ``key``) was uploaded for a task.

    The photo joins the task's record only when an action names it (``photo_key``); this
    row keeps who uploaded what for which task even if no action follows.
    """
    task = queries.get_task_row(uow.session, uow.actor, task_id)
    uow.audit("plans.task.upload_photo", "plan_task", task.id, after={"photo_key": key})


def act_on_task(
    uow: UnitOfWork,
    task_id: int,
    action: str,
    data: TaskActionIn,
    *,
    storage: Storage | None = None,
) -> str:
    """Apply a task action (read, acknowledge, feedback, complete, return); return the state.

    A ``photo_key`` must name a picture ``storage`` holds (uploaded through
    ``POST /api/v1/plan-tasks/{id}/photos``); without a storage no photo can be accepted.
    """
    actor = uow.actor
    task = queries.get_task_row(uow.session, actor, task_id)
    if action == "return":
        require_role(actor, COMMAND_POST, "只有指挥部（值班、局机关）可以退回任务", or_system=True)
        if not data.text.strip():
            raise ValidationFailed([FieldError("text", "退回须说明原因")])
    elif not queries.works_task(actor, task):
        raise PermissionDenied("该任务不是派给您所在部门或岗位的")
    if action == "feedback" and not (data.text.strip() or data.photo_key):
        raise ValidationFailed([FieldError("text", "反馈须填写内容或上传照片")])
    if data.photo_key and not _holds_photo(storage, data.photo_key):
        raise ValidationFailed([FieldError("photo_key", "照片不存在，请先上传照片")])
    target = TASK_MACHINE.next_state(task.state, action)
    before = task.state
    now = uow.clock.now()
    task.state = target
    task.done_at = now if target == "done" else None
    uow.session.add(
        PlanTaskEvent(
            task_id=task.id,
            action=action,
            from_state=before,
            to_state=target,
            actor_id=actor.user_id,
            actor_name=actor.name,
            at=now,
            text=data.text,
            longitude=data.longitude,
            latitude=data.latitude,
            photo_key=data.photo_key,
        )
    )
    after: dict[str, object] = {"state": target}
    if data.photo_key:
        after["photo_key"] = data.photo_key
    if data.longitude is not None and data.latitude is not None:
        after["longitude"], after["latitude"] = data.longitude, data.latitude
    uow.audit(
        f"plans.task.{action}",
        "plan_task",
        task.id,
        before={"state": before},
        after=after,
        reason=data.text or None,
    )
    activation = uow.session.get(PlanActivation, task.activation_id)
    uow.add_event(
        PlanTaskChanged(
            task_id=task.id,
            activation_id=task.activation_id,
            incident_id=activation.incident_id if activation else None,
            action=action,
            to_state=target,
        )
    )
    return target


def _holds_photo(storage: Storage | None, key: str) -> bool:
    if storage is None or not key.endswith(tuple(PHOTO_TYPES.values())):
        return False
    try:
        storage.get(key)
    except (KeyError, OSError):
        return False
    return True


def record_drill(uow: UnitOfWork, plan_id: int, data: DrillIn) -> int:
    """Record a drill held against the plan; return its id."""
    plan = _plan_for_edit(uow, plan_id)
    if data.held_on > uow.clock.now().date():
        raise ValidationFailed([FieldError("held_on", "演练日期不能晚于今天")])
    drill = Drill(
        plan_id=plan.id,
        version_id=plan.current_version_id,
        held_on=data.held_on,
        form=data.form,
        participants=data.participants,
        scenario=data.scenario,
        findings=data.findings,
        recorded_by=uow.actor.user_id,
        created_at=uow.clock.now(),
    )
    uow.session.add(drill)
    uow.session.flush()
    uow.audit("plans.drill.create", "plan_drill", drill.id, after=data.model_dump(mode="json"))
    return drill.id


def record_evaluation(uow: UnitOfWork, plan_id: int, data: EvaluationIn) -> None:
    """Record that the plan was evaluated (评估) on a date."""
    plan = _plan_for_edit(uow, plan_id)
    before = plan.last_evaluated_on
    plan.last_evaluated_on = data.evaluated_on
    plan.updated_at = uow.clock.now()
    uow.audit(
        "plans.plan.evaluate",
        "plan",
        plan.id,
        before={"last_evaluated_on": str(before) if before else None},
        after={"last_evaluated_on": str(data.evaluated_on)},
        reason=data.conclusion,
    )


def _plan_for_edit(uow: UnitOfWork, plan_id: int) -> EmergencyPlan:
    plan = queries.get_plan_row(uow.session, uow.actor, plan_id)
    if not can_edit(uow.actor, plan):
        raise PermissionDenied("无权修改此应急预案")
    return plan
