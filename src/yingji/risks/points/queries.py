"""Risk point reads: the current (latest) assessment per point, history, control measures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from yingji.risks.points.models import ControlMeasure, RiskAssessment, RiskPoint
from yingji.risks.points.rules import LEVEL_COLORS, LEVEL_LABELS, TIER_LABELS, RiskLevel
from yingji.risks.points.schemas import AssessmentRead, ControlMeasureRead

# Newest first: the latest assessment is the one assessed last (ties: the one stored last).
_NEWEST = (RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())


def latest_assessments(session: Session, point_ids: Iterable[int]) -> dict[int, RiskAssessment]:
    """Return each point's latest assessment (one query; points never assessed are absent)."""
    ids = set(point_ids)
    if not ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=RiskAssessment.risk_point_id, order_by=_NEWEST)
        .label("rank")
    )
    ranked = select(RiskAssessment.id, rank).where(RiskAssessment.risk_point_id.in_(ids)).subquery()
    stmt = select(RiskAssessment).join(ranked, ranked.c.id == RiskAssessment.id)
    return {a.risk_point_id: a for a in session.scalars(stmt.where(ranked.c.rank == 1))}


def enterprise_point_ids(session: Session) -> dict[int, int | None]:
    """Return {risk point id: enterprise id} of the unretired points that belong to one."""
    return {
        k: v
        for k, v in session.execute(
            select(RiskPoint.id, RiskPoint.enterprise_id).where(
                RiskPoint.enterprise_id.is_not(None), RiskPoint.retired_at.is_(None)
            )
        )
    }


def current_level_is(level: Any) -> ColumnElement[bool]:
    """Return the clause "the point's latest assessment has ``level``" (list/GeoJSON filter)."""
    latest = (
        select(RiskAssessment.level)
        .where(RiskAssessment.risk_point_id == RiskPoint.id)
        .order_by(*_NEWEST)
        .limit(1)
        .correlate(RiskPoint)
        .scalar_subquery()
    )
    return latest == str(level)


def current_fields(session: Session, rows: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """Return the current grading fields of each risk point row (registry extra read)."""
    latest = latest_assessments(session, (row.id for row in rows))
    out: dict[int, dict[str, Any]] = {}
    for point_id, a in latest.items():
        level = RiskLevel(a.level)
        out[point_id] = {
            "level": level,
            "color": LEVEL_COLORS[level],
            "level_label": LEVEL_LABELS[level],
            "score": float(a.score),
            "method": a.method,
            "assessed_at": a.assessed_at,
        }
    return out


def assessment_read(a: RiskAssessment) -> AssessmentRead:
    """Return the API shape of a stored assessment."""
    level = RiskLevel(a.level)
    return AssessmentRead.of(
        a,
        inputs={k: float(v) for k, v in a.inputs.items()},
        score=float(a.score),
        level=level,
        color=LEVEL_COLORS[level],
        label=LEVEL_LABELS[level],
    )


def list_assessments(session: Session, point_id: int) -> list[AssessmentRead]:
    """Return a point's assessments, newest first (the caller checked visibility)."""
    stmt = select(RiskAssessment).where(RiskAssessment.risk_point_id == point_id)
    return [assessment_read(a) for a in session.scalars(stmt.order_by(*_NEWEST))]


def measure_read(m: ControlMeasure) -> ControlMeasureRead:
    """Return the API shape of a stored control measure."""
    return ControlMeasureRead.of(m, tier_label=TIER_LABELS[m.tier])


def list_measures(session: Session, point_id: int) -> list[ControlMeasureRead]:
    """Return a point's control measures in the order they were added."""
    stmt = select(ControlMeasure).where(ControlMeasure.risk_point_id == point_id)
    return [measure_read(m) for m in session.scalars(stmt.order_by(ControlMeasure.id))]
