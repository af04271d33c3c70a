"""Issue 5 flow across domains: an alarm promoted to an incident, graded, reported on time,
a plan activated, a team dispatched to the scene, the incident closed and reviewed.

Every step goes through the public API as the person who would do it; the measures of the
review come from what the earlier steps recorded (both engines).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from support.district import POINT_A, TOWN_A
from support.samples import rescue_team
from yingji.core.actor import system_actor
from yingji.incidents.models import Incident
from yingji.monitoring.events import AlarmConditionRaised


def _alarm(ctx) -> None:
    """Announce a high-high gas condition the way monitoring does (relayed to alarms)."""
    with ctx.uow(system_actor("monitoring")) as uow:
        uow.add_event(
            AlarmConditionRaised(
                device_id=7,
                device_code="GAS-07",
                device_name="储罐区可燃气体探测器",
                metric="gas_lel",
                unit="%LEL",
                rule_key="kind:gas_lel:high_high",
                level="red",
                level_label="二级报警",
                value=62.0,
                threshold=50.0,
                observed_at=datetime.now(UTC),
                division_code=TOWN_A + "001",
                enterprise_id=None,
                risk_point_id=None,
                major_hazard_id=None,
                longitude=POINT_A[0],
                latitude=POINT_A[1],
                message="可燃气体浓度超过二级报警值",
            )
        )
        uow.commit()


def test_alarm_incident_plan_dispatch_review(as_user, ctx):
    bureau, duty = as_user("bureau"), as_user("duty")
    # The plan the duty officer will start, and a rescue team on standby nearby.
    plan = bureau.post(
        "/api/v1/plans",
        json={
            "name": "危化品事故专项应急预案",
            "kind": "special",
            "event_types": ["hazmat"],
            "version": {
                "levels": [
                    {"level": 4, "criteria": {"event_types": ["hazmat"], "min_injuries": 1}}
                ],
                "templates": [
                    {
                        "level": 4,
                        "action": "划定警戒区并疏散周边群众",
                        "role": "township_officer",
                        "deadline_minutes": 30,
                    }
                ],
            },
        },
    ).json()
    assert bureau.post(f"/api/v1/plans/{plan['id']}/publish").status_code == 200
    team = bureau.post("/api/v1/rescue-teams", json=rescue_team(POINT_A, "危化")).json()

    # 1. The alarm arrives and the duty officer promotes it to an incident.
    _alarm(ctx)
    (alarm,) = duty.get("/api/v1/alarms").json()["items"]
    promoted = duty.post(
        f"/api/v1/alarms/{alarm['id']}/promote",
        json={"target": "incident", "hazard_kind": "hazmat", "title": "储罐区可燃气体泄漏"},
    )
    assert promoted.status_code == 202, promoted.text  # the incident opens via the outbox
    with ctx.session_factory() as session:
        incident_id = session.scalar(
            select(Incident.id).where(Incident.external_ref == f"alarm:{alarm['id']}")
        )
    assert incident_id is not None

    # 2. Casualties become known: the incident is graded under 493.
    graded = duty.patch(
        f"/api/v1/incidents/{incident_id}/casualties",
        json={"deaths": 0, "serious_injuries": 0, "injuries": 2, "reason": "现场核实 2 人轻伤"},
    )
    assert graded.status_code == 200, graded.text
    incident = duty.get(f"/api/v1/incidents/{incident_id}").json()
    assert incident["grade"] == "ordinary"
    assert incident["reporting_deadlines"]

    # 3. The first report is drafted, signed off by another person and sent in time.
    report = duty.post(
        f"/api/v1/incidents/{incident_id}/reports",
        json={"kind": "first", "measures_taken": "已疏散周边群众"},
    ).json()
    assert bureau.post(f"/api/v1/incident-reports/{report['id']}/sign").status_code == 200
    sent = duty.post(
        f"/api/v1/incident-reports/{report['id']}/send", json={"sent_to": "重庆市应急管理局"}
    )
    assert sent.status_code == 200, sent.text

    # 4. Plans matching the incident, and the activation at the level it reaches.
    matches = duty.post(
        "/api/v1/plans/match",
        json={"event_type": "hazmat", "injuries": 2, "division_code": incident["division_code"]},
    ).json()
    assert [m["plan_id"] for m in matches] == [plan["id"]]
    activation = duty.post(
        f"/api/v1/plans/{plan['id']}/activations",
        json={"level": matches[0]["level"], "incident_id": incident_id},
    )
    assert activation.status_code == 201, activation.text

    # 5. The recommended team is dispatched and reaches the scene.
    scene = {"longitude": POINT_A[0] + 0.01, "latitude": POINT_A[1]}
    ranked = duty.post("/api/v1/dispatch/recommendations", json=scene).json()["teams"]
    assert ranked[0]["id"] == team["id"]
    order = duty.post(
        "/api/v1/dispatch-orders",
        json={"incident_id": incident_id, "resource_kind": "team", "team_id": team["id"], **scene},
    ).json()
    for action in ("approve", "dispatch", "arrive"):
        assert (
            duty.post(f"/api/v1/dispatch-orders/{order['id']}/{action}", json={}).status_code == 200
        )

    # 6. Closed, then reviewed: the review counts what happened, in minutes from intake.
    closed = duty.post(f"/api/v1/incidents/{incident_id}/close", json={"reason": "险情排除"})
    assert closed.status_code == 200, closed.text
    review = bureau.post(f"/api/v1/incidents/{incident_id}/review", json={"summary": "处置及时"})
    assert review.status_code == 201, review.text
    measures = review.json()["measures"]
    assert measures["minutes_to_first_report"] is not None
    assert measures["minutes_to_activation"] is not None
    assert measures["minutes_to_first_team_on_scene"] is not None
    assert measures["tasks_total"] == 1
    assert measures["deadlines_met_on_time"] >= 1
    kinds = {e["kind"] for e in review.json()["timeline"]}
    assert kinds  # the incident's typed timeline is part of the review
