"""Review reads: the measures from the incident's record, and the stored review."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.incidents.dispatch.queries import first_team_on_scene_at
from yingji.incidents.models import Incident, IncidentDeadline, IncidentReport
from yingji.incidents.queries import list_timeline, load_incident
from yingji.incidents.review.models import IncidentReview, ReviewProblem
from yingji.incidents.review.rules import DeadlineOutcome, TaskOutcome, measure
from yingji.incidents.review.schemas import ProblemRead, ReviewRead
from yingji.plans.queries import first_activation_at, incident_task_times


def compute_measures(session: Session, incident: Incident) -> dict[str, Any]:
    """Return the review measures from the incident's reports, activations, orders, tasks."""
    first_report = session.scalar(
        select(func.min(IncidentReport.sent_at)).where(IncidentReport.incident_id == incident.id)
    )
    first_activation = first_activation_at(session, incident.id)
    first_on_scene = first_team_on_scene_at(session, incident.id)
    tasks = [TaskOutcome(due, done) for due, done in incident_task_times(session, incident.id)]
    deadlines = [
        DeadlineOutcome(d.due_at, d.met_at)
        for d in session.scalars(
            select(IncidentDeadline).where(IncidentDeadline.incident_id == incident.id)
        )
    ]
    found = measure(
        incident.received_at, first_report, first_activation, first_on_scene, tasks, deadlines
    )
    return {
        "minutes_to_first_report": found.minutes_to_first_report,
        "minutes_to_activation": found.minutes_to_activation,
        "minutes_to_first_team_on_scene": found.minutes_to_first_team_on_scene,
        "tasks_total": found.tasks_total,
        "tasks_done": found.tasks_done,
        "tasks_on_time": found.tasks_on_time,
        "deadlines_total": found.deadlines_total,
        "deadlines_met_on_time": found.deadlines_met_on_time,
    }


def get_review(session: Session, actor: Actor, incident_id: int) -> ReviewRead:
    """Return the incident's review (NotFound if none, or the incident is not the actor's)."""
    incident = load_incident(session, actor, incident_id)
    review = session.scalar(select(IncidentReview).where(IncidentReview.incident_id == incident.id))
    if review is None:
        raise NotFound("该事件尚未复盘")
    problems = session.scalars(
        select(ReviewProblem).where(ReviewProblem.review_id == review.id).order_by(ReviewProblem.id)
    )
    return ReviewRead.of(
        review,
        incident_id=incident.id,
        incident_title=incident.title,
        measures=dict(review.measures),
        timeline=[e.model_dump() for e in list_timeline(session, incident.id)],
        problems=[ProblemRead.of(p) for p in problems],
    )
