"""Annual plan and the 双随机 draw through the API: reproducible, recorded, conflicts excluded,
scoped to the actor's jurisdiction, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from inspections.helpers import YEAR, add_enterprises, audit_actions, make_plan
from support.district import POINT_A, POINT_B, TOWN_A
from yingji.core.audit import AuditEntry
from yingji.inspections.models import InspectionCase

PLANS = "/api/v1/inspection-plans"
DRAWS = "/api/v1/inspection-draws"


def _pool(ctx: Any) -> dict[str, int]:
    # Four more enterprises in township A, two in township B (all in the random pool).
    a = [((POINT_A[0] + i * 0.001, POINT_A[1]), f"A{i}") for i in range(1, 5)]
    b = [((POINT_B[0] + i * 0.001, POINT_B[1]), f"B{i}") for i in range(1, 3)]
    return add_enterprises(ctx, a + b)


def test_plan_lists_every_enterprise_with_tier_and_frequency(
    ctx: Any, as_user: Any, ids: dict[str, int]
) -> None:
    answer = as_user("bureau").post(PLANS, json={"year": YEAR})
    assert answer.status_code == 201, answer.text
    plan = answer.json()
    by_id = {t["enterprise_id"]: t for t in plan["targets"]}
    target = by_id[ids["enterprise:A"]]
    # Stores hazardous chemicals: 较高风险, drawn at random once a year, at most twice.
    assert (target["risk_tier"], target["mode"], target["frequency"], target["cap"]) == (
        "medium",
        "random",
        1,
        2,
    )
    # Building it again adds nothing twice.
    again = as_user("bureau").post(PLANS, json={"year": YEAR}).json()
    assert len(again["targets"]) == len(plan["targets"])
    assert audit_actions(ctx, "inspections_plan", plan["id"]) == [
        "inspections.plan.create",
        "inspections.plan.extend",
    ]
    # A township officer sees only its own township's targets; nobody else may build it.
    town = as_user("town_b").get(f"{PLANS}/{YEAR}").json()
    assert {t["enterprise_id"] for t in town["targets"]} == {ids["enterprise:B"]}
    assert as_user("town_a").post(PLANS, json={"year": YEAR}).status_code == 403
    assert as_user("bureau").get(f"{PLANS}/{YEAR + 1}").status_code == 404


def test_draw_is_recorded_reproducible_and_excludes_conflicts(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    extra = _pool(ctx)
    make_plan(ctx)
    bureau = as_user("bureau")
    # insp1 has an interest in enterprise A1: they must never be drawn together.
    conflict = {
        "inspector_id": officers["insp1"],
        "enterprise_id": extra["A1"],
        "reason": "亲属任职",
    }
    assert bureau.post("/api/v1/inspection-conflicts", json=conflict).status_code == 201

    body = {"year": YEAR, "count": 8, "seed": "2026-06-lottery-0601"}
    answer = bureau.post(DRAWS, json=body)
    assert answer.status_code == 201, answer.text
    drawn = answer.json()
    assert drawn["seed"] == "2026-06-lottery-0601"
    assert sorted(drawn["candidate_targets"]) == sorted(
        [ids["enterprise:A"], ids["enterprise:B"], *extra.values()]
    )
    assert sorted(drawn["candidate_inspectors"]) == sorted(officers.values())
    assert drawn["conflicts"] == [[officers["insp1"], extra["A1"]]]
    # The pool has 8 enterprises: all drawn, each with two different officers.
    assert len(drawn["result"]) == 8
    for a in drawn["result"]:
        assert len(set(a["inspector_ids"])) == 2
        assert a["case_id"] is not None
    a1 = next(a for a in drawn["result"] if a["enterprise_id"] == extra["A1"])
    assert officers["insp1"] not in a1["inspector_ids"]
    assert {
        "enterprise_id": extra["A1"],
        "inspector_id": officers["insp1"],
        "reason": "存在利害关系，回避",
    }.items() <= next(
        e for e in drawn["excluded"] if e["inspector_id"] == officers["insp1"]
    ).items()

    # Anyone may repeat it from the published seed and the stored pools.
    check = bureau.get(f"{DRAWS}/{drawn['id']}/verification").json()
    assert check == {"draw_id": drawn["id"], "seed": body["seed"], "reproducible": True}

    # The audit row holds everything needed to re-check the draw.
    with ctx.session_factory() as session:
        entry = session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "inspections.draw.create",
                AuditEntry.entity_id == str(drawn["id"]),
            )
        )
        assert entry is not None
        assert entry.after is not None
        assert entry.after["seed"] == body["seed"]
        assert entry.after["result"] == [
            {"enterprise_id": a["enterprise_id"], "inspector_ids": a["inspector_ids"]}
            for a in drawn["result"]
        ]
        cases = session.scalars(
            select(InspectionCase).where(InspectionCase.draw_id == drawn["id"])
        ).all()
        assert len(cases) == 8
        assert all(c.state == "planned" for c in cases)


def test_same_seed_same_result_and_seed_generated_when_missing(
    ctx: Any, as_user: Any, officers: dict[str, int], fixed: Any
) -> None:
    _pool(ctx)
    make_plan(ctx)
    bureau = as_user("bureau")
    body = {"year": YEAR, "count": 3, "seed": "same-seed"}
    first = bureau.post(DRAWS, json=body).json()
    second = bureau.post(DRAWS, json=body).json()
    strip = [(a["enterprise_id"], a["inspector_ids"]) for a in first["result"]]
    assert strip == [(a["enterprise_id"], a["inspector_ids"]) for a in second["result"]]
    generated = bureau.post(DRAWS, json={"year": YEAR, "count": 1}).json()
    assert len(generated["seed"]) == 16
    listed = bureau.get(DRAWS, params={"year": YEAR}).json()
    assert [d["id"] for d in listed][:1] == [generated["id"]]


def test_township_draws_only_its_own_pool(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    extra = _pool(ctx)
    make_plan(ctx)
    town_a = as_user("town_a")
    drawn = town_a.post(DRAWS, json={"year": YEAR, "count": 10, "seed": "town-a"}).json()
    assert drawn["division_code"] == TOWN_A
    town_a_ids = {ids["enterprise:A"], *(extra[f"A{i}"] for i in range(1, 5))}
    assert set(drawn["candidate_targets"]) == town_a_ids
    # Another township's officer may not draw there, nor see the draw.
    refused = as_user("town_b").post(
        DRAWS, json={"year": YEAR, "count": 1, "division_code": TOWN_A}
    )
    assert refused.status_code == 403
    assert as_user("town_b").get(f"{DRAWS}/{drawn['id']}").status_code == 404
    assert as_user("town_b").get(f"{DRAWS}/{drawn['id']}/verification").status_code == 404
    assert drawn["id"] not in [d["id"] for d in as_user("town_b").get(DRAWS).json()]
    # Enterprise officers never draw.
    assert as_user("ent_a").post(DRAWS, json={"year": YEAR, "count": 1}).status_code == 403


def test_enterprise_at_its_annual_cap_leaves_the_pool(
    ctx: Any, as_user: Any, ids: dict[str, int], officers: dict[str, int], fixed: Any
) -> None:
    make_plan(ctx)
    inspector = as_user("inspector")
    pair = [officers["insp1"], officers["insp2"]]
    for _ in range(2):  # the cap of a 较高风险 enterprise is two a year
        case = inspector.post(
            "/api/v1/inspections",
            json={"enterprise_id": ids["enterprise:B"], "inspector_ids": pair},
        ).json()
        assert (
            inspector.post(f"/api/v1/inspections/{case['id']}/record", json={}).status_code == 200
        )
    answer = as_user("bureau").post(DRAWS, json={"year": YEAR, "count": 5, "seed": "cap-2026"})
    assert answer.status_code == 201, answer.text
    drawn = answer.json()
    assert [a["enterprise_id"] for a in drawn["result"]] == [ids["enterprise:A"]]
    capped = next(e for e in drawn["excluded"] if e["enterprise_id"] == ids["enterprise:B"])
    assert capped["reason"] == "已达年度检查上限（2次）"
    assert as_user("bureau").get(f"{DRAWS}/{drawn['id']}/verification").json()["reproducible"]
