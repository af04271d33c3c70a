"""Disaster-report reads: processes, townships' standing, totals and the upstream export.

A process is seen by everyone whose jurisdiction overlaps it (a township officer sees the
district's process, to report in it); reports and figures only for townships in scope.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import covers_division, overlaps_division
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.core.excel import safe_cell
from yingji.geo.models import Division
from yingji.incidents.disaster_reports.models import DisasterProcess, DisasterReport
from yingji.incidents.disaster_reports.rules import (
    FIELDS,
    HAZARD_LABELS,
    KIND_LABELS,
    HazardType,
    ReportingConfig,
    ReportKind,
    next_due,
    sum_figures,
)
from yingji.incidents.disaster_reports.schemas import ProcessRead, ReportRead, TownshipStatus


def get_process_row(session: Session, actor: Actor, process_id: int) -> DisasterProcess:
    """Return the process row (NotFound when missing or outside the actor's reach)."""
    row = session.get(DisasterProcess, process_id)
    if row is None or not overlaps_division(actor, row.division_code):
        raise NotFound("灾害过程不存在")
    return row


def list_processes(session: Session, actor: Actor) -> list[DisasterProcess]:
    """Return the processes the actor may see, newest first."""
    rows = session.scalars(select(DisasterProcess).order_by(DisasterProcess.started_at.desc()))
    return [row for row in rows if overlaps_division(actor, row.division_code)]


def townships(session: Session, actor: Actor, process: DisasterProcess) -> list[Division]:
    """Return the townships of the process area that the actor may see."""
    code = process.division_code
    query = select(Division).where(Division.level == "township").order_by(Division.code)
    query = query.where(
        or_(Division.code.startswith(code, autoescape=True), Division.code == code[:9])
    )
    return [d for d in session.scalars(query) if actor.is_system or covers_division(actor, d.code)]


def decode(figures: dict[str, Any]) -> dict[str, Decimal]:
    """Return stored figures as exact decimals."""
    return {name: Decimal(str(value)) for name, value in figures.items()}


def township_reports(session: Session, process_id: int, division_code: str) -> list[DisasterReport]:
    """Return a township's reports in a process, in order (no scoping: callers check)."""
    return list(
        session.scalars(
            select(DisasterReport)
            .where(
                DisasterReport.process_id == process_id,
                DisasterReport.division_code == division_code,
            )
            .order_by(DisasterReport.seq)
        )
    )


def process_read(
    session: Session,
    actor: Actor,
    process_id: int,
    now: datetime,
    config: ReportingConfig | None = None,
) -> ProcessRead:
    """Return the process, each township's standing in scope, and their totals."""
    process = get_process_row(session, actor, process_id)
    statuses: list[TownshipStatus] = []
    for township in townships(session, actor, process):
        reports = township_reports(session, process.id, township.code)
        due = (
            None
            if process.state == "closed"
            else next_due(
                process.started_at,
                process.hazard_type,
                [(ReportKind(r.kind), r.reported_at) for r in reports],
                stabilised=process.state == "stabilised",
                config=config,
            )
        )
        last = reports[-1] if reports else None
        statuses.append(
            TownshipStatus(
                division_code=township.code,
                division_name=township.name,
                reports=len(reports),
                last_kind=ReportKind(last.kind) if last else None,
                last_reported_at=last.reported_at if last else None,
                next_kind=due.kind if due else None,
                next_due_at=due.due_at if due else None,
                overdue=bool(due and due.due_at < now),
                figures=decode(last.figures) if last else {},
            )
        )
    return ProcessRead.of(
        process,
        hazard_type=HazardType(process.hazard_type),
        hazard_label=HAZARD_LABELS.get(process.hazard_type, process.hazard_type),
        townships=statuses,
        totals=sum_figures([s.figures for s in statuses]),
    )


def list_reports(
    session: Session, actor: Actor, process_id: int, division_code: str | None = None
) -> list[ReportRead]:
    """Return the reports of a process for townships in the actor's scope."""
    process = get_process_row(session, actor, process_id)
    names = {d.code: d.name for d in townships(session, actor, process)}
    query = select(DisasterReport).where(DisasterReport.process_id == process.id)
    if division_code:
        query = query.where(DisasterReport.division_code == division_code)
    rows = session.scalars(query.order_by(DisasterReport.division_code, DisasterReport.seq))
    return [to_read(row, names[row.division_code]) for row in rows if row.division_code in names]


def to_read(row: DisasterReport, division_name: str) -> ReportRead:
    """Return the API shape of a report."""
    return ReportRead.of(
        row,
        division_name=division_name,
        kind=ReportKind(row.kind),
        kind_label=KIND_LABELS[row.kind],
        figures=decode(row.figures),
    )


def export_workbook(read: ProcessRead) -> bytes:
    """Return the township table in the 报灾系统 column layout (labels with units) as .xlsx."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "灾情统计"
    sheet.append([safe_cell(sheet, f"{read.name}（{read.hazard_label}）灾情统计表")])
    sheet["A1"].font = Font(bold=True)
    header = ["乡（镇、街道）", "区划代码", "报送类型"] + [f"{f.label}（{f.unit}）" for f in FIELDS]
    sheet.append(header)
    for status in read.townships:
        kind = KIND_LABELS[status.last_kind.value] if status.last_kind else "未报送"
        sheet.append(
            [safe_cell(sheet, status.division_name), status.division_code, kind]
            + [_cell(status.figures.get(f.name), f.integer) for f in FIELDS]
        )
    sheet.append(
        ["合计", read.division_code, ""]
        + [_cell(read.totals.get(f.name), f.integer) for f in FIELDS]
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Decimal | None, integer: bool) -> int | float | None:
    if value is None:
        return None
    return int(value) if integer else float(value)
