"""Alarm writes: raise (one open alarm per condition), acknowledge, clear, escalate, promote.

Called from the monitoring handlers (raise, auto-clear), the API/pages (acknowledge, clear,
promote) and the escalation job. Every transition goes through ``rules.next_state`` and is
recorded in the alarm's history with who, when and why; each is audited in its transaction.
Repeats of an open condition only update its figures (count, last and peak value): sensors
repeat every few seconds and each repeat is not a decision anybody made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.accounts.models import User
from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import scope_clause
from yingji.alarms.events import (
    AlarmAcknowledged,
    AlarmCleared,
    AlarmEscalated,
    AlarmLevelRaised,
    AlarmPromoted,
    AlarmRaised,
)
from yingji.alarms.models import Alarm, AlarmEscalation, AlarmHistory
from yingji.alarms.rules import (
    CLEAR_REASON_LABELS,
    DEFAULT_ESCALATION,
    LEVEL_LABELS,
    MANUAL_CLEAR_REASONS,
    NOT_PROMOTABLE,
    AlarmAction,
    AlarmState,
    ClearReason,
    EscalationConfig,
    chain_target,
    due_step,
    hazard_kind_for,
    is_higher,
    next_state,
)
from yingji.alarms.schemas import AlarmCondition, ConditionCleared, PromoteBody
from yingji.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from yingji.core.notices import NoticeRequested
from yingji.core.uow import UnitOfWork
from yingji.duty.queries import duty_chain

# Who may take charge of and clear alarms (an enterprise officer: their own enterprise's).
HANDLER_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.BUREAU_STAFF,
        Role.DUTY_OFFICER,
        Role.TOWNSHIP_OFFICER,
        Role.ENTERPRISE_OFFICER,
    }
)
# Who may open a hazard or an incident from an alarm.
PROMOTER_ROLES = frozenset(
    {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER, Role.TOWNSHIP_OFFICER}
)


def condition_key(device_id: int, metric: str, rule_key: str) -> str:
    """Return the key of a condition: one open alarm per (device, metric, rule)."""
    return f"{device_id}:{metric}:{rule_key}"


def _snapshot(alarm: Alarm) -> dict[str, Any]:
    return {
        "state": alarm.state,
        "level": alarm.level,
        "count": alarm.count,
        "last_value": alarm.last_value,
        "peak_value": alarm.peak_value,
        "clear_reason": alarm.clear_reason,
        "escalation_step": alarm.escalation_step,
    }


def _history(
    uow: UnitOfWork,
    alarm: Alarm,
    action: str,
    from_state: str | None,
    *,
    value: float | None = None,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    uow.session.add(
        AlarmHistory(
            alarm_id=alarm.id,
            at=uow.clock.now(),
            action=action,
            from_state=from_state,
            to_state=alarm.state,
            level=alarm.level,
            value=value,
            actor_id=uow.actor.user_id,
            # System processes (the relay, the escalation job) show as 系统, not by job name.
            actor_name=uow.actor.name,
            note=note,
            detail=detail,
        )
    )


def _find_open(session: Session, key: str) -> Alarm | None:
    stmt = select(Alarm).where(Alarm.open_key == key)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def _is_low_rule(cond: AlarmCondition) -> bool:
    # A low-limit rule (oxygen too low, water too low) peaks at its smallest value.
    return cond.threshold is not None and cond.value < cond.threshold


def raise_alarm(uow: UnitOfWork, cond: AlarmCondition) -> tuple[int, bool]:
    """Raise the alarm of a condition, or update the open one; return (id, created)."""
    now = uow.clock.now()
    key = condition_key(cond.device_id, cond.metric, cond.rule_key)
    alarm = _find_open(uow.session, key)
    if alarm is not None:
        _repeat(uow, alarm, cond)
        return alarm.id, False
    alarm = Alarm(
        open_key=key,
        state=AlarmState.ACTIVE.value,
        device_id=cond.device_id,
        device_code=cond.device_code,
        device_name=cond.device_name or cond.device_code,
        metric=cond.metric,
        unit=cond.unit,
        rule_key=cond.rule_key,
        level=cond.level.value,
        level_label=cond.level_label or LEVEL_LABELS[cond.level.value],
        last_level=cond.level.value,
        message=cond.message,
        threshold=cond.threshold,
        first_value=cond.value,
        last_value=cond.value,
        peak_value=cond.value,
        count=1,
        division_code=cond.division_code,
        enterprise_id=cond.enterprise_id,
        risk_point_id=cond.risk_point_id,
        major_hazard_id=cond.major_hazard_id,
        longitude=cond.longitude,
        latitude=cond.latitude,
        raised_at=now,
        last_observed_at=cond.observed_at,
        active_since=now,
        escalation_round=0,
        escalation_step=0,
        updated_at=now,
    )
    try:
        # Two workers raising the same new condition at once: the unique open key lets one
        # insert win; the other's savepoint rolls back and it updates the winner's alarm.
        with uow.session.begin_nested():
            uow.session.add(alarm)
            uow.session.flush()
    except IntegrityError:
        winner = _find_open(uow.session, key)
        if winner is None:
            raise
        _repeat(uow, winner, cond)
        return winner.id, False
    _history(uow, alarm, "raise", None, value=cond.value, note=cond.message or None)
    uow.audit("alarms.alarm.raise", Alarm.__tablename__, alarm.id, after=_snapshot(alarm))
    uow.add_event(AlarmRaised.of(alarm, alarm_id=alarm.id, title=_title(alarm), value=cond.value))
    _call(uow, alarm, 0)
    return alarm.id, True


def _repeat(uow: UnitOfWork, alarm: Alarm, cond: AlarmCondition) -> None:
    now = uow.clock.now()
    alarm.count += 1
    alarm.last_value = cond.value
    alarm.last_level = cond.level.value
    alarm.last_observed_at = max(alarm.last_observed_at, cond.observed_at)
    low = _is_low_rule(cond)
    alarm.peak_value = (
        min(alarm.peak_value, cond.value) if low else max(alarm.peak_value, cond.value)
    )
    alarm.updated_at = now
    if not is_higher(cond.level.value, alarm.level):
        next_state(alarm.state, AlarmAction.REPEAT)
        return
    before = _snapshot(alarm)
    previous_level, from_state = alarm.level, alarm.state
    alarm.state = next_state(alarm.state, AlarmAction.RISE).value
    alarm.level = cond.level.value
    alarm.level_label = cond.level_label or LEVEL_LABELS[cond.level.value]
    if cond.message:
        alarm.message = cond.message
    if cond.threshold is not None:
        alarm.threshold = cond.threshold
    restarted = from_state != alarm.state
    if restarted:
        # Acknowledged, then worse: a person must take charge again; escalation restarts.
        alarm.active_since = now
        alarm.escalation_round += 1
        alarm.escalation_step = 0
        alarm.acknowledged_at = alarm.acknowledged_by = alarm.acknowledged_by_name = None
    uow.session.flush()
    _history(
        uow,
        alarm,
        AlarmAction.RISE.value,
        from_state,
        value=cond.value,
        detail={"previous_level": previous_level},
    )
    uow.audit(
        "alarms.alarm.rise", Alarm.__tablename__, alarm.id, before=before, after=_snapshot(alarm)
    )
    uow.add_event(AlarmLevelRaised.of(alarm, alarm_id=alarm.id, previous_level=previous_level))
    if restarted:
        _call(uow, alarm, 0)


def _title(alarm: Alarm) -> str:
    label = alarm.level_label or LEVEL_LABELS.get(alarm.level, alarm.level)
    return f"{alarm.device_name} {alarm.metric} {label}"


def _fallback_recipients(session: Session) -> list[tuple[int, str]]:
    # Nobody rostered: every active duty officer account is told rather than nobody.
    stmt = select(User.id, User.display_name).where(
        User.role == Role.DUTY_OFFICER.value, User.is_active.is_(True)
    )
    return [(uid, name) for uid, name in session.execute(stmt.order_by(User.id))]


def _call(uow: UnitOfWork, alarm: Alarm, step: int, now: datetime | None = None) -> list[int]:
    """Tell the person of ``step`` on the duty chain; record the step (once per step)."""
    now = now or uow.clock.now()
    chain = duty_chain(uow.session, now, division_code=alarm.division_code)
    index = chain_target(step, len(chain))
    position: str | None = None
    if index is not None:
        person = chain[index]
        recipients = [(person.user_id, person.name)]
        position = person.position
    else:
        recipients = _fallback_recipients(uow.session)
    suffix = f":r{alarm.escalation_round}" if alarm.escalation_round else ""
    dedupe = f"alarm:{alarm.id}{suffix}:step:{step}"
    user_ids = [uid for uid, _ in recipients]
    names = "、".join(name for _, name in recipients) or "无人值班"
    uow.session.add(
        AlarmEscalation(
            alarm_id=alarm.id,
            round=alarm.escalation_round,
            step=step,
            at=now,
            user_ids=user_ids,
            names=names[:300],
            position=position,
            dedupe_key=dedupe,
        )
    )
    if user_ids:
        subject = f"【{alarm.level_label}】{alarm.device_name}"
        if step > 0:
            subject = f"【报警未确认·第{step}次升级】{alarm.device_name}"
        body = alarm.message or (
            f"{_title(alarm)}：当前值 {alarm.last_value}{alarm.unit}，"
            f"阈值 {alarm.threshold if alarm.threshold is not None else '-'}{alarm.unit}。"
        )
        uow.add_event(
            NoticeRequested(
                user_ids=user_ids,
                subject=subject,
                body=body + " 请及时在平台确认处置。",
                channels=["in_app", "sms"] if step == 0 else ["sms", "voice", "in_app"],
                source_kind="alarm",
                source_id=str(alarm.id),
                dedupe_key=dedupe,
            )
        )
    return user_ids


def _visible(uow: UnitOfWork, alarm_id: int) -> Alarm:
    stmt = select(Alarm).where(
        Alarm.id == alarm_id,
        scope_clause(uow.actor, Alarm.division_code, Alarm.enterprise_id),
    )
    if uow.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    alarm = uow.session.scalars(stmt).first()
    if alarm is None:
        raise NotFound("报警不存在")
    return alarm


def _require(uow: UnitOfWork, roles: frozenset[Role], action: str) -> None:
    require_role(uow.actor, roles, f"无权{action}", or_system=True)


def acknowledge_alarm(uow: UnitOfWork, alarm_id: int, *, note: str = "") -> None:
    """Take charge of an active alarm: escalation stops."""
    _require(uow, HANDLER_ROLES, "确认报警")
    alarm = _visible(uow, alarm_id)
    before, from_state = _snapshot(alarm), alarm.state
    alarm.state = next_state(alarm.state, AlarmAction.ACKNOWLEDGE).value
    now = uow.clock.now()
    alarm.acknowledged_at = now
    alarm.acknowledged_by = uow.actor.user_id
    alarm.acknowledged_by_name = uow.actor.username
    alarm.updated_at = now
    uow.session.flush()
    _history(uow, alarm, AlarmAction.ACKNOWLEDGE.value, from_state, note=note or None)
    uow.audit(
        "alarms.alarm.acknowledge",
        Alarm.__tablename__,
        alarm.id,
        before=before,
        after=_snapshot(alarm),
        reason=note or None,
    )
    uow.add_event(AlarmAcknowledged.of(alarm, alarm_id=alarm.id, acknowledged_by=uow.actor.user_id))


def _close(
    uow: UnitOfWork, alarm: Alarm, action: AlarmAction, reason: ClearReason, note: str
) -> None:
    before, from_state = _snapshot(alarm), alarm.state
    alarm.state = next_state(alarm.state, action).value
    now = uow.clock.now()
    alarm.open_key = None  # the condition may raise a new alarm from now on
    alarm.cleared_at = now
    alarm.cleared_by = uow.actor.user_id
    alarm.cleared_by_name = uow.actor.username
    alarm.clear_reason = reason.value
    alarm.clear_note = note or None
    alarm.updated_at = now
    uow.session.flush()
    _history(
        uow,
        alarm,
        action.value,
        from_state,
        note=note or None,
        detail={"reason": reason.value, "reason_label": CLEAR_REASON_LABELS[reason]},
    )
    uow.audit(
        f"alarms.alarm.{action.value}",
        Alarm.__tablename__,
        alarm.id,
        before=before,
        after=_snapshot(alarm),
        reason=f"{reason.value} {note}".strip(),
    )
    uow.add_event(AlarmCleared.of(alarm, alarm_id=alarm.id, reason=reason.value))


def clear_alarm(
    uow: UnitOfWork, alarm_id: int, *, reason: ClearReason | str | None, note: str = ""
) -> None:
    """Clear an alarm by hand; the reason code (real/false/maintenance/test) is required."""
    _require(uow, HANDLER_ROLES, "解除报警")
    allowed = ", ".join(r.value for r in MANUAL_CLEAR_REASONS)
    if not reason:
        raise ValidationFailed([FieldError("reason", f"请选择解除原因（{allowed}）")])
    try:
        code = ClearReason(reason)
    except ValueError:
        code = ClearReason.AUTO
    if code not in MANUAL_CLEAR_REASONS:
        raise ValidationFailed([FieldError("reason", f"解除原因应为 {allowed} 之一")])
    alarm = _visible(uow, alarm_id)
    _close(uow, alarm, AlarmAction.CLEAR, code, note)


def auto_clear(uow: UnitOfWork, cleared: ConditionCleared) -> int | None:
    """Clear the open alarm of a condition that is back to normal; None if none is open."""
    key = condition_key(cleared.device_id, cleared.metric, cleared.rule_key)
    alarm = _find_open(uow.session, key)
    if alarm is None:
        return None  # already cleared (by hand, or this event was seen before)
    if cleared.value is not None:
        alarm.last_value = cleared.value
    note = "监测值恢复正常" + (
        f"（{cleared.value}{alarm.unit}）" if cleared.value is not None else ""
    )
    _close(uow, alarm, AlarmAction.AUTO_CLEAR, ClearReason.AUTO, note)
    return alarm.id


def escalate_due(
    uow: UnitOfWork, now: datetime, config: EscalationConfig = DEFAULT_ESCALATION
) -> int:
    """Call the next person on the duty chain for every alarm silent too long; return count."""
    stmt = select(Alarm).where(Alarm.state == AlarmState.ACTIVE.value).order_by(Alarm.id)
    if uow.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    done = 0
    for alarm in uow.session.scalars(stmt):
        step = due_step(alarm.active_since, alarm.escalation_step, alarm.level, now, config)
        if step is None:
            continue
        next_state(alarm.state, AlarmAction.ESCALATE)
        before = _snapshot(alarm)
        alarm.escalation_step = step
        alarm.updated_at = now
        user_ids = _call(uow, alarm, step, now)
        uow.session.flush()
        _history(
            uow,
            alarm,
            AlarmAction.ESCALATE.value,
            alarm.state,
            detail={"step": step, "user_ids": user_ids},
        )
        uow.audit(
            "alarms.alarm.escalate",
            Alarm.__tablename__,
            alarm.id,
            before=before,
            after=_snapshot(alarm),
        )
        uow.add_event(AlarmEscalated.of(alarm, alarm_id=alarm.id, step=step, user_ids=user_ids))
        done += 1
    return done


def promote_alarm(uow: UnitOfWork, alarm_id: int, body: PromoteBody) -> None:
    """Announce that the alarm opens a hazard or an incident draft (once per target)."""
    _require(uow, PROMOTER_ROLES, "将报警转为隐患或事件")
    alarm = _visible(uow, alarm_id)
    next_state(alarm.state, AlarmAction.PROMOTE)
    if alarm.clear_reason in NOT_PROMOTABLE:
        label = CLEAR_REASON_LABELS[ClearReason(alarm.clear_reason)]
        raise Conflict(f"该报警已按“{label}”解除，不能转为隐患或事件")
    done = uow.session.scalar(
        select(AlarmHistory.id).where(
            AlarmHistory.alarm_id == alarm.id,
            AlarmHistory.action == AlarmAction.PROMOTE.value,
            AlarmHistory.note == body.target,
        )
    )
    if done is not None:
        target = "隐患" if body.target == "hazard" else "事件"
        raise Conflict(f"该报警已转为{target}")
    title = body.title or _title(alarm)
    description = body.description or alarm.message or title
    alarm.updated_at = uow.clock.now()
    _history(
        uow,
        alarm,
        AlarmAction.PROMOTE.value,
        alarm.state,
        note=body.target,
        detail={"title": title, "hazard_kind": body.hazard_kind},
    )
    uow.audit(
        "alarms.alarm.promote",
        Alarm.__tablename__,
        alarm.id,
        after={"target": body.target, "title": title},
    )
    uow.add_event(
        AlarmPromoted.of(
            alarm,
            alarm_id=alarm.id,
            target=body.target,
            title=title,
            description=description,
            occurred_at=alarm.raised_at,
            requested_by_user_id=uow.actor.user_id,
            hazard_kind=body.hazard_kind or hazard_kind_for(alarm.metric),
        )
    )


def link_hazard(uow: UnitOfWork, alarm_id: int, hazard_id: int) -> None:
    """Remember the hazard an alarm opened (the promotion handler calls this)."""
    alarm = uow.session.get(Alarm, alarm_id)
    if alarm is None or alarm.hazard_id == hazard_id:
        return
    alarm.hazard_id = hazard_id
    alarm.updated_at = uow.clock.now()
    uow.audit(
        "alarms.alarm.link_hazard", Alarm.__tablename__, alarm.id, after={"hazard_id": hazard_id}
    )
