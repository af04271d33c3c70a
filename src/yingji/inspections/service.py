"""Inspection writes: the annual plan, conflicts, 双随机 draws, cases, findings, documents.

Who may write: the plan — admin and bureau staff; draws — those plus township officers (their
own township's pool only); cases — the enforcing roles (``rules.CASE_WRITERS``), on cases
they can see. Every write is audited in its transaction. A finding with ``as_hazard`` is
reported into the hazard loop (``risks.hazards``, source "inspection", one hazard per
finding); the rectification order confirms those hazards with the order's deadline; the
re-inspection accepts (验收销号) or returns them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.accounts.models import User
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import covers_division
from yingji.core.clock import local_today, to_local
from yingji.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.inspections import queries
from yingji.inspections.checklists import checklist_for
from yingji.inspections.events import (
    CaseStateChanged,
    DocumentIssued,
    DrawCompleted,
    InspectionRecorded,
)
from yingji.inspections.models import (
    DocumentCounter,
    EnforcementDocument,
    Finding,
    InspectionCase,
    InspectionPlan,
    InspectorConflict,
    PlanTarget,
    RandomDraw,
)
from yingji.inspections.rules import (
    CASE_WRITERS,
    DEFAULT_CONFIG,
    DOC_TYPE_LABELS,
    DRAW_ALGORITHM,
    DRAW_WRITERS,
    INSPECTOR_ROLES,
    PLAN_WRITERS,
    CaseAction,
    CaseState,
    DocType,
    InspectionConfig,
    PlanMode,
    document_number,
    draw,
    risk_tier,
)
from yingji.inspections.rules import MACHINE as CASE_MACHINE
from yingji.inspections.schemas import (
    CaseCreate,
    ConflictCreate,
    DrawCreate,
    FindingCreate,
    OrderInput,
    PenaltyInput,
    PlanCreate,
    RecordInput,
    ReinspectionInput,
)
from yingji.risks.hazards.queries import get_hazard
from yingji.risks.hazards.schemas import HazardReport
from yingji.risks.hazards.service import (
    accept_hazard,
    confirm_hazard,
    report_hazard,
    return_hazard,
)
from yingji.risks.points.queries import enterprise_point_ids, latest_assessments


def chinese_date(day: date) -> str:
    """Return a date as written in documents, e.g. 2026年6月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _require(uow: UnitOfWork, roles: frozenset[str], what: str) -> None:
    require_role(uow.actor, roles, f"无权{what}", or_system=True)


# --- annual plan ---------------------------------------------------------------------------------


def _worst_risk_levels(session: Session) -> dict[int, str]:
    # The enterprise's worst current risk-point level decides part of its tier.
    points = enterprise_point_ids(session)
    order = ["major", "significant", "general", "low"]
    worst: dict[int, str] = {}
    for point_id, assessment in latest_assessments(session, points).items():
        enterprise_id = points[point_id]
        if enterprise_id is None:
            continue
        current = worst.get(enterprise_id)
        if current is None or order.index(assessment.level) < order.index(current):
            worst[enterprise_id] = assessment.level
    return worst


def generate_plan(
    uow: UnitOfWork, data: PlanCreate, *, config: InspectionConfig = DEFAULT_CONFIG
) -> int:
    """Build the year's plan from the enterprise register (adds enterprises missing from it)."""
    _require(uow, PLAN_WRITERS, "编制年度执法计划")
    session = uow.session
    plan = queries.find_plan(session, data.year)
    created = plan is None
    if plan is None:
        plan = InspectionPlan(
            year=data.year,
            title=data.title or f"{data.year}年度安全生产监督检查计划",
            created_at=uow.clock.now(),
            created_by=uow.actor.user_id,
        )
        session.add(plan)
        session.flush()
    existing = set(
        session.scalars(select(PlanTarget.enterprise_id).where(PlanTarget.plan_id == plan.id))
    )
    worst = _worst_risk_levels(session)
    added = 0
    for facts in queries.enterprise_facts(session).values():
        if facts.retired or facts.id in existing:
            continue
        tier = risk_tier(
            has_major_hazard=facts.has_major_hazard,
            produces_hazardous_chemicals=facts.produces,
            handles_hazardous_chemicals=facts.handles,
            worst_risk_level=worst.get(facts.id),
        )
        policy = config.tiers[tier]
        session.add(
            PlanTarget(
                plan_id=plan.id,
                enterprise_id=facts.id,
                division_code=facts.division_code,
                industry_code=facts.industry_code,
                risk_tier=tier.value,
                mode=policy.mode.value,
                frequency=policy.frequency,
                cap=policy.cap,
            )
        )
        added += 1
    session.flush()
    uow.audit(
        "inspections.plan.create" if created else "inspections.plan.extend",
        InspectionPlan.__tablename__,
        plan.id,
        after={"year": plan.year, "title": plan.title, "targets_added": added},
    )
    return plan.id


# --- conflicts -----------------------------------------------------------------------------------


def add_conflict(uow: UnitOfWork, data: ConflictCreate) -> int:
    """Register an officer's interest in an enterprise, so they are never drawn for it."""
    _require(uow, PLAN_WRITERS, "登记执法回避关系")
    session = uow.session
    if session.get(User, data.inspector_id) is None:
        raise ValidationFailed([FieldError("inspector_id", "执法人员不存在")])
    if not queries.enterprise_facts(session, [data.enterprise_id]):
        raise ValidationFailed([FieldError("enterprise_id", "企业不存在")])
    found = session.scalar(
        select(InspectorConflict).where(
            InspectorConflict.inspector_id == data.inspector_id,
            InspectorConflict.enterprise_id == data.enterprise_id,
        )
    )
    if found is not None:
        return int(found.id)
    row = InspectorConflict(
        inspector_id=data.inspector_id,
        enterprise_id=data.enterprise_id,
        reason=data.reason,
        created_at=uow.clock.now(),
    )
    session.add(row)
    session.flush()
    uow.audit(
        "inspections.conflict.create",
        InspectorConflict.__tablename__,
        row.id,
        after=data.model_dump(mode="json"),
    )
    return int(row.id)


# --- 双随机 draw ---------------------------------------------------------------------------------


def _draw_division(uow: UnitOfWork, requested: str | None, district_code: str) -> str:
    actor = uow.actor
    division = requested or actor.division_code or district_code
    if not division.startswith(district_code):
        raise ValidationFailed([FieldError("division_code", "抽取范围不在本区")])
    if not actor.is_system and not covers_division(actor, division):
        raise PermissionDenied("只能在本辖区范围内抽取")
    return division


def make_draw(
    uow: UnitOfWork,
    data: DrawCreate,
    *,
    district_code: str,
    config: InspectionConfig = DEFAULT_CONFIG,
) -> int:
    """Draw targets and officers from the year's random pool; record everything; open cases."""
    _require(uow, DRAW_WRITERS, "进行双随机抽取")
    session = uow.session
    division = _draw_division(uow, data.division_code, district_code)
    plan = queries.find_plan(session, data.year)
    if plan is None:
        raise Conflict(f"{data.year} 年度执法计划尚未编制，不能抽取")
    stmt = select(PlanTarget).where(
        PlanTarget.plan_id == plan.id,
        PlanTarget.mode == PlanMode.RANDOM.value,
        PlanTarget.division_code.startswith(division, autoescape=True),
    )
    if data.industry_prefix:
        stmt = stmt.where(PlanTarget.industry_code.startswith(data.industry_prefix))
    targets = list(session.scalars(stmt.order_by(PlanTarget.enterprise_id)))
    candidates = [t.enterprise_id for t in targets]
    done = queries.inspections_done(session, data.year, candidates, config.timezone)
    excluded: list[dict[str, Any]] = []
    pool: list[int] = []
    for t in targets:
        if done.get(t.enterprise_id, 0) >= t.cap:
            excluded.append(
                {
                    "enterprise_id": t.enterprise_id,
                    "inspector_id": None,
                    "reason": f"已达年度检查上限（{t.cap}次）",
                    "stage": "pool",
                }
            )
        else:
            pool.append(t.enterprise_id)
    if data.inspector_ids is not None:
        officers = sorted(set(data.inspector_ids))
        known = set(
            session.scalars(
                select(User.id).where(User.id.in_(officers or [0]), User.is_active.is_(True))
            )
        )
        if unknown := [i for i in officers if i not in known]:
            raise ValidationFailed([FieldError("inspector_ids", f"执法人员不存在：{unknown}")])
    else:
        officers = sorted(
            session.scalars(
                select(User.id).where(User.role.in_(INSPECTOR_ROLES), User.is_active.is_(True))
            )
        )
    per_target = data.per_target or config.inspectors_per_target
    if len(officers) < per_target:
        raise Conflict(f"执法人员库不足 {per_target} 人，不能抽取")
    conflicts = sorted(
        (c.inspector_id, c.enterprise_id)
        for c in session.scalars(
            select(InspectorConflict).where(
                InspectorConflict.inspector_id.in_(officers),
                InspectorConflict.enterprise_id.in_(candidates or [0]),
            )
        )
    )
    seed = data.seed or secrets.token_hex(8)
    result = draw(
        seed, pool, officers, count=data.count, per_target=per_target, conflicts=conflicts
    )
    excluded += [
        {
            "enterprise_id": e.enterprise_id,
            "inspector_id": e.inspector_id,
            "reason": e.reason,
            "stage": "draw",
        }
        for e in result.exclusions
    ]
    row = RandomDraw(
        year=data.year,
        division_code=division,
        seed=seed,
        algorithm=DRAW_ALGORITHM,
        target_count=data.count,
        per_target=per_target,
        industry_prefix=data.industry_prefix,
        candidate_targets=candidates,
        candidate_inspectors=officers,
        conflicts=[list(pair) for pair in conflicts],
        excluded=excluded,
        result=[
            {"enterprise_id": a.enterprise_id, "inspector_ids": list(a.inspector_ids)}
            for a in result.assignments
        ],
        drawn_at=uow.clock.now(),
        drawn_by=uow.actor.user_id,
    )
    session.add(row)
    session.flush()
    facts = queries.enterprise_facts(session, [a.enterprise_id for a in result.assignments])
    for a in result.assignments:
        _new_case(
            uow,
            facts[a.enterprise_id],
            inspector_ids=list(a.inspector_ids),
            mode=PlanMode.RANDOM.value,
            planned_on=data.planned_on,
            department_id=uow.actor.department_id,
            draw_id=row.id,
        )
    uow.audit(
        "inspections.draw.create",
        RandomDraw.__tablename__,
        row.id,
        after={
            "seed": seed,
            "algorithm": DRAW_ALGORITHM,
            "division_code": division,
            "candidate_targets": candidates,
            "candidate_inspectors": officers,
            "conflicts": row.conflicts,
            "excluded": excluded,
            "result": row.result,
        },
    )
    uow.add_event(
        DrawCompleted(
            draw_id=row.id,
            year=data.year,
            division_code=division,
            seed=seed,
            enterprise_ids=[a.enterprise_id for a in result.assignments],
        )
    )
    return row.id


# --- cases ---------------------------------------------------------------------------------------


def _new_case(
    uow: UnitOfWork,
    facts: queries.EnterpriseFacts,
    *,
    inspector_ids: list[int],
    mode: str,
    planned_on: date | None,
    department_id: int | None,
    draw_id: int | None = None,
) -> InspectionCase:
    row = InspectionCase(
        enterprise_id=facts.id,
        division_code=facts.division_code,
        department_id=department_id,
        draw_id=draw_id,
        mode=mode,
        inspector_ids=inspector_ids,
        checklist_code=checklist_for(facts.industry_code).code,
        state=CaseState.PLANNED.value,
        planned_on=planned_on,
        created_at=uow.clock.now(),
        created_by=uow.actor.user_id,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit(
        "inspections.case.create",
        InspectionCase.__tablename__,
        row.id,
        after={
            "enterprise_id": facts.id,
            "mode": mode,
            "inspector_ids": inspector_ids,
            "draw_id": draw_id,
        },
    )
    return row


def open_case(uow: UnitOfWork, data: CaseCreate) -> int:
    """Open an inspection case of an enterprise the actor can see (重点检查, complaint ...)."""
    _require(uow, CASE_WRITERS, "发起执法检查")
    session = uow.session
    facts = queries.enterprise_facts(session, [data.enterprise_id]).get(data.enterprise_id)
    actor = uow.actor
    if facts is None or (not actor.is_system and not covers_division(actor, facts.division_code)):
        raise NotFound("企业不存在")
    officers = sorted(set(data.inspector_ids))
    if len(officers) < 2:
        # 行政处罚法 第五十五条: at least two officers.
        raise ValidationFailed([FieldError("inspector_ids", "执法人员不得少于两人")])
    known = set(session.scalars(select(User.id).where(User.id.in_(officers))))
    if unknown := [i for i in officers if i not in known]:
        raise ValidationFailed([FieldError("inspector_ids", f"执法人员不存在：{unknown}")])
    conflicted = session.scalars(
        select(InspectorConflict.inspector_id).where(
            InspectorConflict.enterprise_id == facts.id,
            InspectorConflict.inspector_id.in_(officers),
        )
    ).all()
    if conflicted:
        raise ValidationFailed(
            [
                FieldError(
                    "inspector_ids", f"执法人员 {list(conflicted)} 与该企业存在利害关系，应回避"
                )
            ]
        )
    row = _new_case(
        uow,
        facts,
        inspector_ids=officers,
        mode=data.mode,
        planned_on=data.planned_on,
        department_id=data.department_id if data.department_id else actor.department_id,
    )
    return row.id


def _writable_case(uow: UnitOfWork, case_id: int, what: str) -> InspectionCase:
    row = queries.get_case_row(uow.session, uow.actor, case_id)
    _require(uow, CASE_WRITERS, what)
    return row


def _move(uow: UnitOfWork, row: InspectionCase, action: CaseAction, reason: str = "") -> None:
    target = CaseState(CASE_MACHINE.next_state(row.state, action))
    before = row.state
    row.state = target.value
    if target is CaseState.CLOSED:
        row.closed_at = uow.clock.now()
    uow.audit(
        f"inspections.case.{action.value}",
        InspectionCase.__tablename__,
        row.id,
        before={"state": before},
        after={"state": target.value},
        reason=reason or None,
    )
    uow.add_event(
        CaseStateChanged.of(
            row, case_id=row.id, from_state=before, to_state=target.value, action=action.value
        )
    )


def add_finding(uow: UnitOfWork, case_id: int, data: FindingCreate) -> int:
    """Record a problem found on site; put it into the hazard loop when ``as_hazard``."""
    row = _writable_case(uow, case_id, "登记检查发现的问题")
    if row.state != CaseState.PLANNED.value:
        raise Conflict("现场检查记录已出具，不能再添加问题")
    finding = Finding(
        case_id=row.id,
        checklist_item=data.checklist_item,
        description=data.description,
        level=data.level,
        hazard_kind=data.hazard_kind,
        legal_basis=data.legal_basis,
        photo_keys=list(data.photo_keys),
        created_at=uow.clock.now(),
    )
    uow.session.add(finding)
    uow.session.flush()
    if data.as_hazard:
        finding.hazard_id = _report_hazard(uow, row, finding)
    uow.audit(
        "inspections.finding.create",
        Finding.__tablename__,
        finding.id,
        after=queries.finding_read(finding).model_dump(mode="json"),
    )
    return finding.id


def _report_hazard(uow: UnitOfWork, case: InspectionCase, finding: Finding) -> int:
    title = finding.description.split("\n", 1)[0][:60]
    return report_hazard(
        uow,
        HazardReport(
            source="inspection",
            # One hazard per finding: a retried request reports nothing twice.
            source_ref=f"inspection-finding:{finding.id}",
            level=finding.level,
            kind=finding.hazard_kind,
            title=title,
            description=finding.description,
            enterprise_id=case.enterprise_id,
            division_code=case.division_code,
            photo_keys=list(finding.photo_keys),
        ),
    )


def _hazard_state(uow: UnitOfWork, hazard_id: int) -> str | None:
    try:
        return str(get_hazard(uow.session, uow.actor, hazard_id).state)
    except NotFound:
        return None


def _content(
    uow: UnitOfWork, row: InspectionCase, config: InspectionConfig, **extra: Any
) -> dict[str, Any]:
    session = uow.session
    facts = queries.enterprise_facts(session, [row.enterprise_id])[row.enterprise_id]
    names = queries.user_names(session, row.inspector_ids)
    content: dict[str, Any] = {
        "authority": config.authority,
        "enterprise_name": facts.name,
        "credit_code": facts.credit_code,
        "address": facts.address,
        "legal_representative": facts.legal_representative,
        "inspectors": "、".join(names.get(i, str(i)) for i in row.inspector_ids),
        "issued_on": chinese_date(local_today(config.timezone, uow.clock.now())),
    }
    content.update(extra)
    return content


def allocate_serial(session: Session, doc_type: str, year: int) -> int:
    """Take the next serial of ``doc_type`` in ``year`` (the counter row stays locked).

    PostgreSQL: the UPDATE takes the row lock until commit, so a concurrent issue waits and
    then gets the next number. SQLite: a write transaction holds the database write lock from
    BEGIN IMMEDIATE (core.db). A transaction that rolls back returns its number.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(DocumentCounter)
        .values(doc_type=doc_type, year=year, last_serial=0)
        .on_conflict_do_nothing(index_elements=["doc_type", "year"])
    )
    serial = session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.doc_type == doc_type, DocumentCounter.year == year)
        .values(last_serial=DocumentCounter.last_serial + 1)
        .returning(DocumentCounter.last_serial)
    ).scalar_one()
    return int(serial)


def issue_document(
    uow: UnitOfWork,
    row: InspectionCase,
    doc_type: DocType,
    content: dict[str, Any],
    *,
    config: InspectionConfig = DEFAULT_CONFIG,
) -> EnforcementDocument:
    """Number and store an enforcement document of a case with its frozen content."""
    now = uow.clock.now()
    year = local_today(config.timezone, now).year
    serial = allocate_serial(uow.session, doc_type.value, year)
    number = document_number(config, doc_type.value, year, serial)
    doc = EnforcementDocument(
        case_id=row.id,
        enterprise_id=row.enterprise_id,
        division_code=row.division_code,
        doc_type=doc_type.value,
        year=year,
        serial=serial,
        number=number,
        content={**content, "number": number, "title": DOC_TYPE_LABELS[doc_type]},
        issued_at=now,
        issued_by=uow.actor.user_id,
    )
    uow.session.add(doc)
    uow.session.flush()
    uow.audit(
        "inspections.document.issue",
        EnforcementDocument.__tablename__,
        doc.id,
        after={"case_id": row.id, "doc_type": doc_type.value, "number": number},
    )
    uow.add_event(
        DocumentIssued.of(
            row, document_id=doc.id, case_id=row.id, doc_type=doc_type.value, number=number
        )
    )
    return doc


def _finding_lines(findings: Sequence[Finding]) -> list[str]:
    lines = []
    for f in findings:
        basis = f"（违反{f.legal_basis}）" if f.legal_basis else ""
        lines.append(f"{f.description}{basis}")
    return lines


def record_inspection(
    uow: UnitOfWork,
    case_id: int,
    data: RecordInput,
    *,
    config: InspectionConfig = DEFAULT_CONFIG,
) -> int:
    """Issue the on-site record (现场检查记录) of a case; return the document id."""
    row = _writable_case(uow, case_id, "出具现场检查记录")
    now = uow.clock.now()
    at = data.inspected_at or now
    if at.tzinfo is None:
        raise ValidationFailed([FieldError("inspected_at", "检查时间须带时区")])
    if at > now:
        raise ValidationFailed([FieldError("inspected_at", "检查时间不能晚于当前时间")])
    _move(uow, row, CaseAction.RECORD)
    row.inspected_at = at
    row.place = data.place
    row.summary = data.summary
    findings = queries.case_findings(uow.session, row.id)
    local = to_local(at, config.timezone)
    content = _content(
        uow,
        row,
        config,
        inspected_at=local.strftime("%Y年%m月%d日 %H:%M"),
        place=data.place,
        summary=data.summary,
        findings=_finding_lines(findings),
    )
    doc = issue_document(uow, row, DocType.INSPECTION_RECORD, content, config=config)
    uow.add_event(InspectionRecorded.of(row, case_id=row.id, findings=len(findings)))
    return doc.id


def order_rectification(
    uow: UnitOfWork,
    case_id: int,
    data: OrderInput,
    *,
    config: InspectionConfig = DEFAULT_CONFIG,
) -> int:
    """Issue the 责令限期整改指令书 with a deadline; confirm the findings' hazards with it."""
    row = _writable_case(uow, case_id, "下达责令限期整改指令书")
    findings = queries.case_findings(uow.session, row.id)
    if not findings:
        raise Conflict("未发现问题，无需责令整改")
    today = local_today(config.timezone, uow.clock.now())
    if data.deadline < today:
        raise ValidationFailed([FieldError("deadline", "整改期限不能早于今天")])
    pending = [f for f in findings if f.rectified is not True]
    _move(uow, row, CaseAction.ORDER)
    row.rectify_deadline = data.deadline
    for f in pending:
        if f.hazard_id is not None and _hazard_state(uow, f.hazard_id) == "reported":
            confirm_hazard(uow, f.hazard_id, deadline=data.deadline, reason="执法检查责令限期整改")
    content = _content(
        uow,
        row,
        config,
        findings=_finding_lines(pending),
        deadline=chinese_date(data.deadline),
        requirements=data.requirements,
    )
    return issue_document(uow, row, DocType.RECTIFICATION_ORDER, content, config=config).id


def reinspect(
    uow: UnitOfWork,
    case_id: int,
    data: ReinspectionInput,
    *,
    config: InspectionConfig = DEFAULT_CONFIG,
) -> int:
    """Re-inspect an ordered case: issue the 整改复查意见书; accept or return the hazards."""
    row = _writable_case(uow, case_id, "进行整改复查")
    findings = queries.case_findings(uow.session, row.id)
    ids = {f.id for f in findings}
    if unknown := [i for i in data.unrectified_finding_ids if i not in ids]:
        raise ValidationFailed(
            [FieldError("unrectified_finding_ids", f"不属于本案的问题：{unknown}")]
        )
    failed = set(data.unrectified_finding_ids)
    action = CaseAction.REINSPECT_FAIL if failed else CaseAction.REINSPECT_PASS
    # A hazard is closed out only after its unit reports the rectification done (16号令
    # 第十五条 / the hazard loop's submit): passing it on site before then would leave the
    # hazard open while the case says "rectified".
    waiting = [
        f.hazard_id
        for f in findings
        if f.hazard_id is not None
        and f.id not in failed
        and f.rectified is not True
        and _hazard_state(uow, f.hazard_id) in {"confirmed", "rectifying"}
    ]
    if waiting:
        raise Conflict(
            f"隐患 {'、'.join(f'#{h}' for h in waiting)} 尚未由企业提交整改，不能复查合格",
            code="rectification_not_submitted",
        )
    order = uow.session.scalar(
        select(EnforcementDocument)
        .where(
            EnforcementDocument.case_id == row.id,
            EnforcementDocument.doc_type == DocType.RECTIFICATION_ORDER.value,
        )
        .order_by(EnforcementDocument.id.desc())
        .limit(1)
    )
    _move(uow, row, action, data.opinion)
    row.reinspected_at = uow.clock.now()
    lines = []
    for f in findings:
        if f.rectified is True:
            continue  # accepted at an earlier re-inspection
        ok = f.id not in failed
        f.rectified = ok
        lines.append(f"{f.description}：{'已整改' if ok else '未整改'}")
        if f.hazard_id is not None:
            _settle_hazard(uow, f.hazard_id, ok, data.opinion)
    opinion = data.opinion or (
        "经复查，责令整改的问题已整改完毕。"
        if not failed
        else "经复查，部分问题未按期整改，依法处理。"
    )
    content = _content(
        uow,
        row,
        config,
        findings=lines,
        opinion=opinion,
        order_number=order.number if order else "—",
        order_issued_on=chinese_date(local_today(config.timezone, order.issued_at))
        if order
        else "—",
    )
    return issue_document(uow, row, DocType.REINSPECTION_OPINION, content, config=config).id


def _settle_hazard(uow: UnitOfWork, hazard_id: int, rectified: bool, opinion: str) -> None:
    # Only a submitted rectification can be accepted or returned; a hazard the enterprise has
    # not submitted stays where it is (its own deadline and escalation keep running).
    if _hazard_state(uow, hazard_id) != "submitted":
        return
    if rectified:
        accept_hazard(uow, hazard_id, reason=opinion or "执法复查合格")
    else:
        return_hazard(uow, hazard_id, reason=opinion or "执法复查未整改到位")


def decide_penalty(
    uow: UnitOfWork,
    case_id: int,
    data: PenaltyInput,
    *,
    config: InspectionConfig = DEFAULT_CONFIG,
) -> int:
    """Issue the 行政处罚决定书 with the fine; return the document id."""
    row = _writable_case(uow, case_id, "作出行政处罚决定")
    _move(uow, row, CaseAction.PENALIZE, data.basis)
    row.fine_yuan = data.fine_yuan
    row.penalized_at = uow.clock.now()
    row.penalty_basis = data.basis
    findings = queries.case_findings(uow.session, row.id)
    facts = data.facts or "；".join(f.description for f in findings if f.rectified is not True)
    content = _content(
        uow,
        row,
        config,
        facts=facts,
        basis=data.basis,
        fine_yuan=f"{data.fine_yuan:,.2f}",
        findings=_finding_lines(findings),
    )
    return issue_document(uow, row, DocType.PENALTY_DECISION, content, config=config).id


def close_case(uow: UnitOfWork, case_id: int, *, reason: str = "") -> None:
    """Close a case (结案) that needs nothing more."""
    row = _writable_case(uow, case_id, "结案")
    if row.state == CaseState.RECORDED.value and queries.case_findings(uow.session, row.id):
        raise Conflict("存在检查发现的问题，应责令整改或处罚后结案")
    _move(uow, row, CaseAction.CLOSE, reason)
