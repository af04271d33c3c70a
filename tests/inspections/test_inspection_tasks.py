"""The re-inspection reminder: once per deadline, to the case's officers, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from inspections.helpers import audit_actions
from yingji.core.outbox import OutboxMessage
from yingji.inspections.tasks import JOBS


def test_overdue_order_reminds_its_officers_once_per_deadline(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    pair = [officers["insp1"], officers["insp2"]]
    case = api.post(
        "/api/v1/inspections", json={"enterprise_id": ids["enterprise:A"], "inspector_ids": pair}
    ).json()
    url = f"/api/v1/inspections/{case['id']}"
    api.post(f"{url}/findings", json={"description": "安全出口堵塞", "as_hazard": False})
    api.post(f"{url}/record", json={})
    api.post(f"{url}/order", json={"deadline": "2026-06-05"})
    job = next(j for j in JOBS if j.name == "inspections.remind_reinspection")
    assert ctx.jobs.get(job.name) is not None

    assert job.fn(ctx, fixed.now()) == 0  # not due yet
    fixed.advance(timedelta(days=5))  # 2026-06-06: the deadline has passed
    assert job.fn(ctx, fixed.now()) == 1
    assert job.fn(ctx, fixed.now()) == 0
    with ctx.session_factory() as session:
        payloads = list(
            session.scalars(
                select(OutboxMessage.payload).where(OutboxMessage.name == "notice.requested")
            )
        )
    mine = [p for p in payloads if p["source_kind"] == "inspection_case"]
    assert len(mine) == 1
    assert sorted(mine[0]["user_ids"]) == sorted(pair)
    assert mine[0]["dedupe_key"] == f"inspection_case:{case['id']}:reinspect:2026-06-05"
    assert "2026-06-15" in mine[0]["body"]
    assert "inspections.case.remind_reinspection" in audit_actions(
        ctx, "inspections_case", case["id"]
    )
