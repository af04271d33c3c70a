"""Hazard writes: report, the rectification loop's actions, plan, 挂牌督办, deadline, escalation.

Who may do what (rules.may_act, rules.REPORT_SOURCES):

- Report: enterprise officers report their own enterprise's hazards (source ``self_check``);
  grid members report ``grid_patrol`` / ``public_report`` in their village; inspectors and
  department officers ``inspection`` / ``review`` / ``public_report``; township officers and
  bureau staff any source but ``self_check``; system processes (alarm promotion) anything.
- Confirm, reject, accept, return, reopen: reviewers (admin, bureau staff, township officers,
  inspectors) within their jurisdiction.
- Start and submit the rectification: the enterprise's officer, or the named owner; for a
  hazard of no enterprise (a public place) the reviewers as well.
- 挂牌督办 (major hazards only): bureau staff and admin, naming the supervising department.
- The person who submitted a rectification cannot accept it (403, "整改提交人不能验收").

Refusals: a transition the table does not allow is 409 with the state and the allowed
actions (checked before the role, so the answer is the same for everyone who can see the
hazard); a role that may not act is 403; a hazard outside the scope is 404. A 重大 hazard
without a complete 五到位 plan cannot start rectifying: 422 with one FieldError per missing
element (``plan.measures`` … ``plan.contingency_plan``) — the request can be fixed by sending
the plan, so it is a validation failure, not a state conflict.

Every write adds a transition row (who, when, why, photos) and an audit row in the same
transaction, and announces the state change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from yingji.accounts.queries import department_names, get_user, list_users
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import covers_division
from yingji.core.actor import Actor, system_actor
from yingji.core.clock import local_today
from yingji.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    invalid,
)
from yingji.core.notices import NoticeRequested
from yingji.core.uow import UnitOfWork
from yingji.enterprises.registry import ENTERPRISES
from yingji.geo.queries import find_division, locate
from yingji.registry.queries import get_row
from yingji.risks.hazards.events import (
    HazardClosed,
    HazardOverdue,
    HazardReported,
    HazardStateChanged,
    HazardSupervisedListing,
)
from yingji.risks.hazards.models import Hazard, HazardTransition
from yingji.risks.hazards.queries import (
    get_hazard_row,
    hazard_read,
    overdue_to_escalate,
)
from yingji.risks.hazards.rules import (
    ACTION_LABELS,
    DEFAULT_CONFIG,
    KIND_LABELS,
    LEVEL_LABELS,
    REASON_REQUIRED,
    REPORT_SOURCES,
    SOURCE_LABELS,
    STATE_LABELS,
    SUPERVISOR_ROLES,
    HazardAction,
    HazardConfig,
    HazardLevel,
    HazardState,
    default_deadline,
    may_act,
    missing_plan_elements,
    next_state,
)
from yingji.risks.hazards.rules import (
    MACHINE as HAZARD_MACHINE,
)
from yingji.risks.hazards.schemas import HazardActionRequest, HazardReport, RectificationPlan
from yingji.risks.points.registry import RISK_POINTS

ENTITY = Hazard.__tablename__
_SYSTEM = system_actor("hazards")


def _snapshot(uow: UnitOfWork, h: Hazard) -> dict[str, Any]:
    # The audit snapshot's overdue flag is read against the wall clock's local date.
    read = hazard_read(h, local_today(uow.settings.timezone))
    return read.model_dump(mode="json", exclude={"transitions", "available_actions"})


def _record(
    uow: UnitOfWork,
    h: Hazard,
    action: str,
    from_state: str | None,
    *,
    reason: str = "",
    photo_keys: Sequence[str] = (),
) -> None:
    uow.session.add(
        HazardTransition(
            hazard_id=h.id,
            action=action,
            from_state=from_state,
            to_state=h.state,
            actor_id=uow.actor.user_id,
            actor_name=uow.actor.name,
            at=uow.clock.now(),
            reason=reason,
            photo_keys=list(photo_keys),
        )
    )


# --- report -------------------------------------------------------------------------------------


def _existing(uow: UnitOfWork, source: str, source_ref: str | None) -> int | None:
    if source_ref is None:
        return None
    stmt = select(Hazard.id).where(Hazard.source == source, Hazard.source_ref == source_ref)
    return uow.session.scalar(stmt)


def _place(
    uow: UnitOfWork, data: HazardReport
) -> tuple[str, int | None, str | None, int | None, float | None, float | None]:
    """Return (division, enterprise, industry, department, longitude, latitude) of a report."""
    actor = uow.actor
    errors: list[FieldError] = []
    enterprise_id = data.enterprise_id
    division: str | None = None
    lon, lat = data.longitude, data.latitude
    if actor.enterprise_id is not None:
        if enterprise_id not in (None, actor.enterprise_id):
            raise invalid("enterprise_id", "只能上报本企业的隐患")
        enterprise_id = actor.enterprise_id
    if data.risk_point_id is not None:
        # Looked up unscoped: whether the reporter may place a hazard there is decided on
        # the resulting division below (a grid member cannot read the point registry).
        try:
            point, site = get_row(uow.session, RISK_POINTS, _SYSTEM, data.risk_point_id)
        except NotFound:
            raise invalid("risk_point_id", f"风险点 {data.risk_point_id} 不存在") from None
        if enterprise_id is None:
            enterprise_id = point.enterprise_id
        elif point.enterprise_id not in (None, enterprise_id):
            errors.append(FieldError("risk_point_id", "风险点不属于所填企业"))
        assert site is not None  # the registry is sited
        division = site.division_code
        if lon is None or lat is None:
            lon, lat = site.longitude, site.latitude
    industry = department = None
    if enterprise_id is not None:
        try:
            enterprise, site = get_row(uow.session, ENTERPRISES, _SYSTEM, enterprise_id)
        except NotFound:
            raise invalid("enterprise_id", f"企业 {enterprise_id} 不存在") from None
        industry = enterprise.industry_code
        department = enterprise.supervising_department_id
        assert site is not None  # the registry is sited
        division = division or site.division_code
        if lon is None or lat is None:
            lon, lat = site.longitude, site.latitude
    if data.division_code:
        if find_division(uow.session, data.division_code) is None:
            errors.append(FieldError("division_code", f"行政区划 {data.division_code} 不存在"))
        elif division is None or data.division_code.startswith(division[:9]):
            # A finer code inside the place's own township is kept (a village, a grid).
            division = data.division_code
    if division is None and lon is not None and lat is not None:
        found = locate(uow.session, lon, lat)
        division = found.code if found is not None else None
    if division is None and actor.division_code and len(actor.division_code) >= 9:
        division = actor.division_code  # a grid member's or township officer's own area
    if division is None:
        errors.append(FieldError("division_code", "无法确定隐患所在行政区划，请填写区划或位置"))
    if errors:
        raise ValidationFailed(errors)
    assert division is not None
    if not actor.is_system and actor.enterprise_id is None and not covers_division(actor, division):
        raise invalid("division_code", "隐患所在位置不在您的辖区内")
    return division, enterprise_id, industry, department, lon, lat


def report_hazard(uow: UnitOfWork, data: HazardReport) -> int:
    """Register a hazard (state reported); a repeated (source, source_ref) returns the first."""
    actor = uow.actor
    if not actor.is_system and data.source not in REPORT_SOURCES.get(actor.role, frozenset()):
        raise PermissionDenied(f"当前角色不能以“{SOURCE_LABELS[data.source]}”来源上报隐患")
    found = _existing(uow, data.source, data.source_ref)
    if found is not None:
        return found
    if data.kind not in KIND_LABELS:
        raise invalid("kind", f"隐患类别 {data.kind} 无效，可选：{'、'.join(KIND_LABELS)}")
    division, enterprise_id, industry, department, lon, lat = _place(uow, data)
    now = uow.clock.now()
    hazard = Hazard(
        source=data.source,
        source_ref=data.source_ref,
        level=data.level,
        kind=data.kind,
        title=data.title,
        description=data.description,
        state=HazardState.REPORTED.value,
        division_code=division,
        enterprise_id=enterprise_id,
        risk_point_id=data.risk_point_id,
        industry_code=industry,
        department_id=department,
        longitude=lon,
        latitude=lat,
        photo_keys=list(data.photo_keys),
        deadline=data.deadline,
        supervised_listing=False,
        reported_by=actor.user_id,
        reporter_name=actor.name,
        reported_at=now,
        updated_at=now,
    )
    try:
        # A concurrent report of the same (source, source_ref) loses the race here: the
        # savepoint keeps the rest of the transaction and the first report's id is returned.
        with uow.session.begin_nested():
            uow.session.add(hazard)
            uow.session.flush()
    except IntegrityError:
        again = _existing(uow, data.source, data.source_ref)
        if again is None:
            raise
        return again
    _record(uow, hazard, "report", None, reason=data.description, photo_keys=data.photo_keys)
    uow.audit("risks.hazard.report", ENTITY, hazard.id, after=_snapshot(uow, hazard))
    uow.add_event(HazardReported.of(hazard, hazard_id=hazard.id))
    return hazard.id


# --- the loop -----------------------------------------------------------------------------------


def _locked(uow: UnitOfWork, hazard_id: int) -> Hazard:
    # Row lock on PostgreSQL: two reviewers clicking at once must not both move the hazard.
    hazard = get_hazard_row(uow.session, uow.actor, hazard_id)
    uow.session.refresh(hazard, with_for_update=True)
    return hazard


def _permission(actor: Actor, h: Hazard, action: HazardAction) -> bool:
    return may_act(
        actor.role,
        action,
        is_system=actor.is_system,
        own_enterprise=h.enterprise_id is not None and actor.enterprise_id == h.enterprise_id,
        is_owner=h.owner_user_id is not None and h.owner_user_id == actor.user_id,
        has_enterprise=h.enterprise_id is not None,
    )


def available_actions(actor: Actor, h: Hazard) -> list[str]:
    """Return the actions ``actor`` may take on ``h`` now (drives buttons and the API)."""
    out = []
    for action in HazardAction:
        if next_state(HazardState(h.state), action) is None or not _permission(actor, h, action):
            continue
        if action is HazardAction.ACCEPT and _is_submitter(actor, h):
            continue
        out.append(action.value)
    return out


def _is_submitter(actor: Actor, h: Hazard) -> bool:
    return actor.user_id is not None and h.submitted_by == actor.user_id


def _owner_exists(uow: UnitOfWork, user_id: int) -> bool:
    try:
        return get_user(uow.session, user_id).is_active
    except NotFound:
        return False


def _plan_dict(plan: RectificationPlan) -> dict[str, Any]:
    return plan.model_dump(mode="json")


def _today(uow: UnitOfWork, timezone: str) -> date:
    return local_today(timezone, uow.clock.now())


def take_action(
    uow: UnitOfWork,
    hazard_id: int,
    action: HazardAction | str,
    request: HazardActionRequest | None = None,
    *,
    config: HazardConfig = DEFAULT_CONFIG,
    timezone: str | None = None,
) -> Hazard:
    """Move a hazard along the loop; refuse what the table, the role or 五到位 forbid."""
    timezone = timezone or uow.settings.timezone
    try:
        action = HazardAction(action)
    except ValueError:
        raise NotFound(f"未知操作：{action}") from None
    request = request or HazardActionRequest()
    h = _locked(uow, hazard_id)
    actor = uow.actor
    state = HazardState(h.state)
    target = HazardState(HAZARD_MACHINE.next_state(state, action))
    if not _permission(actor, h, action):
        raise PermissionDenied(f"当前用户无权对该隐患执行“{ACTION_LABELS[action]}”")
    reason = request.reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise invalid("reason", f"“{ACTION_LABELS[action]}”须填写原因")
    before = _snapshot(uow, h)
    if action is HazardAction.CONFIRM:
        if request.owner_user_id is not None:
            if not _owner_exists(uow, request.owner_user_id):
                raise invalid("owner_user_id", f"用户 {request.owner_user_id} 不存在或已停用")
            h.owner_user_id = request.owner_user_id
        h.deadline = (
            request.deadline
            or h.deadline
            or default_deadline(HazardLevel(h.level), _today(uow, timezone), config)
        )
    elif action is HazardAction.START:
        if request.plan is not None:
            h.plan = _plan_dict(request.plan)
        if h.level == HazardLevel.MAJOR.value:
            missing = missing_plan_elements(h.plan)
            if missing:
                # 16号令 第十五条 / "五到位": no rectification of a major hazard without the plan.
                raise ValidationFailed(
                    [
                        FieldError(f"plan.{key}", f"重大隐患整改方案缺少“{label}”（五到位）")
                        for key, label in missing
                    ],
                    detail="重大隐患须有措施、责任、资金、时限、预案俱全的整改方案才能开始整改",
                )
        if request.deadline is not None:
            h.deadline = request.deadline
    elif action is HazardAction.SUBMIT:
        h.submitted_by = actor.user_id
    elif action is HazardAction.ACCEPT:
        if _is_submitter(actor, h):
            raise PermissionDenied("整改提交人不能验收本人提交的整改")
        h.closed_at = uow.clock.now()
    elif action is HazardAction.RETURN:
        h.submitted_by = None
    elif action is HazardAction.REOPEN:
        h.closed_at = None
        h.submitted_by = None
        if request.deadline is not None:
            h.deadline = request.deadline
    h.state = target.value
    new_keys = [k for k in request.photo_keys if k not in (h.photo_keys or [])]
    if new_keys:
        h.photo_keys = [*(h.photo_keys or []), *dict.fromkeys(new_keys)]
    h.updated_at = uow.clock.now()
    uow.session.flush()
    _record(uow, h, action.value, state.value, reason=reason, photo_keys=request.photo_keys)
    uow.audit(
        f"risks.hazard.{action.value}",
        ENTITY,
        h.id,
        before=before,
        after=_snapshot(uow, h),
        reason=reason,
    )
    uow.add_event(
        HazardStateChanged.of(
            h, hazard_id=h.id, from_state=state.value, to_state=target.value, action=action.value
        )
    )
    if target is HazardState.CLOSED:
        uow.add_event(HazardClosed.of(h, hazard_id=h.id))
    return h


def confirm_hazard(
    uow: UnitOfWork,
    hazard_id: int,
    *,
    owner_user_id: int | None = None,
    deadline: date | None = None,
    reason: str = "",
) -> None:
    """Confirm a reported hazard, naming its owner and deadline (default by level)."""
    request = HazardActionRequest(reason=reason, owner_user_id=owner_user_id, deadline=deadline)
    take_action(uow, hazard_id, HazardAction.CONFIRM, request)


def reject_hazard(uow: UnitOfWork, hazard_id: int, *, reason: str) -> None:
    """Reject a report that is no hazard (the reason is required)."""
    take_action(uow, hazard_id, HazardAction.REJECT, HazardActionRequest(reason=reason))


def start_rectification(
    uow: UnitOfWork,
    hazard_id: int,
    *,
    plan: RectificationPlan | None = None,
    reason: str = "",
) -> None:
    """Start rectifying a confirmed hazard (a major one needs its 五到位 plan)."""
    take_action(uow, hazard_id, HazardAction.START, HazardActionRequest(reason=reason, plan=plan))


def submit_rectification(
    uow: UnitOfWork, hazard_id: int, *, reason: str = "", photo_keys: Sequence[str] = ()
) -> None:
    """Submit the finished rectification for acceptance (with its photos)."""
    request = HazardActionRequest(reason=reason, photo_keys=list(photo_keys))
    take_action(uow, hazard_id, HazardAction.SUBMIT, request)


def accept_hazard(
    uow: UnitOfWork, hazard_id: int, *, reason: str = "", photo_keys: Sequence[str] = ()
) -> None:
    """Accept the rectification and close the hazard out (验收销号)."""
    request = HazardActionRequest(reason=reason, photo_keys=list(photo_keys))
    take_action(uow, hazard_id, HazardAction.ACCEPT, request)


def return_hazard(uow: UnitOfWork, hazard_id: int, *, reason: str) -> None:
    """Send a submitted rectification back for rework (the reason is required)."""
    take_action(uow, hazard_id, HazardAction.RETURN, HazardActionRequest(reason=reason))


def reopen_hazard(
    uow: UnitOfWork, hazard_id: int, *, reason: str, deadline: date | None = None
) -> None:
    """Reopen a rejected report or a closed hazard that recurred."""
    request = HazardActionRequest(reason=reason, deadline=deadline)
    take_action(uow, hazard_id, HazardAction.REOPEN, request)


# --- plan, photos, deadline, 挂牌督办 ------------------------------------------------------------


def _open_for_changes(h: Hazard) -> None:
    if h.state in (HazardState.CLOSED.value, HazardState.REJECTED.value):
        raise Conflict(f"隐患已{STATE_LABELS[h.state].removeprefix('已')}，不能修改")


def set_plan(uow: UnitOfWork, hazard_id: int, plan: RectificationPlan) -> Hazard:
    """Record (replace) the hazard's treatment plan (五到位 for a major one)."""
    h = _locked(uow, hazard_id)
    if not (
        _permission(uow.actor, h, HazardAction.START)
        or _permission(uow.actor, h, HazardAction.CONFIRM)
    ):
        raise PermissionDenied("无权填写该隐患的整改方案")
    _open_for_changes(h)
    before = _snapshot(uow, h)
    h.plan = _plan_dict(plan)
    h.updated_at = uow.clock.now()
    uow.session.flush()
    _record(uow, h, "plan", h.state)
    uow.audit("risks.hazard.plan", ENTITY, h.id, before=before, after=_snapshot(uow, h))
    return h


def add_photo(uow: UnitOfWork, hazard_id: int, key: str, *, note: str = "") -> Hazard:
    """Attach a stored photo (``ctx.storage`` key) to a hazard the actor may see."""
    h = _locked(uow, hazard_id)
    actor = uow.actor
    may = (
        actor.is_system
        or h.reported_by == actor.user_id
        or _permission(actor, h, HazardAction.SUBMIT)
        or _permission(actor, h, HazardAction.CONFIRM)
    )
    if not may:
        raise PermissionDenied("无权为该隐患上传照片")
    if key not in (h.photo_keys or []):
        h.photo_keys = [*(h.photo_keys or []), key]
        h.updated_at = uow.clock.now()
        uow.session.flush()
        _record(uow, h, "photo", h.state, reason=note, photo_keys=[key])
        uow.audit("risks.hazard.photo", ENTITY, h.id, after={"photo_key": key}, reason=note or None)
    return h


def change_deadline(uow: UnitOfWork, hazard_id: int, deadline: date, *, reason: str) -> Hazard:
    """Set a new deadline (reviewers); the overdue escalation may fire again for it."""
    h = _locked(uow, hazard_id)
    if not _permission(uow.actor, h, HazardAction.CONFIRM):
        raise PermissionDenied("无权调整整改期限")
    _open_for_changes(h)
    if not reason.strip():
        raise invalid("reason", "调整期限须填写原因")
    before = _snapshot(uow, h)
    h.deadline = deadline
    h.updated_at = uow.clock.now()
    uow.session.flush()
    _record(uow, h, "deadline", h.state, reason=f"{deadline.isoformat()}：{reason.strip()}")
    uow.audit(
        "risks.hazard.deadline", ENTITY, h.id, before=before, after=_snapshot(uow, h), reason=reason
    )
    return h


def supervise_hazard(
    uow: UnitOfWork, hazard_id: int, *, department_id: int, note: str = ""
) -> Hazard:
    """Put a major hazard under 挂牌督办 with its supervising department and tell them."""
    h = _locked(uow, hazard_id)
    actor = uow.actor
    require_role(actor, SUPERVISOR_ROLES, "只有应急局可以挂牌督办", or_system=True)
    if h.level != HazardLevel.MAJOR.value:
        raise Conflict("只有重大隐患可以挂牌督办")
    _open_for_changes(h)
    users = [u for u in list_users(uow.session) if u.department_id == department_id and u.is_active]
    if department_id not in department_names(uow.session, [department_id]):
        raise invalid("department_id", f"部门 {department_id} 不存在")
    before = _snapshot(uow, h)
    h.supervised_listing = True
    h.supervised_listing_at = uow.clock.now()
    h.supervised_listing_note = note
    h.department_id = department_id
    h.updated_at = uow.clock.now()
    uow.session.flush()
    _record(uow, h, "supervise", h.state, reason=note)
    uow.audit(
        "risks.hazard.supervise", ENTITY, h.id, before=before, after=_snapshot(uow, h), reason=note
    )
    uow.add_event(HazardSupervisedListing.of(h, hazard_id=h.id, department_id=department_id))
    if users:
        uow.add_event(
            NoticeRequested(
                user_ids=[u.id for u in users],
                subject=f"重大隐患挂牌督办：{h.title}",
                body=f"隐患“{h.title}”已挂牌督办，请督促整改。{note}".strip(),
                source_kind="hazard",
                source_id=str(h.id),
                dedupe_key=f"hazard:{h.id}:supervise:{department_id}",
            )
        )
    return h


# --- overdue escalation -------------------------------------------------------------------------


def escalation_recipients(uow: UnitOfWork, h: Hazard) -> list[int]:
    """Return who is told about an overdue hazard.

    The owner (or, without one, the enterprise's officers); the owner's superiors, which in
    this platform are the township officers whose jurisdiction covers the hazard (属地监管)
    and, for a major hazard, the bureau staff; and the supervising department's users.
    """
    wanted: list[int] = []
    for u in list_users(uow.session):
        if not u.is_active:
            continue
        owner = u.id == h.owner_user_id or (
            h.owner_user_id is None
            and h.enterprise_id is not None
            and u.enterprise_id == h.enterprise_id
        )
        superior = (
            u.role == "township_officer"
            and bool(u.division_code)
            and h.division_code.startswith(u.division_code or "-")
        ) or (u.role == "bureau_staff" and h.level == HazardLevel.MAJOR.value)
        department = h.department_id is not None and u.department_id == h.department_id
        if owner or superior or department:
            wanted.append(u.id)
    return wanted


def escalate_overdue(uow: UnitOfWork, now: datetime, *, timezone: str | None = None) -> int:
    """Tell each overdue hazard's people once per deadline; return how many were escalated."""
    today = local_today(timezone or uow.settings.timezone, now)
    done = 0
    for h in overdue_to_escalate(uow.session, today):
        assert h.deadline is not None
        recipients = escalation_recipients(uow, h)
        days = (today - h.deadline).days
        level = LEVEL_LABELS.get(h.level, h.level)
        body = (
            f"{level}“{h.title}”整改期限 {h.deadline.isoformat()} 已过 {days} 天仍未完成整改"
            f"（当前状态：{STATE_LABELS[h.state]}），请督促落实。"
        )
        if recipients:
            uow.add_event(
                NoticeRequested(
                    user_ids=recipients,
                    subject=f"隐患逾期未整改：{h.title}",
                    body=body,
                    source_kind="hazard",
                    source_id=str(h.id),
                    dedupe_key=f"hazard:{h.id}:overdue:{h.deadline.isoformat()}",
                )
            )
        uow.add_event(HazardOverdue.of(h, hazard_id=h.id))
        h.escalated_deadline = h.deadline
        _record(uow, h, "escalate", h.state, reason=body)
        uow.audit(
            "risks.hazard.escalate",
            ENTITY,
            h.id,
            after={"deadline": h.deadline.isoformat(), "recipients": recipients},
        )
        done += 1
    return done
