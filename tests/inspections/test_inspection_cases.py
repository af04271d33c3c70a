"""Cases through the API: findings into the hazard loop, documents (.docx, numbers unique per
year and type), the state machine, scoping and the audit trail."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from docx import Document

from inspections.helpers import actor_of, audit_actions
from support.enterprises import CREDIT_A
from yingji.core.actor import system_actor
from yingji.inspections import service
from yingji.inspections.documents import docx_text
from yingji.inspections.models import InspectionCase
from yingji.risks.hazards.queries import get_hazard

CASES = "/api/v1/inspections"


def _open(api: Any, enterprise_id: int, officers: list[int]) -> dict[str, Any]:
    answer = api.post(CASES, json={"enterprise_id": enterprise_id, "inspector_ids": officers})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _finding(api: Any, case_id: int, **extra: Any) -> dict[str, Any]:
    body = {
        "description": "危险化学品仓库超量储存",
        "hazard_kind": "hazmat",
        "level": "general",
        "legal_basis": "安监总管三〔2017〕121号 第20项",
        **extra,
    }
    answer = api.post(f"{CASES}/{case_id}/findings", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_finding_becomes_a_hazard_once_and_documents_open_in_word(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    pair = [officers["insp1"], officers["insp2"]]
    case = _open(api, ids["enterprise:A"], pair)
    assert case["state"] == "planned"
    assert case["checklist_code"] == "hazchem"
    finding = _finding(api, case["id"])
    with ctx.session_factory() as session:
        hazard = get_hazard(session, system_actor(), finding["hazard_id"])
    assert (hazard.source, hazard.source_ref) == (
        "inspection",
        f"inspection-finding:{finding['id']}",
    )
    assert hazard.enterprise_id == ids["enterprise:A"]

    recorded = api.post(f"{CASES}/{case['id']}/record", json={"place": "甲类仓库"}).json()
    assert recorded["state"] == "recorded"
    deadline = (fixed.now() + timedelta(days=15)).date().isoformat()
    ordered = api.post(f"{CASES}/{case['id']}/order", json={"deadline": deadline}).json()
    assert ordered["state"] == "ordered"
    numbers = [d["number"] for d in ordered["documents"]]
    assert numbers == ["荣应急检记〔2026〕1号", "荣应急责改〔2026〕1号"]
    # The order confirmed the hazard with the order's deadline.
    with ctx.session_factory() as session:
        hazard = get_hazard(session, system_actor(), finding["hazard_id"])
    assert (hazard.state, hazard.deadline.isoformat() if hazard.deadline else None) == (
        "confirmed",
        deadline,
    )

    order = ordered["documents"][1]
    download = api.get(order["download_url"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    Document(io.BytesIO(download.content))  # opens with python-docx
    text = docx_text(download.content)
    for expected in ("荣应急责改〔2026〕1号", "基准企业A", CREDIT_A, "执法员insp1", "执法员insp2"):
        assert expected in text
    assert "危险化学品仓库超量储存" in text
    assert "2026年6月16日" in text


def test_numbers_increase_per_type_and_restart_each_year(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    pair = [officers["insp1"], officers["insp2"]]
    numbers = []
    for _ in range(3):
        case = _open(api, ids["enterprise:B"], pair)
        numbers.append(
            api.post(f"{CASES}/{case['id']}/record", json={}).json()["documents"][0]["number"]
        )
    assert numbers == [f"荣应急检记〔2026〕{n}号" for n in (1, 2, 3)]
    fixed.advance(timedelta(days=214))  # 2027-01-01 local
    case = _open(api, ids["enterprise:B"], pair)
    doc = api.post(f"{CASES}/{case['id']}/record", json={}).json()["documents"][0]
    assert (doc["number"], doc["year"], doc["serial"]) == ("荣应急检记〔2027〕1号", 2027, 1)


def test_concurrent_issues_never_share_a_number(
    ctx: Any, ids: dict[str, int], officers: dict[str, int]
) -> None:
    actor = actor_of(ctx, "inspector")
    pair = [officers["insp1"], officers["insp2"]]
    case_ids = []
    from yingji.inspections.schemas import CaseCreate

    with ctx.uow(actor) as uow:
        for _ in range(6):
            case_ids.append(
                service.open_case(
                    uow, CaseCreate(enterprise_id=ids["enterprise:A"], inspector_ids=pair)
                )
            )
        uow.commit()
    barrier = threading.Barrier(len(case_ids))
    errors: list[BaseException] = []

    def issue(case_id: int) -> None:
        try:
            barrier.wait()
            with ctx.uow(actor) as uow:
                row = uow.session.get(InspectionCase, case_id)
                assert row is not None
                service.issue_document(uow, row, service.DocType.PENALTY_DECISION, {})
                uow.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(c,)) for c in case_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with ctx.session_factory() as session:
        from sqlalchemy import select

        from yingji.inspections.models import EnforcementDocument

        serials = sorted(session.scalars(select(EnforcementDocument.serial)))
    assert serials == list(range(1, len(case_ids) + 1))


def test_reinspection_failure_goes_to_penalty_and_counts_fines(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    case = _open(api, ids["enterprise:A"], [officers["insp1"], officers["insp2"]])
    finding = _finding(api, case["id"], as_hazard=False)
    assert finding["hazard_id"] is None
    api.post(f"{CASES}/{case['id']}/record", json={})
    deadline = (fixed.now() + timedelta(days=10)).date().isoformat()
    api.post(f"{CASES}/{case['id']}/order", json={"deadline": deadline})
    failed = api.post(
        f"{CASES}/{case['id']}/reinspection",
        json={"unrectified_finding_ids": [finding["id"]], "opinion": "未按期整改"},
    ).json()
    assert failed["state"] == "unrectified"
    assert failed["findings"][0]["rectified"] is False
    penalty = api.post(
        f"{CASES}/{case['id']}/penalty",
        json={"fine_yuan": "30000", "basis": "《中华人民共和国安全生产法》第一百零二条"},
    ).json()
    assert penalty["state"] == "penalized"
    decision = penalty["documents"][-1]
    assert decision["number"] == "荣应急罚〔2026〕1号"
    text = docx_text(api.get(decision["download_url"]).content)
    assert "30,000.00" in text
    assert "第一百零二条" in text
    closed = api.post(f"{CASES}/{case['id']}/close").json()
    assert closed["state"] == "closed"
    assert audit_actions(ctx, "inspections_case", case["id"]) == [
        "inspections.case.create",
        "inspections.case.record",
        "inspections.case.order",
        "inspections.case.reinspect_fail",
        "inspections.case.penalize",
        "inspections.case.close",
    ]
    assert audit_actions(ctx, "inspections_finding", finding["id"]) == [
        "inspections.finding.create"
    ]
    assert len(audit_actions(ctx, "inspections_document", decision["id"])) == 1


def test_illegal_steps_are_refused(
    as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    case = _open(api, ids["enterprise:A"], [officers["insp1"], officers["insp2"]])
    deadline = (fixed.now() + timedelta(days=10)).date().isoformat()
    refused = api.post(f"{CASES}/{case['id']}/order", json={"deadline": deadline})
    assert refused.status_code == 409
    api.post(f"{CASES}/{case['id']}/record", json={})
    assert api.post(f"{CASES}/{case['id']}/findings", json={"description": "x"}).status_code == 409
    # Nothing found: no order, the case closes straight away.
    assert api.post(f"{CASES}/{case['id']}/order", json={"deadline": deadline}).status_code == 409
    assert api.post(f"{CASES}/{case['id']}/close").json()["state"] == "closed"
    # One officer is not enough; a conflicted officer may not be sent.
    alone = api.post(
        CASES, json={"enterprise_id": ids["enterprise:A"], "inspector_ids": [officers["insp1"]]}
    )
    assert alone.status_code == 422
    as_user("bureau").post(
        "/api/v1/inspection-conflicts",
        json={
            "inspector_id": officers["insp3"],
            "enterprise_id": ids["enterprise:A"],
            "reason": "曾任职",
        },
    )
    conflicted = api.post(
        CASES,
        json={
            "enterprise_id": ids["enterprise:A"],
            "inspector_ids": [officers["insp3"], officers["insp4"]],
        },
    )
    assert conflicted.status_code == 422
    future = (datetime(2030, 1, 1, tzinfo=UTC)).isoformat()
    case2 = _open(api, ids["enterprise:A"], [officers["insp1"], officers["insp2"]])
    assert (
        api.post(f"{CASES}/{case2['id']}/record", json={"inspected_at": future}).status_code == 422
    )


def test_scoping_of_cases_and_documents(
    as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    pair = [officers["insp1"], officers["insp2"]]
    case_a = _open(api, ids["enterprise:A"], pair)
    case_b = _open(api, ids["enterprise:B"], pair)
    doc_a = api.post(f"{CASES}/{case_a['id']}/record", json={}).json()["documents"][0]
    doc_b = api.post(f"{CASES}/{case_b['id']}/record", json={}).json()["documents"][0]

    town_b = as_user("town_b")
    assert town_b.get(f"{CASES}/{case_a['id']}").status_code == 404
    assert (
        town_b.post(f"{CASES}/{case_a['id']}/findings", json={"description": "x"}).status_code
        == 404
    )
    assert town_b.post(f"{CASES}/{case_a['id']}/close").status_code == 404
    assert town_b.get(doc_a["download_url"]).status_code == 404
    assert [c["id"] for c in town_b.get(CASES).json()["items"]] == [case_b["id"]]
    # A township officer may not open a case in another township.
    assert (
        town_b.post(
            CASES, json={"enterprise_id": ids["enterprise:A"], "inspector_ids": pair}
        ).status_code
        == 404
    )

    ent_a = as_user("ent_a")
    assert [c["id"] for c in ent_a.get(CASES).json()["items"]] == [case_a["id"]]
    assert ent_a.get(f"{CASES}/{case_a['id']}").status_code == 200
    assert ent_a.get(doc_a["download_url"]).status_code == 200
    assert ent_a.get(doc_b["download_url"]).status_code == 404
    assert ent_a.get(f"{CASES}/{case_b['id']}").status_code == 404
    # Enterprise officers read their own cases but never act on them.
    assert ent_a.post(f"{CASES}/{case_a['id']}/close").status_code == 403
    assert ent_a.get("/api/v1/inspection-stats", params={"month": "2026-06"}).status_code == 403


def test_checklists_and_monthly_statistics(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    checklists = as_user("inspector").get("/api/v1/inspection-checklists").json()
    assert {c["code"] for c in checklists} >= {"hazchem", "general"}
    api = as_user("inspector")
    pair = [officers["insp1"], officers["insp2"]]
    case = _open(api, ids["enterprise:A"], pair)
    _finding(api, case["id"])
    _finding(api, case["id"], description="特种作业人员无证上岗", hazard_kind="management")
    api.post(f"{CASES}/{case['id']}/record", json={})
    api.post(f"{CASES}/{case['id']}/penalty", json={"fine_yuan": "15000", "basis": "安全生产法"})
    other = _open(api, ids["enterprise:B"], pair)  # planned only: not an inspection yet
    assert other["state"] == "planned"
    stats = as_user("town_b").get("/api/v1/inspection-stats", params={"month": "2026-06"}).json()
    towns = {row["key"]: row for row in stats["townships"]}
    assert (towns["500153001"]["inspections"], towns["500153001"]["problems"]) == (1, 2)
    assert towns["500153001"]["fines_wan"] == "1.50"
    assert towns["500153001"]["rank"] == 1
    assert towns["500153002"]["rank"] == 2
    assert towns["500153001"]["name"] == "昌元街道"
    assert stats["totals"]["inspections"] == 1
    assert stats["departments"][0]["inspections"] == 1
    may = as_user("bureau").get("/api/v1/inspection-stats", params={"month": "2026-05"}).json()
    assert may["totals"]["inspections"] == 0


def test_reinspection_cannot_pass_a_hazard_the_enterprise_has_not_submitted(
    as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    api = as_user("inspector")
    case = _open(api, ids["enterprise:A"], [officers["insp1"], officers["insp2"]])
    finding = _finding(api, case["id"])
    api.post(f"{CASES}/{case['id']}/record", json={})
    api.post(f"{CASES}/{case['id']}/order", json={"deadline": "2026-06-10"})
    refused = api.post(f"{CASES}/{case['id']}/reinspection", json={})
    assert refused.status_code == 409
    assert f"#{finding['hazard_id']}" in refused.json()["detail"]
    # Finding it unrectified is always possible; the hazard keeps running in its own loop.
    failed = api.post(
        f"{CASES}/{case['id']}/reinspection",
        json={"unrectified_finding_ids": [finding["id"]]},
    )
    assert failed.json()["state"] == "unrectified"
    hazard = as_user("inspector").get(f"/api/v1/hazards/{finding['hazard_id']}").json()
    assert hazard["state"] == "confirmed"
