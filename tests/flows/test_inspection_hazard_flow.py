"""Issue 3 flow: an inspection finding becomes a hazard, goes overdue and is escalated by the
hazards' overdue job, is rectified by the enterprise, re-inspected and closed out — and the
month's 三个强度 count the inspection and the problem once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from inspections.helpers import add_inspectors
from yingji.core.actor import system_actor
from yingji.core.clock import FixedClock
from yingji.core.outbox import OutboxMessage
from yingji.risks.hazards.queries import get_hazard

CASES = "/api/v1/inspections"
HAZARDS = "/api/v1/hazards"


def _hazard(ctx: Any, hazard_id: int) -> Any:
    with ctx.session_factory() as session:
        return get_hazard(session, system_actor(), hazard_id)


def _overdue_events(ctx: Any, hazard_id: int) -> int:
    with ctx.session_factory() as session:
        payloads = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.name == "risks.hazard_overdue")
        )
        return sum(1 for p in payloads if p["hazard_id"] == hazard_id)


def test_inspection_finding_through_the_hazard_loop_to_closure(
    ctx: Any, clock: FixedClock, as_user: Any, ids: dict[str, int]
) -> None:
    ctx.clock = clock  # 2026-06-01 10:00 in the district
    officers = add_inspectors(ctx, ["flow1", "flow2"])
    inspector = as_user("inspector")

    # 1. On-site inspection of enterprise A finds a problem; it enters the hazard loop.
    case = inspector.post(
        CASES,
        json={"enterprise_id": ids["enterprise:A"], "inspector_ids": list(officers.values())},
    ).json()
    finding = inspector.post(
        f"{CASES}/{case['id']}/findings",
        json={
            "description": "甲类仓库可燃气体检测报警装置未投用",
            "hazard_kind": "hazmat",
            "checklist_item": "HC03",
            "legal_basis": "安监总管三〔2017〕121号 第12项",
        },
    ).json()
    hazard_id = finding["hazard_id"]
    assert _hazard(ctx, hazard_id).state == "reported"
    assert (
        inspector.post(f"{CASES}/{case['id']}/record", json={"place": "甲类仓库"}).status_code
        == 200
    )

    # 2. The order sets a deadline; the hazard is confirmed with it.
    order = inspector.post(f"{CASES}/{case['id']}/order", json={"deadline": "2026-06-10"}).json()
    assert order["state"] == "ordered"
    hazard = _hazard(ctx, hazard_id)
    assert (hazard.state, str(hazard.deadline)) == ("confirmed", "2026-06-10")

    # 3. The enterprise starts but misses the deadline: the overdue job escalates once.
    ent = as_user("ent_a")
    started = ent.post(f"{HAZARDS}/{hazard_id}/actions/start", json={"reason": "已采购探头"})
    assert started.status_code == 200, started.text
    escalate = ctx.jobs.get("hazards.escalate_overdue").fn
    clock.advance(timedelta(days=10))  # 2026-06-11: one day late
    assert escalate(ctx, clock.now()) >= 1
    assert escalate(ctx, clock.now()) == 0
    assert _overdue_events(ctx, hazard_id) == 1
    assert _hazard(ctx, hazard_id).overdue

    # 4. The enterprise finishes and submits; the re-inspection accepts it (验收销号).
    clock.advance(timedelta(days=2))
    submitted = ent.post(f"{HAZARDS}/{hazard_id}/actions/submit", json={"reason": "探头已投用"})
    assert submitted.status_code == 200, submitted.text
    clock.advance(timedelta(days=1))
    checked = inspector.post(
        f"{CASES}/{case['id']}/reinspection", json={"opinion": "报警装置已投用，整改合格"}
    ).json()
    assert checked["state"] == "closed"
    assert checked["findings"][0]["rectified"] is True
    assert [d["doc_type"] for d in checked["documents"]] == [
        "inspection_record",
        "rectification_order",
        "reinspection_opinion",
    ]
    hazard = _hazard(ctx, hazard_id)
    assert hazard.state == "closed"
    assert hazard.closed_at is not None

    # 5. June's 三个强度 count the inspection and its problem once, re-inspection or not.
    stats = as_user("bureau").get("/api/v1/inspection-stats", params={"month": "2026-06"}).json()
    assert (stats["totals"]["inspections"], stats["totals"]["problems"]) == (1, 1)
    town_a = next(row for row in stats["townships"] if row["key"] == "500153001")
    assert (town_a["inspections"], town_a["problems"], town_a["rank"]) == (1, 1, 1)
    july = as_user("bureau").get("/api/v1/inspection-stats", params={"month": "2026-07"}).json()
    assert july["totals"]["inspections"] == 0
