"""Facts about disaster reporting that other domains (indicators, notify) may react to."""

from __future__ import annotations

from typing import ClassVar

from yingji.core.events import Event


class DisasterProcessOpened(Event):
    """A disaster process was opened; its townships now owe an 初报."""

    name: ClassVar[str] = "disaster_reports.process_opened"

    process_id: int
    division_code: str
    hazard_type: str


class DisasterReportSubmitted(Event):
    """A township submitted a report in a process."""

    name: ClassVar[str] = "disaster_reports.report_submitted"

    process_id: int
    report_id: int
    division_code: str
    kind: str
