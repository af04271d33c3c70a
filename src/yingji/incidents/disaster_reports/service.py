"""Disaster-report writes: open and stabilise a process, submit a township's report.

Who: the bureau, duty officers and admins open and stabilise processes; a township officer
reports for their own township (the 灾害信息员's data), the bureau for any township.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from yingji.accounts.rules import Role
from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import covers_division
from yingji.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from yingji.core.uow import UnitOfWork
from yingji.geo.models import Division
from yingji.incidents.disaster_reports import queries
from yingji.incidents.disaster_reports.events import (
    DisasterProcessOpened,
    DisasterReportSubmitted,
)
from yingji.incidents.disaster_reports.models import DisasterProcess, DisasterReport
from yingji.incidents.disaster_reports.rules import (
    KIND_LABELS,
    ReportKind,
    check_against_previous,
    check_figures,
    next_kind_problem,
)
from yingji.incidents.disaster_reports.schemas import ProcessCreate, ReportCreate

COORDINATORS = {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER}
REPORTERS = COORDINATORS | {Role.TOWNSHIP_OFFICER}


def open_process(uow: UnitOfWork, data: ProcessCreate, *, district_code: str) -> int:
    """Open a disaster process over ``data.division_code`` (the district by default)."""
    actor = uow.actor
    require_role(actor, COORDINATORS, "当前角色不能启动灾情报送", or_system=True)
    code = data.division_code or district_code
    if uow.session.scalar(select(Division.id).where(Division.code == code)) is None:
        raise ValidationFailed([FieldError("division_code", f"行政区划 {code} 不存在")])
    if not (actor.is_system or covers_division(actor, code)):
        raise ValidationFailed([FieldError("division_code", f"行政区划 {code} 不在管辖范围内")])
    process = DisasterProcess(
        name=data.name,
        hazard_type=data.hazard_type.value,
        division_code=code,
        started_at=data.started_at,
        incident_id=data.incident_id,
        state="active",
        created_by=actor.user_id,
        created_at=uow.clock.now(),
    )
    uow.session.add(process)
    uow.session.flush()
    uow.audit(
        "incidents.disaster_process.create",
        "disaster_process",
        process.id,
        after=data.model_dump(mode="json"),
    )
    uow.add_event(
        DisasterProcessOpened(
            process_id=process.id, division_code=code, hazard_type=process.hazard_type
        )
    )
    return process.id


def stabilise_process(uow: UnitOfWork, process_id: int) -> None:
    """Mark the process stabilised: townships now owe their 核报 instead of daily 续报."""
    process = _process_for_write(uow, process_id, COORDINATORS)
    if process.state != "active":
        raise Conflict("只有进行中的灾害过程可以标记为灾情稳定")
    process.state = "stabilised"
    process.stabilised_at = uow.clock.now()
    uow.audit(
        "incidents.disaster_process.stabilise",
        "disaster_process",
        process.id,
        before={"state": "active"},
        after={"state": "stabilised"},
    )


def submit_report(uow: UnitOfWork, process_id: int, data: ReportCreate) -> int:
    """Validate and store a township's report; return its id."""
    process = _process_for_write(uow, process_id, REPORTERS)
    actor = uow.actor
    if process.state == "closed":
        raise Conflict("灾害过程已结束，不能再报送")
    township = uow.session.scalar(
        select(Division).where(Division.code == data.division_code, Division.level == "township")
    )
    if (
        township is None
        or not data.division_code.startswith(process.division_code)
        or not (actor.is_system or covers_division(actor, data.division_code))
    ):
        raise ValidationFailed(
            [FieldError("division_code", "不是本灾害过程范围内可报送的乡镇（街道）")]
        )
    previous = queries.township_reports(uow.session, process.id, data.division_code)
    problem = next_kind_problem(data.kind, [ReportKind(r.kind) for r in previous])
    if problem:
        raise Conflict(problem)
    if data.kind is ReportKind.UPDATE and process.state == "stabilised":
        raise Conflict("灾情已稳定，请报送核报")
    errors = [FieldError(f"figures.{p.field}", p.reason) for p in check_figures(data.figures)]
    if previous:
        last = queries.decode(previous[-1].figures)
        if data.as_of < previous[-1].as_of:
            errors.append(FieldError("as_of", "数据截止时间早于上次报送"))
        errors += [
            FieldError(f"figures.{p.field}", p.reason)
            for p in check_against_previous(data.figures, last, data.correction_reason)
        ]
    if errors:
        raise ValidationFailed(errors)
    report = DisasterReport(
        process_id=process.id,
        division_code=data.division_code,
        seq=len(previous) + 1,
        kind=data.kind.value,
        as_of=data.as_of,
        figures={name: str(_normal(value)) for name, value in data.figures.items()},
        narrative=data.narrative,
        correction_reason=(data.correction_reason or None),
        reported_by=actor.user_id,
        reported_at=uow.clock.now(),
    )
    uow.session.add(report)
    uow.session.flush()
    uow.audit(
        "incidents.disaster_report.submit",
        "disaster_report",
        report.id,
        after={
            "kind": report.kind,
            "division_code": report.division_code,
            "figures": report.figures,
        },
        reason=report.correction_reason,
    )
    uow.add_event(DisasterReportSubmitted.of(report, process_id=process.id, report_id=report.id))
    return report.id


def _normal(value: Decimal) -> Decimal:
    # "12.50" and "12.5" are the same figure; store one spelling.
    return value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))


def _process_for_write(uow: UnitOfWork, process_id: int, roles: set[Role]) -> DisasterProcess:
    actor = uow.actor
    require_role(actor, roles, "当前角色不能报送灾情", or_system=True)
    # Lock the process row: two townships' reports are fine, but one township's 初报 sent
    # twice at once must not both pass the sequence check (no-op on SQLite: BEGIN IMMEDIATE).
    process = uow.session.scalar(
        select(DisasterProcess).where(DisasterProcess.id == process_id).with_for_update()
    )
    if process is None:
        raise NotFound("灾害过程不存在")
    queries.get_process_row(uow.session, actor, process_id)  # 404 outside the actor's reach
    return process


__all__ = ["KIND_LABELS", "open_process", "stabilise_process", "submit_report"]
