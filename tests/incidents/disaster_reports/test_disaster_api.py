"""Disaster reports through the API: sequence, validation, scoping, totals, export, reminders."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from support.district import TOWN_A, TOWN_B
from yingji.core.audit import AuditEntry
from yingji.core.outbox import OutboxMessage
from yingji.incidents.disaster_reports.tasks import remind_overdue_reports

START = "2026-06-01T08:00:00+08:00"


def _process(as_user) -> int:
    response = as_user("duty").post(
        "/api/v1/disaster-processes",
        json={"name": "6·1 暴雨洪涝", "hazard_type": "flood", "started_at": START},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _report(api, pid, town, kind, figures, as_of=START, **extra):
    return api.post(
        f"/api/v1/disaster-processes/{pid}/reports",
        json={"division_code": town, "kind": kind, "as_of": as_of, "figures": figures} | extra,
    )


def test_initial_update_verified_and_district_totals(as_user, ctx):
    pid = _process(as_user)
    town_a, town_b = as_user("town_a"), as_user("town_b")
    assert _report(town_a, pid, TOWN_A, "update", {}).status_code == 409  # 初报 first
    first = _report(town_a, pid, TOWN_A, "initial", {"affected_population": 500, "deaths": 1})
    assert first.status_code == 201, first.text
    assert first.json()["kind_label"] == "初报"
    assert _report(town_a, pid, TOWN_A, "initial", {}).status_code == 409
    later = "2026-06-02T08:00:00+08:00"
    update = _report(
        town_a, pid, TOWN_A, "update", {"affected_population": 800, "deaths": 2}, as_of=later
    )
    assert update.status_code == 201, update.text
    assert _report(town_b, pid, TOWN_B, "initial", {"affected_population": 300}).status_code == 201
    district = as_user("bureau").get(f"/api/v1/disaster-processes/{pid}").json()
    assert district["totals"]["affected_population"] == "1100"
    assert district["totals"]["deaths"] == "2"
    # A township sees its own standing and totals only.
    own = town_a.get(f"/api/v1/disaster-processes/{pid}").json()
    assert [t["division_code"] for t in own["townships"]] == [TOWN_A]
    assert own["totals"]["affected_population"] == "800"
    with ctx.session_factory() as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "disaster_report")
        ).all()
        assert {a.actor_name for a in audits} == {"town_a", "town_b"}


def test_validation_errors_name_the_field(as_user):
    pid = _process(as_user)
    town_a = as_user("town_a")
    bad = _report(town_a, pid, TOWN_A, "initial", {"affected_population": 10, "deaths": 11})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "figures.deaths", "reason": "因灾死亡人口不能超过受灾人口"}
    ]
    assert _report(town_a, pid, TOWN_A, "initial", {"affected_population": 10}).status_code == 201
    later = "2026-06-02T08:00:00+08:00"
    lower = _report(town_a, pid, TOWN_A, "update", {"affected_population": 9}, as_of=later)
    assert lower.status_code == 422
    assert lower.json()["errors"][0]["field"] == "figures.affected_population"
    corrected = _report(
        town_a,
        pid,
        TOWN_A,
        "update",
        {"affected_population": 9},
        as_of=later,
        correction_reason="核减重复统计 1 人",
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["correction_reason"] == "核减重复统计 1 人"


def test_townships_report_only_for_themselves(as_user):
    pid = _process(as_user)
    refused = _report(as_user("town_b"), pid, TOWN_A, "initial", {})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "division_code"
    assert _report(as_user("town_a"), pid, TOWN_A, "initial", {}).status_code == 201
    # town_b's listing of the process holds none of town A's reports.
    listed = as_user("town_b").get(f"/api/v1/disaster-processes/{pid}/reports").json()
    assert listed == []
    assert (
        as_user("grid_a")
        .post(
            f"/api/v1/disaster-processes/{pid}/reports",
            json={"division_code": TOWN_A, "kind": "initial", "as_of": START},
        )
        .status_code
        == 403
    )
    assert as_user("ent_a").get(f"/api/v1/disaster-processes/{pid}").status_code == 404


def test_stabilised_process_takes_verified_not_updates(as_user):
    pid = _process(as_user)
    town_a = as_user("town_a")
    assert _report(town_a, pid, TOWN_A, "initial", {"affected_population": 5}).status_code == 201
    assert as_user("town_a").post(f"/api/v1/disaster-processes/{pid}/stabilise").status_code == 403
    assert as_user("duty").post(f"/api/v1/disaster-processes/{pid}/stabilise").status_code == 200
    assert _report(town_a, pid, TOWN_A, "update", {"affected_population": 5}).status_code == 409
    assert _report(town_a, pid, TOWN_A, "verified", {"affected_population": 5}).status_code == 201
    assert _report(town_a, pid, TOWN_A, "verified", {"affected_population": 5}).status_code == 409


def test_export_has_upstream_columns_and_total_row(as_user):
    pid = _process(as_user)
    _report(
        as_user("town_a"),
        pid,
        TOWN_A,
        "initial",
        {"affected_population": 7, "crop_affected_ha": "1.5"},
    )
    response = as_user("bureau").get(f"/api/v1/disaster-processes/{pid}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("乡（镇、街道）", "区划代码", "报送类型", "受灾人口（人）")
    assert "农作物受灾面积（公顷）" in rows[1]
    by_code = {row[1]: row for row in rows[2:]}
    assert by_code[TOWN_A][2] == "初报"
    assert by_code[TOWN_A][3] == 7
    assert by_code[TOWN_B][2] == "未报送"
    assert rows[-1][0] == "合计"
    assert rows[-1][3] == 7


def test_overdue_initial_reminds_the_township_once(as_user, ctx, clock):
    pid = _process(as_user)
    _report(as_user("town_b"), pid, TOWN_B, "initial", {})
    # 08:00+08 start: the 初报 is due at 10:00+08 (02:00 UTC).
    late = clock.now().replace(year=2026, month=6, day=1, hour=3)
    assert remind_overdue_reports(ctx, late) == 1  # town A only; town B reported
    assert remind_overdue_reports(ctx, late + timedelta(minutes=5)) == 0
    with ctx.session_factory() as session:
        notices = session.scalars(
            select(OutboxMessage).where(OutboxMessage.name == "notice.requested")
        ).all()
        assert len(notices) == 1
        assert "初报" in notices[0].payload["subject"]
