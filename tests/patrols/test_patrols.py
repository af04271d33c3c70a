"""Grid patrols and grid reports: start/track/check/finish, coverage, hazard and event reports,
photos, scoping and audit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage
from yingji.risks.hazards.models import Hazard

P_A1 = (105.55, 29.42)  # inside village A1, grid_a's village
P_A2 = (105.55, 29.47)  # village A2: township A, not grid_a's village
P_B1 = (105.65, 29.42)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _points(start: datetime, n: int, step_m: float = 100) -> list[dict[str, Any]]:
    deg = step_m / 111_195
    return [
        {
            "recorded_at": (start + timedelta(minutes=i)).isoformat(),
            "longitude": P_A1[0],
            "latitude": P_A1[1] + i * deg,
            "accuracy_m": 8,
        }
        for i in range(n)
    ]


def _audits(ctx: Any, entity: str, entity_id: int) -> list[str]:
    with ctx.session_factory() as s:
        return list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
                .order_by(AuditEntry.id)
            )
        )


def test_patrol_lifecycle_track_checks_coverage(as_user, ctx, clock) -> None:
    ctx.clock = clock  # 2026-06-01 10:00 in the district
    grid = as_user("grid_a")
    started = grid.post("/api/v1/patrols", json={})
    assert started.status_code == 201, started.text
    patrol = started.json()
    pid = patrol["id"]
    assert patrol["division_code"] == "500153001001"
    assert patrol["state"] == "ongoing"
    # One patrol at a time.
    assert grid.post("/api/v1/patrols", json={}).status_code == 409
    begin = datetime.fromisoformat(patrol["started_at"])
    batch = _points(begin, 4)
    up = grid.post(f"/api/v1/patrols/{pid}/track-points", json={"points": batch})
    assert up.status_code == 200, up.text
    assert up.json()["added"] == 4
    assert 290 < up.json()["distance_m"] < 310
    # A resent batch (lost answer on a phone) adds nothing.
    again = grid.post(f"/api/v1/patrols/{pid}/track-points", json={"points": batch[2:]})
    assert again.json() == {**up.json(), "added": 0, "duplicates": 2}
    check = grid.post(
        f"/api/v1/patrols/{pid}/checks",
        json={"item": "消防通道", "result": "anomaly", "note": "杂物堆放"},
    )
    assert check.status_code == 201, check.text
    grid.post(f"/api/v1/patrols/{pid}/checks", json={"item": "配电箱"})
    finished = grid.post(f"/api/v1/patrols/{pid}/finish", json={"summary": "发现一处异常"})
    assert finished.status_code == 200, finished.text
    assert finished.json()["state"] == "finished"
    assert finished.json()["check_count"] == 2
    assert finished.json()["anomaly_count"] == 1
    assert grid.post(f"/api/v1/patrols/{pid}/finish", json={}).status_code == 409
    late = grid.post(f"/api/v1/patrols/{pid}/track-points", json={"points": _points(begin, 1)})
    assert late.status_code == 409
    detail = grid.get(f"/api/v1/patrols/{pid}").json()
    assert len(detail["track"]) == 4
    assert len(detail["checks"]) == 2
    assert _audits(ctx, "patrols_patrol", pid) == [
        "patrols.patrol.start",
        "patrols.patrol.track_upload",
        "patrols.patrol.finish",
    ]
    assert _audits(ctx, "patrols_check", check.json()["id"]) == ["patrols.patrol.check"]

    # Coverage: town A's two villages, only A1 patrolled today.
    cov = as_user("town_a").get("/api/v1/patrols/coverage", params={"day": "2026-06-01"})
    assert cov.status_code == 200, cov.text
    rows = {r["division_code"]: r for r in cov.json()["rows"]}
    assert set(rows) == {"500153001001", "500153001002"}
    assert rows["500153001001"]["covered"]
    assert rows["500153001001"]["anomalies"] == 1
    assert rows["500153001001"]["patrollers"] == ["grid_a"]
    assert not rows["500153001002"]["covered"]
    assert cov.json()["cells"] == 2
    assert cov.json()["covered"] == 1
    other_day = as_user("town_a").get("/api/v1/patrols/coverage", params={"day": "2026-06-02"})
    assert other_day.json()["covered"] == 0
    # Town B's coverage does not include town A's villages at all.
    cov_b = as_user("town_b").get("/api/v1/patrols/coverage").json()  # today by default
    assert {r["division_code"] for r in cov_b["rows"]} == {"500153002001", "500153002002"}
    assert cov_b["covered"] == 0


def test_patrol_scoping(as_user) -> None:
    pid = as_user("grid_a").post("/api/v1/patrols", json={}).json()["id"]
    town_b = as_user("town_b")
    assert town_b.get(f"/api/v1/patrols/{pid}").status_code == 404
    assert town_b.get("/api/v1/patrols").json()["items"] == []
    assert town_b.post(f"/api/v1/patrols/{pid}/finish", json={}).status_code == 404
    town_a = as_user("town_a")
    assert [p["id"] for p in town_a.get("/api/v1/patrols").json()["items"]] == [pid]
    # Only the patroller records their own patrol.
    assert town_a.post(f"/api/v1/patrols/{pid}/finish", json={}).status_code == 403
    assert as_user("ent_a").get("/api/v1/patrols").status_code == 403
    # A grid member patrols only their own grid/village.
    outside = as_user("grid_a").post("/api/v1/patrols", json={"division_code": "500153001002"})
    assert outside.status_code in (409, 422)


def test_grid_hazard_report_enters_the_hazard_loop(as_user, ctx) -> None:
    grid = as_user("grid_a")
    photo = grid.client.post(
        "/api/v1/patrol-photos",
        headers=grid.headers,
        files={"file": ("p.png", PNG, "image/png")},
    )
    assert photo.status_code == 201, photo.text
    key = photo.json()["key"]
    r = grid.post(
        "/api/v1/grid-reports",
        json={
            "report_type": "hazard",
            "category": "electrical",
            "title": "电线私拉乱接",
            "longitude": P_A1[0],
            "latitude": P_A1[1],
            "photo_keys": [key],
        },
    )
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["hazard_id"] is not None
    assert report["division_code"] == "500153001001"
    with ctx.session_factory() as s:
        hazard = s.get(Hazard, report["hazard_id"])
        assert hazard is not None
        assert (hazard.source, hazard.source_ref) == ("grid_patrol", f"grid_report:{report['id']}")
        assert hazard.photo_keys == [key]
        assert hazard.kind == "electrical"
    assert _audits(ctx, "patrols_grid_report", report["id"]) == ["patrols.grid_report.create"]
    assert as_user("town_b").get(f"/api/v1/grid-reports/{report['id']}").status_code == 404
    assert as_user("town_a").get(f"/api/v1/grid-reports/{report['id']}").status_code == 200


def test_grid_event_report_is_announced(as_user, ctx) -> None:
    grid = as_user("grid_a")
    r = grid.post(
        "/api/v1/grid-reports",
        json={
            "report_type": "event",
            "category": "flood",
            "title": "道路积水约 40 厘米",
            "description": "车辆无法通行",
            "longitude": P_A1[0],
            "latitude": P_A1[1],
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["hazard_id"] is None
    with ctx.session_factory() as s:
        messages = list(
            s.scalars(select(OutboxMessage).where(OutboxMessage.name == "patrols.event_reported"))
        )
    assert len(messages) == 1
    payload = messages[0].payload
    assert payload["report_id"] == r.json()["id"]
    assert payload["category"] == "flood"
    assert payload["division_code"] == "500153001001"
    assert payload["reporter_user_id"] is not None


def test_grid_report_validation(as_user) -> None:
    grid = as_user("grid_a")
    base = {"report_type": "event", "category": "flood", "title": "积水"}
    assert grid.post("/api/v1/grid-reports", json={**base, "category": "x"}).status_code == 422
    outside = {**base, "longitude": 106.2, "latitude": 29.42}
    assert grid.post("/api/v1/grid-reports", json=outside).status_code == 422
    # Outside the member's village but inside the district: filed under their own village.
    drift = grid.post(
        "/api/v1/grid-reports", json={**base, "longitude": P_A2[0], "latitude": P_A2[1]}
    )
    assert drift.status_code == 201
    assert drift.json()["division_code"] == "500153001001"
    assert as_user("inspector").post("/api/v1/grid-reports", json=base).status_code == 403
