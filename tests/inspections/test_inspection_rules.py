"""Pure rules: the reproducible 双随机 draw, document numbers, case transitions, ranking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yingji.inspections.rules import (
    CASE_TRANSITIONS,
    DEFAULT_CONFIG,
    CaseAction,
    CaseState,
    InspectionConfig,
    Intensity,
    RiskTier,
    document_number,
    draw,
    next_state,
    rank_intensity,
    risk_tier,
)

TARGETS = list(range(100, 130))
OFFICERS = [1, 2, 3, 4, 5, 6]


def test_same_seed_gives_the_same_selection_whatever_the_input_order() -> None:
    first = draw("2026-06-seed", TARGETS, OFFICERS, count=8, per_target=2)
    again = draw("2026-06-seed", list(reversed(TARGETS)), OFFICERS[::-1], count=8, per_target=2)
    assert first == again
    assert len(first.assignments) == 8
    assert len({a.enterprise_id for a in first.assignments}) == 8


def test_another_seed_gives_another_selection() -> None:
    first = draw("seed-a", TARGETS, OFFICERS, count=8, per_target=2)
    other = draw("seed-b", TARGETS, OFFICERS, count=8, per_target=2)
    assert first.assignments != other.assignments


def test_conflicts_are_never_drawn_together_and_are_recorded() -> None:
    # Officer 1 has an interest in every target: never sent, each pair listed as excluded.
    conflicts = [(1, t) for t in TARGETS]
    result = draw("x", TARGETS, OFFICERS, count=10, per_target=2, conflicts=conflicts)
    assert all(1 not in a.inspector_ids for a in result.assignments)
    excluded = {(e.inspector_id, e.enterprise_id) for e in result.exclusions}
    assert {(1, a.enterprise_id) for a in result.assignments} <= excluded


def test_a_target_without_enough_free_officers_is_skipped() -> None:
    conflicts = [(1, 100), (2, 100)]
    result = draw("y", [100, 101], [1, 2, 3], count=2, per_target=2, conflicts=conflicts)
    assert [a.enterprise_id for a in result.assignments] == [101]
    assert any(e.enterprise_id == 100 and e.inspector_id is None for e in result.exclusions)


def test_officers_are_spread_evenly() -> None:
    result = draw("z", TARGETS, OFFICERS, count=9, per_target=2)
    load: dict[int, int] = {}
    for a in result.assignments:
        assert len(a.inspector_ids) == 2 == len(set(a.inspector_ids))
        for officer in a.inspector_ids:
            load[officer] = load.get(officer, 0) + 1
    assert max(load.values()) - min(load.values()) <= 1


def test_document_number_format() -> None:
    assert (
        document_number(DEFAULT_CONFIG, "rectification_order", 2026, 3) == "荣应急责改〔2026〕3号"
    )
    assert document_number(DEFAULT_CONFIG, "penalty_decision", 2027, 12) == "荣应急罚〔2027〕12号"
    other = InspectionConfig(doc_prefix="涪")
    assert document_number(other, "reinspection_opinion", 2026, 1) == "涪应急复查〔2026〕1号"


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        ("planned", "record", "recorded"),
        ("recorded", "order", "ordered"),
        ("ordered", "reinspect_pass", "closed"),
        ("ordered", "reinspect_fail", "unrectified"),
        ("unrectified", "penalize", "penalized"),
        ("penalized", "close", "closed"),
        ("planned", "order", None),
        ("closed", "record", None),
        ("recorded", "reinspect_pass", None),
    ],
)
def test_case_transitions(state: str, action: str, expected: str | None) -> None:
    got = next_state(state, action)
    assert (got.value if got else None) == expected


def test_closed_is_final() -> None:
    assert not [key for key in CASE_TRANSITIONS if key[0] is CaseState.CLOSED]
    assert CaseAction.CLOSE in {a for (_s, a) in CASE_TRANSITIONS}


def test_risk_tier() -> None:
    def tier(**kw: object) -> RiskTier:
        base = {
            "has_major_hazard": False,
            "produces_hazardous_chemicals": False,
            "handles_hazardous_chemicals": False,
            "worst_risk_level": None,
        }
        return risk_tier(**{**base, **kw})  # type: ignore[arg-type]

    assert tier(has_major_hazard=True) is RiskTier.HIGH
    assert tier(worst_risk_level="major") is RiskTier.HIGH
    assert tier(handles_hazardous_chemicals=True) is RiskTier.MEDIUM
    assert tier() is RiskTier.LOW


def test_ranking_sums_the_three_ranks_and_shares_ties() -> None:
    rows = [
        Intensity("a", "A", 5, 10, Decimal(20000)),
        Intensity("b", "B", 5, 10, Decimal(20000)),
        Intensity("c", "C", 1, 0, Decimal(0)),
        Intensity("d", "D", 9, 2, Decimal(0)),
    ]
    ranked = rank_intensity(rows)
    assert [(r.row.key, r.rank) for r in ranked] == [("a", 1), ("b", 1), ("d", 3), ("c", 4)]
    assert ranked[0].row.fines_wan == Decimal("2.00")
