"""Incident writes: intake, grading, reporting deadlines, casualty changes, reports, closure.

Every write acts for ``uow.actor`` on an incident inside their jurisdiction (404 otherwise),
adds a typed timeline entry and an audit row in the same transaction, and announces the
facts other domains react to. Rules (grades, deadlines, windows) come from ``rules``; this
module only applies them. May call: accounts, geo, enterprises, registry, duty (queries).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from yingji.accounts.schemas import has_role
from yingji.accounts.scoping import covers_division
from yingji.core.actor import Actor, system_actor
from yingji.core.clock import attach_local, format_local
from yingji.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from yingji.core.notices import NoticeRequested
from yingji.core.uow import UnitOfWork
from yingji.duty.queries import duty_chain
from yingji.geo.schemas import township_of
from yingji.incidents import queries
from yingji.incidents.events import IncidentClosed, IncidentGraded, IncidentReported
from yingji.incidents.models import (
    Incident,
    IncidentDeadline,
    IncidentReport,
    IncidentTask,
    IncidentTimelineEntry,
    ReportingRuleRecord,
)
from yingji.incidents.rules import (
    CATEGORY_LABELS,
    DEFAULT_SUPPLEMENT,
    GRADE_LABELS,
    INCIDENT_MACHINE,
    PLATFORM_GRADING,
    REPORT_MACHINE,
    REPORT_SECTIONS,
    ROLES,
    TASK_MACHINE,
    TYPES_BY_CODE,
    Casualties,
    GradingConfig,
    ReportingRule,
    SupplementConfig,
    TaskKind,
    casualties_changed,
    due_at,
    effective_rules,
    grade_accident,
    grade_rank,
    graded_by_493,
    remind_at,
    reserved_ref,
    rule_applies,
    supplement_window,
    type_problem,
    within_supplement_window,
)
from yingji.incidents.schemas import (
    CasualtyFields,
    CasualtyUpdate,
    IncidentCreate,
    ReportCreate,
    ReportingRuleWrite,
    ReportSend,
)

_CASUALTY_KEYS = (
    "deaths",
    "missing",
    "trapped",
    "serious_injuries",
    "injuries",
    "acute_poisoning",
    "direct_loss_wan_yuan",
)


# --- helpers ------------------------------------------------------------------------------------


def _may(actor: Actor, roles: frozenset[str]) -> bool:
    return has_role(actor, roles, or_system=True)


def _timeline(uow: UnitOfWork, incident_id: int, kind: str, summary: str, **data: Any) -> None:
    uow.session.add(
        IncidentTimelineEntry(
            incident_id=incident_id,
            at=uow.clock.now(),
            kind=kind,
            summary=summary,
            data=data,
            actor_id=uow.actor.user_id,
            actor_name=uow.actor.name,
        )
    )


def _snapshot(inc: Incident) -> dict[str, Any]:
    return {
        "status": inc.status,
        "grade": inc.grade,
        **{
            k: str(getattr(inc, k)) if k == "direct_loss_wan_yuan" else getattr(inc, k)
            for k in _CASUALTY_KEYS
        },
    }


def _writable(uow: UnitOfWork, incident_id: int, action: str) -> Incident:
    inc = queries.load_incident(uow.session, uow.actor, incident_id)
    if not _may(uow.actor, ROLES.writers):
        raise PermissionDenied(f"无权{action}")
    return inc


def _casualties(data: CasualtyFields) -> Casualties:
    return Casualties(
        deaths=data.deaths,
        missing=data.missing,
        trapped=data.trapped,
        serious_injuries=data.serious_injuries,
        injuries=data.injuries,
        acute_poisoning=data.acute_poisoning,
        direct_loss_wan_yuan=Decimal(data.direct_loss_wan_yuan),
    )


def _casualty_text(c: Casualties) -> str:
    return (
        f"死亡{c.deaths}人、失踪{c.missing}人、被困{c.trapped}人、重伤{c.serious_injuries}人、"
        f"急性工业中毒{c.acute_poisoning}人、其他受伤{c.injuries}人，"
        f"初步估计直接经济损失{c.direct_loss_wan_yuan}万元"
    )


def _grade_for(
    category: str, c: Casualties, given: str | None, config: GradingConfig
) -> str | None:
    if graded_by_493(category):
        return grade_accident(c, config).grade.value
    return given


# --- intake -------------------------------------------------------------------------------------


def _locate(uow: UnitOfWork, data: IncidentCreate) -> tuple[str, str, float | None, float | None]:
    """Return (division, unit name, longitude, latitude) or raise naming the fields."""
    from yingji.geo.queries import division_exists, locate

    session = uow.session
    errors: list[FieldError] = []
    unit_name = data.unit_name
    lon, lat = data.longitude, data.latitude
    division: str | None = None
    enterprise_id = uow.actor.enterprise_id or data.enterprise_id
    if (lon is None) != (lat is None):
        errors.append(FieldError("latitude" if lat is None else "longitude", "经纬度须同时填写"))
    if enterprise_id is not None:
        from yingji.enterprises.registry import ENTERPRISES
        from yingji.registry.queries import get_row

        try:
            row, site = get_row(session, ENTERPRISES, system_actor(), enterprise_id)
        except NotFound:
            errors.append(FieldError("enterprise_id", "企业不存在"))
        else:
            unit_name = unit_name or row.name
            if site is not None:
                division = site.division_code
                if lon is None and lat is None:
                    lon, lat = site.longitude, site.latitude
    site_division = division
    if lon is not None and lat is not None and not errors:
        found = locate(session, lon, lat)
        if found is None:
            errors.append(FieldError("longitude", "事发位置不在本区范围内"))
        elif (
            uow.actor.is_system
            and data.division_code
            and division_exists(session, data.division_code)
        ):
            # An announcing domain (grid report, alarm) already filed the record in its own
            # jurisdiction (GPS drift across a boundary stays with the member's grid); the
            # incident follows that record, the coordinates stay exact.
            division = data.division_code
        elif (
            uow.actor.enterprise_id is not None
            and site_division is not None
            and not found.code.startswith(township_of(site_division))
        ):
            # An enterprise reports what happens on its own premises, not in other townships.
            errors.append(FieldError("longitude", "事发位置不在本企业所在镇街"))
        else:
            division = found.code
    if data.division_code and division is None:
        if division_exists(session, data.division_code):
            division = data.division_code
        else:
            errors.append(FieldError("division_code", "行政区划不存在"))
    if division is None and not errors:
        errors.append(FieldError("longitude", "请填写事发位置（经纬度、行政区划或涉事企业）"))
    if errors:
        raise ValidationFailed(errors)
    assert division is not None
    return division, unit_name, lon, lat


def intake_incident(
    uow: UnitOfWork,
    data: IncidentCreate,
    *,
    timezone: str | None = None,
    grading: GradingConfig = PLATFORM_GRADING,
) -> int:
    """Receive an incident (接报), grade it and set its reporting deadlines; return its id.

    Idempotent by ``data.external_ref``: receiving the same reference again returns the id
    of the incident already received and changes nothing.
    """
    actor = uow.actor
    if not _may(actor, ROLES.reporters):
        raise PermissionDenied("无权登记突发事件")
    if data.external_ref and not actor.is_system and reserved_ref(data.external_ref):
        # The handlers' references (alarm:N, grid:N) make their intake idempotent; a client
        # that claimed one first would swallow the real event.
        raise ValidationFailed([FieldError("external_ref", "该外部编号前缀由系统保留")])
    if data.external_ref:
        existing = queries.find_incident_id_by_ref(uow.session, data.external_ref)
        if existing is not None:
            return existing
    errors: list[FieldError] = []
    if (problem := type_problem(data.category, data.type)) is not None:
        errors.append(FieldError("type", problem))
    if data.grade is not None and graded_by_493(data.category):
        errors.append(FieldError("grade", "生产安全事故等级按伤亡和损失自动认定，不能指定"))
    now = uow.clock.now()
    occurred_at = attach_local(data.occurred_at, timezone or uow.settings.timezone)
    if occurred_at > now + timedelta(minutes=5):
        errors.append(FieldError("occurred_at", "发生时间不能晚于当前时间"))
    if errors:
        raise ValidationFailed(errors)
    division, unit_name, lon, lat = _locate(uow, data)
    enterprise_id = actor.enterprise_id or data.enterprise_id
    if not actor.is_system and actor.enterprise_id is None and not covers_division(actor, division):
        raise ValidationFailed([FieldError("division_code", "事发地不在您的管辖范围内")])
    casualties = _casualties(data)
    grade = _grade_for(data.category, casualties, data.grade, grading)
    inc = Incident(
        external_ref=data.external_ref,
        source="enterprise" if actor.enterprise_id is not None else data.source,
        category=data.category,
        type=data.type,
        title=data.title.strip(),
        description=data.description,
        occurred_at=occurred_at,
        received_at=now,
        longitude=lon,
        latitude=lat,
        division_code=division,
        place=data.place,
        enterprise_id=enterprise_id,
        unit_name=unit_name,
        reporter_name=data.reporter_name,
        reporter_phone=data.reporter_phone,
        deaths=casualties.deaths,
        missing=casualties.missing,
        trapped=casualties.trapped,
        serious_injuries=casualties.serious_injuries,
        injuries=casualties.injuries,
        acute_poisoning=casualties.acute_poisoning,
        direct_loss_wan_yuan=casualties.direct_loss_wan_yuan,
        grade=grade,
        status="open",
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        # A savepoint: two deliveries of one external_ref racing on PostgreSQL must end
        # with one incident and the same answer for both, not a 500 for the loser.
        with uow.session.begin_nested():
            uow.session.add(inc)
            uow.session.flush()
    except IntegrityError:
        if data.external_ref:
            existing = queries.find_incident_id_by_ref(uow.session, data.external_ref)
            if existing is not None:
                return existing
        raise
    label = CATEGORY_LABELS[data.category]
    _timeline(
        uow,
        inc.id,
        "intake",
        f"接报：{label}（{TYPES_BY_CODE[data.type].label}）{inc.title}",
        source=inc.source,
        external_ref=inc.external_ref,
    )
    if grade is not None:
        _timeline(uow, inc.id, "graded", f"认定为{GRADE_LABELS[grade]}", grade=grade)
    _add_deadlines(uow, inc, anchor=now, intake=True)
    uow.audit("incidents.incident.intake", Incident.__tablename__, inc.id, after=_snapshot(inc))
    uow.add_event(
        IncidentReported.of(
            inc,
            incident_id=inc.id,
            grade=grade,
            division_code=division,
            enterprise_id=enterprise_id,
            reported_at=now,
            longitude=lon,
            latitude=lat,
        )
    )
    if grade is not None:
        uow.add_event(
            IncidentGraded(
                incident_id=inc.id, grade=grade, previous_grade=None, division_code=division
            )
        )
    return inc.id


def reporting_rules(uow: UnitOfWork) -> list[ReportingRule]:
    """Return the reporting rules in force (national defaults with local overrides)."""
    return effective_rules(queries.rule_overrides(uow.session))


def _add_deadlines(uow: UnitOfWork, inc: Incident, *, anchor: datetime, intake: bool) -> list[str]:
    """Create the deadlines the incident now owes that it does not have yet; return their keys."""
    have = {d.rule_key for d in queries.list_deadlines(uow.session, inc.id)}
    added: list[str] = []
    for rule in reporting_rules(uow):
        if rule.key in have or not rule_applies(rule, inc.category, inc.grade):
            continue
        # At intake "received" is the bureau's receipt; after a re-grade the new duty starts
        # when the higher grade became known (493 第十三条: 补报 then 逐级上报 again).
        due = due_at(rule, inc.occurred_at, anchor)
        deadline = IncidentDeadline(
            incident_id=inc.id,
            rule_key=rule.key,
            label=rule.label,
            reports_to=rule.reports_to,
            due_at=due,
            remind_at=remind_at(rule, due),
            remind=rule.remind,
            citation=rule.citation,
        )
        if intake and not rule.remind and rule.anchor.value == "occurred":
            # The unit's own report to the county is what the bureau just received.
            deadline.met_at = inc.received_at
            deadline.met_by = uow.actor.user_id
            deadline.note = "接报即视为已报告"
        uow.session.add(deadline)
        added.append(rule.key)
    uow.session.flush()
    return added


# --- casualty changes, re-grading ---------------------------------------------------------------


def update_casualties(
    uow: UnitOfWork,
    incident_id: int,
    data: CasualtyUpdate,
    *,
    grading: GradingConfig = PLATFORM_GRADING,
    supplement: SupplementConfig = DEFAULT_SUPPLEMENT,
) -> None:
    """Record new casualty figures; inside the 补报 window create a 补报 task and re-grade.

    国务院令第493号 第十三条: a change in casualties within 30 days (7 days for road traffic
    and fire) must be reported; outside the window the figures are kept but the grade stays.
    """
    inc = _writable(uow, incident_id, "更新伤亡情况")
    if inc.status != "open":
        raise Conflict("事件已结案，不能更新伤亡情况")
    before_snapshot = _snapshot(inc)
    before = queries.casualties_of(inc)
    after = _casualties(data)
    if before == after:
        return
    now = uow.clock.now()
    for key in _CASUALTY_KEYS:
        setattr(inc, key, getattr(after, key))
    inc.updated_at = now
    inside = within_supplement_window(inc.type, inc.occurred_at, now, supplement)
    window_days = supplement_window(inc.type, supplement).days
    summary = f"伤亡变化：{_casualty_text(after)}（原因：{data.reason}）"
    _timeline(
        uow,
        inc.id,
        "casualties_changed",
        summary,
        before=_as_dict(before),
        after=_as_dict(after),
        inside_window=inside,
    )
    if casualties_changed(before, after):
        if inside:
            _add_task(
                uow,
                inc,
                TaskKind.SUPPLEMENTARY_REPORT,
                f"伤亡情况发生变化，须于当日补报（{window_days}日内补报期）",
                now + timedelta(hours=supplement.report_within_hours),
            )
        else:
            _timeline(
                uow,
                inc.id,
                "outside_window",
                f"已超过{window_days}日补报期，不再补报，等级不作调整",
                window_days=window_days,
            )
    if inside and graded_by_493(inc.category):
        _regrade(uow, inc, grade_accident(after, grading).grade.value, now)
    uow.audit(
        "incidents.incident.update_casualties",
        Incident.__tablename__,
        inc.id,
        before=before_snapshot,
        after=_snapshot(inc),
        reason=data.reason,
    )


def _as_dict(c: Casualties) -> dict[str, Any]:
    return {
        k: str(getattr(c, k)) if k == "direct_loss_wan_yuan" else getattr(c, k)
        for k in _CASUALTY_KEYS
    }


def _regrade(uow: UnitOfWork, inc: Incident, grade: str, now: datetime) -> None:
    previous = inc.grade
    if grade == previous:
        return
    inc.grade = grade
    _timeline(
        uow,
        inc.id,
        "regraded",
        f"等级由{GRADE_LABELS.get(previous or '', '未定级')}调整为{GRADE_LABELS[grade]}",
        grade=grade,
        previous_grade=previous,
    )
    uow.add_event(
        IncidentGraded(
            incident_id=inc.id,
            grade=grade,
            previous_grade=previous,
            division_code=inc.division_code,
        )
    )
    if grade_rank(grade) > grade_rank(previous):
        added = _add_deadlines(uow, inc, anchor=now, intake=False)
        # 493 第二十条: a higher grade may move the investigation to a higher government.
        reach = "、".join(added) if added else "原上报范围"
        _add_task(
            uow,
            inc,
            TaskKind.ESCALATION,
            f"事故等级升为{GRADE_LABELS[grade]}，须按新等级逐级上报（{reach}），"
            "并报告上级人民政府（可能由其组织调查）",
            now + timedelta(hours=2),
        )


def _add_task(
    uow: UnitOfWork, inc: Incident, kind: TaskKind, title: str, due: datetime | None
) -> None:
    task = IncidentTask(
        incident_id=inc.id,
        kind=kind.value,
        title=title,
        due_at=due,
        status="open",
        created_at=uow.clock.now(),
    )
    uow.session.add(task)
    uow.session.flush()
    _timeline(
        uow, inc.id, "task_created", f"生成任务：{title}", task_id=task.id, task_kind=kind.value
    )
    uow.audit(
        "incidents.task.create",
        IncidentTask.__tablename__,
        task.id,
        after={"incident_id": inc.id, "kind": kind.value, "title": title},
    )


def complete_task(uow: UnitOfWork, task_id: int, *, note: str = "") -> None:
    """Mark a task done."""
    task = uow.session.get(IncidentTask, task_id)
    if task is None:
        raise NotFound("任务不存在")
    try:
        inc = _writable(uow, task.incident_id, "办理任务")
    except NotFound:
        raise NotFound("任务不存在") from None
    target = TASK_MACHINE.next_state(task.status, "complete")
    task.status = target
    task.done_at = uow.clock.now()
    task.done_by = uow.actor.user_id
    _timeline(uow, inc.id, "task_done", f"任务办结：{task.title}", task_id=task.id, note=note)
    uow.audit(
        "incidents.task.complete",
        IncidentTask.__tablename__,
        task.id,
        before={"status": "open"},
        after={"status": target},
        reason=note or None,
    )


# --- closing ------------------------------------------------------------------------------------


def close_incident(uow: UnitOfWork, incident_id: int, *, reason: str) -> None:
    """Close an incident (结案) and announce it."""
    inc = _writable(uow, incident_id, "结案")
    target = INCIDENT_MACHINE.next_state(inc.status, "close")
    before = _snapshot(inc)
    inc.status = target
    inc.closed_at = uow.clock.now()
    inc.close_reason = reason
    inc.updated_at = inc.closed_at
    _timeline(uow, inc.id, "closed", f"结案：{reason}")
    uow.audit(
        "incidents.incident.close",
        Incident.__tablename__,
        inc.id,
        before=before,
        after=_snapshot(inc),
        reason=reason,
    )
    uow.add_event(
        IncidentClosed(
            incident_id=inc.id, grade=inc.grade, division_code=inc.division_code, reason=reason
        )
    )


def reopen_incident(uow: UnitOfWork, incident_id: int, *, reason: str) -> None:
    """Reopen a closed incident."""
    inc = _writable(uow, incident_id, "重新打开事件")
    target = INCIDENT_MACHINE.next_state(inc.status, "reopen")
    before = _snapshot(inc)
    inc.status = target
    inc.closed_at = None
    inc.updated_at = uow.clock.now()
    _timeline(uow, inc.id, "reopened", f"重新打开：{reason}")
    uow.audit(
        "incidents.incident.reopen",
        Incident.__tablename__,
        inc.id,
        before=before,
        after=_snapshot(inc),
        reason=reason,
    )


# --- reports (初报/续报/核报/补报) ---------------------------------------------------------------


def _default_sections(session: Any, inc: Incident, timezone: str) -> dict[str, str]:
    from yingji.geo.queries import division_names

    place = division_names(session, [inc.division_code]).get(inc.division_code, inc.division_code)
    where = "，".join(p for p in (place, inc.place) if p)
    if inc.longitude is not None and inc.latitude is not None:
        where += f"（经度{inc.longitude:.5f}，纬度{inc.latitude:.5f}）"
    occurred = format_local(inc.occurred_at, timezone, "%Y年%m月%d日%H时%M分")
    grade = f"，初步认定为{GRADE_LABELS[inc.grade]}" if inc.grade else ""
    return {
        "unit_overview": inc.unit_name or "（不涉及生产经营单位或暂未查明）",
        "time_place_scene": f"{occurred}，{where}发生{inc.title}。",
        "sequence": inc.description or "（待续报）",
        "casualties_and_loss": _casualty_text(queries.casualties_of(inc)) + grade + "。",
        "measures_taken": "",
        "other_matters": "",
    }


def draft_report(uow: UnitOfWork, incident_id: int, body: ReportCreate) -> int:
    """Draft a report with the content 493 第十二条 requires; return its id."""
    inc = _writable(uow, incident_id, "起草报告")
    session = uow.session
    sections = _default_sections(session, inc, uow.settings.timezone)
    for key, _title in REPORT_SECTIONS:
        given = getattr(body, key)
        if given:
            sections[key] = given
    seq = 1 + len([r for r in queries.list_reports(session, inc.id) if r.kind == body.kind])
    now = uow.clock.now()
    report = IncidentReport(
        incident_id=inc.id,
        kind=body.kind,
        seq=seq,
        status="draft",
        content=sections,
        drafted_by=uow.actor.user_id,
        drafted_by_name=uow.actor.name,
        drafted_at=now,
    )
    session.add(report)
    session.flush()
    title = queries.report_title(body.kind, seq)
    _timeline(uow, inc.id, "report_drafted", f"起草{title}", report_id=report.id)
    uow.audit(
        "incidents.report.draft",
        IncidentReport.__tablename__,
        report.id,
        after={"incident_id": inc.id, "kind": body.kind, "seq": seq, "content": sections},
    )
    return report.id


def sign_report(uow: UnitOfWork, report_id: int) -> None:
    """Sign off (签发) a drafted report: an authorised user other than its author."""
    report, inc = queries.load_report(uow.session, uow.actor, report_id)
    actor = uow.actor
    if not _may(actor, ROLES.signers):
        raise PermissionDenied("无权签发报告")
    if actor.user_id is not None and actor.user_id == report.drafted_by:
        raise PermissionDenied("签发人不能是报告起草人")
    target = REPORT_MACHINE.next_state(report.status, "sign")
    report.status = target
    report.signed_by = actor.user_id
    report.signed_by_name = actor.username
    report.signed_at = uow.clock.now()
    title = queries.report_title(report.kind, report.seq)
    _timeline(uow, inc.id, "report_signed", f"{title}已签发", report_id=report.id)
    uow.audit(
        "incidents.report.sign",
        IncidentReport.__tablename__,
        report.id,
        before={"status": "draft"},
        after={"status": target, "signed_by": actor.user_id},
    )


def send_report(uow: UnitOfWork, report_id: int, body: ReportSend) -> list[str]:
    """Record that a signed report was sent; mark the deadlines it meets; return their keys."""
    report, inc = queries.load_report(uow.session, uow.actor, report_id)
    if not _may(uow.actor, ROLES.writers):
        raise PermissionDenied("无权报送报告")
    target = REPORT_MACHINE.next_state(report.status, "send")
    now = uow.clock.now()
    report.status = target
    report.sent_at = now
    report.sent_to = body.sent_to
    report.sent_by = uow.actor.user_id
    deadlines = [d for d in queries.list_deadlines(uow.session, inc.id) if d.met_at is None]
    if body.deadline_keys is None:
        chosen = [d for d in deadlines if d.remind]
    else:
        unknown = set(body.deadline_keys) - {d.rule_key for d in deadlines}
        if unknown:
            raise ValidationFailed(
                [FieldError("deadline_keys", f"没有未完成的上报时限：{'、'.join(sorted(unknown))}")]
            )
        chosen = [d for d in deadlines if d.rule_key in body.deadline_keys]
    for d in chosen:
        d.met_at = now
        d.met_by = uow.actor.user_id
        d.note = f"报告 {report.id}"
    if report.kind == "supplementary":
        for task in queries.list_tasks(uow.session, inc.id):
            if task.kind == TaskKind.SUPPLEMENTARY_REPORT and task.status == "open":
                task.status, task.done_at, task.done_by = "done", now, uow.actor.user_id
    title = queries.report_title(report.kind, report.seq)
    met = [d.rule_key for d in chosen]
    _timeline(
        uow,
        inc.id,
        "report_sent",
        f"{title}已报送{body.sent_to}",
        report_id=report.id,
        deadlines=met,
    )
    uow.audit(
        "incidents.report.send",
        IncidentReport.__tablename__,
        report.id,
        before={"status": "signed"},
        after={"status": target, "sent_to": body.sent_to, "deadlines": met},
    )
    return met


# --- reporting rules (admin) --------------------------------------------------------------------


def save_reporting_rule(uow: UnitOfWork, key: str, body: ReportingRuleWrite) -> None:
    """Create or replace the deployment's rule ``key`` (overrides a national rule of that key)."""
    if not _may(uow.actor, ROLES.rule_editors):
        raise PermissionDenied("只有系统管理员可以修改上报时限规则")
    if not key or len(key) > 60 or not all(c.isalnum() or c == "_" for c in key):
        raise ValidationFailed([FieldError("key", "规则代码只能包含字母、数字和下划线")])
    session = uow.session
    row = session.scalars(select(ReportingRuleRecord).where(ReportingRuleRecord.key == key)).first()
    before = None
    if row is None:
        row = ReportingRuleRecord(key=key)
        session.add(row)
    else:
        before = {"minutes": row.minutes, "active": row.active, "min_grade": row.min_grade}
    values = body.model_dump()
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = uow.clock.now()
    row.updated_by = uow.actor.user_id
    session.flush()
    uow.audit(
        "incidents.reporting_rule.save",
        ReportingRuleRecord.__tablename__,
        key,
        before=before,
        after=body.model_dump(mode="json"),
    )


# --- the deadline job ---------------------------------------------------------------------------


def _recipients(session: Any, at: datetime, *, escalate: bool) -> list[int]:
    """Return who hears about a deadline: the duty officer (and backup), or the whole chain."""
    people: list[int] = []
    chain = list(duty_chain(session, at))
    if chain:
        wanted = chain if escalate else [p for p in chain if p.position != "leader"] or chain
        people = [p.user_id for p in wanted]
    if not people:
        # Nobody rostered: the duty officers and bureau staff must still hear about it.
        from yingji.accounts.models import User

        roles = ["duty_officer", "bureau_staff"] if escalate else ["duty_officer"]
        stmt = select(User.id).where(User.role.in_(roles), User.is_active.is_(True))
        people = list(session.scalars(stmt.order_by(User.id)))
    return list(dict.fromkeys(people))


def chase_overdue_tasks(uow: UnitOfWork, now: datetime) -> int:
    """Tell the duty chain about each open 补报/升级上报 task past its due time, once."""
    session = uow.session
    stmt = (
        select(Incident, IncidentTask)
        .join(IncidentTask, IncidentTask.incident_id == Incident.id)
        .where(
            Incident.status == "open",
            IncidentTask.status == "open",
            IncidentTask.due_at.is_not(None),
            IncidentTask.due_at < now,
        )
        .order_by(IncidentTask.due_at, IncidentTask.id)
    )
    done = 0
    for inc, task in session.execute(stmt).tuples():
        assert task.due_at is not None
        if task.reminded_for is not None and task.reminded_for == task.due_at:
            continue
        task.reminded_for = task.due_at
        due_text = format_local(task.due_at, uow.settings.timezone, "%m-%d %H:%M")
        body = f"任务“{task.title}”已于{due_text}到期仍未完成，请立即办理。"
        users = _recipients(session, now, escalate=True)
        uow.add_event(
            NoticeRequested(
                user_ids=users,
                subject=f"【任务超时】{inc.title}",
                body=body,
                channels=["in_app", "sms"],
                source_kind="incident",
                source_id=str(inc.id),
                dedupe_key=f"incident-task-overdue:{task.id}:{task.due_at.isoformat()}",
            )
        )
        _timeline(uow, inc.id, "task_overdue", body, task=task.id, user_ids=users)
        uow.audit(
            "incidents.task.overdue",
            IncidentTask.__tablename__,
            task.id,
            after={"at": now.isoformat(), "due_at": task.due_at.isoformat(), "users": users},
        )
        done += 1
    return done


def check_deadlines(uow: UnitOfWork, now: datetime) -> int:
    """Remind before and escalate after each unmet deadline of an open incident, once each."""
    session = uow.session
    stmt = (
        select(Incident, IncidentDeadline)
        .join(IncidentDeadline, IncidentDeadline.incident_id == Incident.id)
        .where(
            Incident.status == "open",
            IncidentDeadline.met_at.is_(None),
            IncidentDeadline.remind.is_(True),
            IncidentDeadline.escalated_at.is_(None),
            IncidentDeadline.remind_at <= now,
        )
        .order_by(IncidentDeadline.due_at, IncidentDeadline.id)
    )
    done = 0
    for inc, d in session.execute(stmt).tuples():
        due_text = format_local(d.due_at, uow.settings.timezone, "%m-%d %H:%M")
        if now > d.due_at:
            d.escalated_at = now
            subject = f"【超时未报】{inc.title}"
            body = f"{d.label}（报{d.reports_to}）已于{due_text}到期仍未报告，请立即上报。"
            kind, key = "deadline_escalated", f"incident-deadline-escalate:{d.id}"
            escalate = True
        elif d.reminded_at is None:
            d.reminded_at = now
            minutes = max(0, int((d.due_at - now).total_seconds() // 60))
            subject = f"【上报提醒】{inc.title}"
            body = f"{d.label}（报{d.reports_to}）将于{due_text}到期，剩余约{minutes}分钟。"
            kind, key = "deadline_reminded", f"incident-deadline-remind:{d.id}"
            escalate = False
        else:
            continue
        users = _recipients(session, now, escalate=escalate)
        uow.add_event(
            NoticeRequested(
                user_ids=users,
                subject=subject,
                body=body,
                channels=["in_app", "sms", "voice"] if escalate else ["in_app", "sms"],
                source_kind="incident",
                source_id=str(inc.id),
                dedupe_key=key,
            )
        )
        _timeline(uow, inc.id, kind, body, deadline=d.rule_key, user_ids=users)
        uow.audit(
            f"incidents.deadline.{kind.removeprefix('deadline_')}",
            IncidentDeadline.__tablename__,
            d.id,
            after={"at": now.isoformat(), "users": users},
        )
        done += 1
    return done
