"""Review (复盘): only after closing, measures from the record, problems into the hazard loop."""

from __future__ import annotations

from io import BytesIO

from docx import Document

from support.district import POINT_A
from yingji.incidents.review.rules import DeadlineOutcome, TaskOutcome, measure

INCIDENT = {
    "category": "accident",
    "type": "hazmat",
    "occurred_at": "2026-06-01T08:30:00+08:00",
    "longitude": POINT_A[0],
    "latitude": POINT_A[1],
    "title": "某化工企业储罐泄漏",
    "deaths": 0,
    "injuries": 2,
}


def _closed_incident(as_user) -> int:
    duty = as_user("duty")
    created = duty.post("/api/v1/incidents", json=INCIDENT)
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    closed = duty.post(f"/api/v1/incidents/{incident_id}/close", json={"reason": "处置完毕"})
    assert closed.status_code == 200, closed.text
    return int(incident_id)


def test_measures_from_the_record():
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    found = measure(
        t0,
        t0 + timedelta(minutes=42),
        t0 + timedelta(minutes=15),
        None,
        [
            TaskOutcome(t0 + timedelta(minutes=30), t0 + timedelta(minutes=20)),
            TaskOutcome(t0 + timedelta(minutes=30), t0 + timedelta(minutes=50)),
            TaskOutcome(t0 + timedelta(minutes=30), None),
        ],
        [DeadlineOutcome(t0 + timedelta(hours=1), t0 + timedelta(minutes=42))],
    )
    assert found.minutes_to_first_report == 42.0
    assert found.minutes_to_activation == 15.0
    assert found.minutes_to_first_team_on_scene is None
    assert (found.tasks_total, found.tasks_done, found.tasks_on_time) == (3, 2, 1)
    assert found.deadlines_met_on_time == 1


def test_review_only_after_close(as_user):
    duty = as_user("duty")
    created = duty.post("/api/v1/incidents", json=INCIDENT).json()
    refused = duty.post(f"/api/v1/incidents/{created['id']}/review", json={})
    assert refused.status_code == 409


def test_review_with_problem_opens_a_hazard_and_a_document(as_user):
    incident_id = _closed_incident(as_user)
    bureau = as_user("bureau")
    review = bureau.post(f"/api/v1/incidents/{incident_id}/review", json={"summary": "总体有序"})
    assert review.status_code == 201, review.text
    assert review.json()["measures"]["tasks_total"] == 0
    assert bureau.post(f"/api/v1/incidents/{incident_id}/review", json={}).status_code == 409
    problem = bureau.post(
        f"/api/v1/incidents/{incident_id}/review/problems",
        json={"description": "企业应急物资储备不足", "deadline": "2026-12-31"},
    )
    assert problem.status_code == 201, problem.text
    (found,) = problem.json()["problems"]
    hazard = bureau.get(f"/api/v1/hazards/{found['hazard_id']}").json()
    assert hazard["source"] == "review"
    assert hazard["state"] == "confirmed"
    document = bureau.get(f"/api/v1/incidents/{incident_id}/review.docx")
    assert document.status_code == 200
    text = "\n".join(p.text for p in Document(BytesIO(document.content)).paragraphs)
    assert "复盘报告" in text
    assert "企业应急物资储备不足" in text


def test_review_is_scoped(as_user):
    incident_id = _closed_incident(as_user)
    as_user("bureau").post(f"/api/v1/incidents/{incident_id}/review", json={})
    assert as_user("town_b").get(f"/api/v1/incidents/{incident_id}/review").status_code == 404
    assert (
        as_user("grid_a")
        .post(
            f"/api/v1/incidents/{incident_id}/review/problems",
            json={"description": "x", "deadline": "2026-12-31"},
        )
        .status_code
        == 403
    )
