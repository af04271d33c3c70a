"""Inspection events (announced up: indicators, the one-map, notify react to them)."""

from __future__ import annotations

from typing import ClassVar

from yingji.core.events import Event


class DrawCompleted(Event):
    """A 双随机 draw was made and recorded (its seed and result can be published)."""

    name: ClassVar[str] = "inspections.draw_completed"
    draw_id: int
    year: int
    division_code: str
    seed: str
    enterprise_ids: list[int]


class InspectionRecorded(Event):
    """An on-site inspection was recorded (现场检查记录 issued)."""

    name: ClassVar[str] = "inspections.recorded"
    case_id: int
    enterprise_id: int
    division_code: str
    findings: int


class DocumentIssued(Event):
    """An enforcement document was issued with its number."""

    name: ClassVar[str] = "inspections.document_issued"
    document_id: int
    case_id: int
    enterprise_id: int
    division_code: str
    doc_type: str
    number: str


class CaseStateChanged(Event):
    """An inspection case moved from one state to another."""

    name: ClassVar[str] = "inspections.case_state_changed"
    case_id: int
    enterprise_id: int
    division_code: str
    from_state: str
    to_state: str
    action: str
