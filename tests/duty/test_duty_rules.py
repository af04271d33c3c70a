"""Duty rules without a database: conflicts and required positions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yingji.duty.rules import (
    DutyConfig,
    PersonCalendar,
    Position,
    ProposedAssignment,
    Span,
    chain_order,
    shift_problems,
)

T0 = datetime(2026, 6, 1, tzinfo=UTC)
H = timedelta(hours=1)
FULL = [ProposedAssignment(1, "leader", "甲"), ProposedAssignment(2, "duty_officer", "乙")]


def test_a_clean_shift_has_no_problems() -> None:
    assert shift_problems(Span(T0, T0 + 12 * H), FULL, {}) == []


def test_back_to_back_is_not_an_overlap() -> None:
    calendar = {1: PersonCalendar(other_shifts=[(Span(T0 - 12 * H, T0), "夜班")])}
    assert shift_problems(Span(T0, T0 + 12 * H), FULL, calendar) == []


def test_each_problem_names_its_field() -> None:
    people = [
        *FULL,
        ProposedAssignment(2, "backup", "乙"),  # the same person twice
        ProposedAssignment(3, "leader", "丙"),  # a second leader
        ProposedAssignment(4, "boss", "丁"),  # no such position
    ]
    calendar = {1: PersonCalendar(leaves=[(Span(T0 + H, T0 + 2 * H), "病假")])}
    errors = shift_problems(Span(T0, T0 + 12 * H), people, calendar)
    assert [(e.field, e.reason) for e in errors] == [
        ("assignments.0.user_id", "甲 在该时段请假：病假"),
        ("assignments.2.user_id", "同一人员在本班次中重复排班"),
        ("assignments.3.position", "带班领导岗位只能安排一人"),
        ("assignments.4.position", "未知岗位 boss"),
    ]


def test_required_positions_are_configuration() -> None:
    config = DutyConfig(
        required_positions=(Position.LEADER, Position.DUTY_OFFICER, Position.BACKUP)
    )
    errors = shift_problems(Span(T0, T0 + H), FULL, {}, config)
    assert [e.field for e in errors] == ["assignments"]
    assert "备班" in errors[0].reason
    assert chain_order(["leader", "backup", "duty_officer"]) == ["duty_officer", "backup", "leader"]
