"""Risk point writes beyond the kit: assessments (history, never overwritten), measures.

Both act on a point the actor may see (404 otherwise) and may change (its registry's
writers; an enterprise officer only reaches their own enterprise's points). Each write is
audited; an assessment that changes the point's current level announces RiskLevelChanged.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from yingji.accounts.schemas import require_role
from yingji.core.clock import attach_local
from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.registry.queries import get_row
from yingji.risks.points.events import RiskLevelChanged
from yingji.risks.points.models import ControlMeasure, RiskAssessment, RiskPoint
from yingji.risks.points.queries import assessment_read, latest_assessments, measure_read
from yingji.risks.points.registry import RISK_POINTS
from yingji.risks.points.rules import (
    DEFAULT_CONFIG,
    Grade,
    GradingConfig,
    Method,
    grade_lec,
    grade_ls,
    lec_problems,
)
from yingji.risks.points.schemas import (
    AssessmentCreate,
    AssessmentRead,
    ControlMeasureCreate,
    ControlMeasureRead,
)


def _writable_point(uow: UnitOfWork, point_id: int, action: str) -> tuple[RiskPoint, str]:
    row, site = get_row(uow.session, RISK_POINTS, uow.actor, point_id)
    actor = uow.actor
    require_role(actor, RISK_POINTS.writer_roles, f"无权{action}", or_system=True)
    if row.retired_at is not None:
        raise ValidationFailed([FieldError("id", "风险点已停用")])
    assert site is not None  # the registry is sited
    return row, site.division_code


def _ls_integer(name: str, value: Decimal | None) -> tuple[int | None, list[FieldError]]:
    if value is None:
        return None, []
    if value != value.to_integral_value():
        return None, [FieldError(name, f"{name.upper()} 取值 {value} 应为整数")]
    return int(value), []


def _grade(body: AssessmentCreate, config: GradingConfig) -> tuple[Grade, dict[str, Any]]:
    if body.method is Method.LEC:
        errors = lec_problems(body.l, body.e, body.c, config)
        if errors or body.e is None or body.c is None:
            raise ValidationFailed(errors)
        inputs = {"l": str(body.l), "e": str(body.e), "c": str(body.c)}
        return grade_lec(body.l, body.e, body.c, config), inputs
    l_value, errors = _ls_integer("l", body.l)
    s_value, s_errors = _ls_integer("s", body.s)
    errors += s_errors
    if body.s is None:
        errors.append(FieldError("s", "LS 评价必须填写该项"))
    if errors or l_value is None or s_value is None:
        raise ValidationFailed(errors)
    return grade_ls(l_value, s_value, config), {"l": l_value, "s": s_value}


def _assessed_at(uow: UnitOfWork, given: datetime | None, timezone: str) -> datetime:
    now = uow.clock.now()
    if given is None:
        return now
    # A time without an offset is the district's local time (what people type in forms).
    at = attach_local(given, timezone)
    if at > now:
        raise ValidationFailed([FieldError("assessed_at", "评价时间不能晚于当前时间")])
    return at


def record_assessment(
    uow: UnitOfWork,
    point_id: int,
    body: AssessmentCreate,
    *,
    config: GradingConfig = DEFAULT_CONFIG,
    timezone: str | None = None,
) -> AssessmentRead:
    """Grade a risk point and keep the assessment; announce a change of its current level."""
    point, division_code = _writable_point(uow, point_id, "评价该风险点")
    grade, inputs = _grade(body, config)
    assessed_at = _assessed_at(uow, body.assessed_at, timezone or uow.settings.timezone)
    previous = latest_assessments(uow.session, [point.id]).get(point.id)
    previous_level = previous.level if previous is not None else None
    assessment = RiskAssessment(
        risk_point_id=point.id,
        method=body.method.value,
        inputs=inputs,
        score=grade.score,
        level=grade.level.value,
        assessed_at=assessed_at,
        assessor=body.assessor or uow.actor.username,
        remarks=body.remarks,
        created_at=uow.clock.now(),
        created_by=uow.actor.user_id,
    )
    uow.session.add(assessment)
    uow.session.flush()
    read = assessment_read(assessment)
    uow.audit(
        "risks.risk_assessment.create",
        RiskAssessment.__tablename__,
        assessment.id,
        after=read.model_dump(mode="json"),
    )
    # A back-dated assessment does not become the current one: compare what is current now.
    current = latest_assessments(uow.session, [point.id])[point.id]
    if current.level != previous_level:
        uow.add_event(
            RiskLevelChanged(
                risk_point_id=point.id,
                assessment_id=current.id,
                division_code=division_code,
                enterprise_id=point.enterprise_id,
                previous_level=previous_level,
                level=current.level,
            )
        )
    return read


def add_control_measure(
    uow: UnitOfWork, point_id: int, body: ControlMeasureCreate
) -> ControlMeasureRead:
    """Add a control measure with its responsible tier to a risk point."""
    point, _division = _writable_point(uow, point_id, "登记该风险点的管控措施")
    measure = ControlMeasure(
        risk_point_id=point.id,
        measure=body.measure,
        tier=body.tier.value,
        responsible_person=body.responsible_person,
        created_at=uow.clock.now(),
    )
    uow.session.add(measure)
    uow.session.flush()
    read = measure_read(measure)
    uow.audit(
        "risks.control_measure.create",
        ControlMeasure.__tablename__,
        measure.id,
        after=read.model_dump(mode="json"),
    )
    return read
