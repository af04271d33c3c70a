"""Review writes: open the review of a closed incident, record problems into the
rectification loop (each becomes a hazard with source "review", owner and deadline).

Who: admin, bureau staff and duty officers, within their jurisdiction.
"""

from __future__ import annotations

from sqlalchemy import select

from yingji.accounts.rules import Role
from yingji.accounts.schemas import has_role, require_role
from yingji.core.errors import Conflict
from yingji.core.uow import UnitOfWork
from yingji.incidents.queries import load_incident
from yingji.incidents.review import queries
from yingji.incidents.review.models import IncidentReview, ReviewProblem
from yingji.incidents.review.schemas import ProblemCreate, ReviewCreate
from yingji.risks.hazards.schemas import HazardReport
from yingji.risks.hazards.service import confirm_hazard, report_hazard

REVIEWERS = {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER}
# Roles that may also confirm the hazard at once, naming its owner (the hazards domain's
# own rule decides; others leave it reported for the township to confirm).
_CONFIRMERS = {Role.ADMIN, Role.BUREAU_STAFF}


def _require_reviewer(uow: UnitOfWork) -> None:
    require_role(uow.actor, REVIEWERS, "当前角色不能开展复盘", or_system=True)


def open_review(uow: UnitOfWork, incident_id: int, data: ReviewCreate) -> int:
    """Freeze the incident's measures into its review (once, after it closed)."""
    _require_reviewer(uow)
    incident = load_incident(uow.session, uow.actor, incident_id)
    if incident.status != "closed":
        raise Conflict("事件尚未结案，不能复盘")
    existing = uow.session.scalar(
        select(IncidentReview.id).where(IncidentReview.incident_id == incident.id)
    )
    if existing is not None:
        raise Conflict("该事件已有复盘记录")
    measures = queries.compute_measures(uow.session, incident)
    review = IncidentReview(
        incident_id=incident.id,
        division_code=incident.division_code,
        summary=data.summary,
        measures=measures,
        created_by=uow.actor.user_id,
        created_by_name=uow.actor.name,
        created_at=uow.clock.now(),
    )
    uow.session.add(review)
    uow.session.flush()
    uow.audit(
        "incidents.review.create",
        "incident_review",
        review.id,
        after={"incident_id": incident.id, "measures": measures},
    )
    return review.id


def add_problem(uow: UnitOfWork, incident_id: int, data: ProblemCreate) -> int:
    """Record a problem and open its hazard in the rectification loop; return the problem id."""
    _require_reviewer(uow)
    incident = load_incident(uow.session, uow.actor, incident_id)
    review = uow.session.scalar(
        select(IncidentReview).where(IncidentReview.incident_id == incident.id)
    )
    if review is None:
        raise Conflict("请先开展复盘")
    problem = ReviewProblem(
        review_id=review.id,
        description=data.description,
        owner_user_id=data.owner_user_id,
        deadline=data.deadline,
        created_at=uow.clock.now(),
    )
    uow.session.add(problem)
    uow.session.flush()
    hazard_id = report_hazard(
        uow,
        HazardReport(
            source="review",
            source_ref=f"review:{review.id}#{problem.id}",
            level="major" if data.level == "major" else "general",
            kind="management",
            title=f"复盘问题：{incident.title}"[:200],
            description=data.description,
            enterprise_id=incident.enterprise_id,
            division_code=incident.division_code,
            longitude=incident.longitude,
            latitude=incident.latitude,
            deadline=data.deadline,
        ),
    )
    if has_role(uow.actor, _CONFIRMERS, or_system=True):
        confirm_hazard(
            uow,
            hazard_id,
            owner_user_id=data.owner_user_id,
            deadline=data.deadline,
            reason="复盘发现的问题，限期整改",
        )
    problem.hazard_id = hazard_id
    uow.audit(
        "incidents.review_problem.create",
        "incident_review_problem",
        problem.id,
        after={"hazard_id": hazard_id, "deadline": str(data.deadline)},
    )
    return problem.id
