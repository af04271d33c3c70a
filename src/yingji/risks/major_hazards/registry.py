"""The major hazard register (重大危险源) declared for the registry kit.

Every record belongs to an enterprise (``enterprise_id``, required): an enterprise officer
reads only their own enterprise's major hazards, a township only those sited in it. S, R,
the grade and the next assessment date are computed by ``rules`` on every create and update
(``after_write``) and are never typed in; a unit with S < 1 is not a major hazard and is
refused. The enterprise profile links here with ``/major-hazards?enterprise_id={id}``
(enterprises cannot import risks: the layers run the other way).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from yingji.accounts.schemas import WORKING_ROLES
from yingji.accounts.scoping import covers_division
from yingji.core.errors import FieldError, NotFound, ValidationFailed
from yingji.core.excel import Column
from yingji.core.uow import UnitOfWork
from yingji.enterprises.registry import ENTERPRISES
from yingji.geo.service import resolve_division
from yingji.registry.columns import LOCATION_COLUMNS
from yingji.registry.queries import get_row
from yingji.registry.spec import RegistrySpec
from yingji.risks.major_hazards.models import MajorHazard
from yingji.risks.major_hazards.rules import (
    GRADE_LABELS,
    UNIT_KIND_LABELS,
    Assessment,
    SubstanceLine,
    assess,
    display,
    next_due,
)
from yingji.risks.major_hazards.schemas import (
    AssessItem,
    MajorHazardCreate,
    MajorHazardFilters,
    MajorHazardRead,
    MajorHazardUpdate,
)
from yingji.risks.major_hazards.tables import load_tables

ALL_ROLES = WORKING_ROLES


def _line(raw: Any) -> SubstanceLine:
    item = raw if isinstance(raw, dict) else raw.model_dump()
    return SubstanceLine(
        quantity_t=Decimal(str(item["quantity_t"])),
        name=item.get("name"),
        cas=item.get("cas"),
        category=item.get("category"),
    )


def assess_values(values: dict[str, Any]) -> Assessment:
    """Assess a record's unit from its field values (raises ValidationFailed)."""
    lines = [_line(s) for s in values.get("substances") or []]
    return assess(str(values["unit_kind"]), lines, int(values["exposed_population"]), load_tables())


def item_reads(result: Assessment) -> list[AssessItem]:
    """Return the display rows of an assessment (values rounded for display only)."""
    return [
        AssessItem.of(item, q=item.quantity_t, ratio=display(item.ratio)) for item in result.items
    ]


def _validate(_session: Session, values: dict[str, Any], _row: Any) -> list[FieldError]:
    if not values.get("substances") or values.get("exposed_population") is None:
        return []  # the schema reports missing fields
    try:
        result = assess_values(values)
    except ValidationFailed as exc:
        return list(exc.errors)
    if not result.is_major_hazard:
        reason = (
            f"辨识指标 S = {display(result.sum_ratio)} < 1，"
            "不构成重大危险源（GB 18218-2018 4.2.1），无需登记"
        )
        return [FieldError("substances", reason)]
    return []


def _validate_enterprise(uow: UnitOfWork, values: dict[str, Any], row: Any) -> list[FieldError]:
    # The enterprise must be one the actor may see (no probing other townships' ids); only
    # checked when it changes, so an enterprise retired later does not block edits.
    enterprise_id = values.get("enterprise_id")
    if enterprise_id is None or (row is not None and row.enterprise_id == enterprise_id):
        return []
    if not _place_is_own(uow, values):
        return []  # the kit refuses the place itself (division_code): that answer comes first
    try:
        enterprise, _site = get_row(uow.session, ENTERPRISES, uow.actor, int(enterprise_id))
    except NotFound:
        return [FieldError("enterprise_id", f"企业 {enterprise_id} 不存在")]
    if enterprise.retired_at is not None:
        return [FieldError("enterprise_id", f"企业“{enterprise.name}”已停用")]
    return []


def _place_is_own(uow: UnitOfWork, values: dict[str, Any]) -> bool:
    if values.get("longitude") is None or values.get("latitude") is None:
        return True
    try:
        code = resolve_division(
            uow.session, values.get("division_code"), values["longitude"], values["latitude"]
        )
    except ValidationFailed:
        return False  # a bad place: the kit reports it
    return covers_division(uow.actor, code)


def _after_write(_uow: UnitOfWork, row: Any, _values: dict[str, Any]) -> None:
    # Computed from the stored row (create and update alike), after validation passed.
    result = assess_values(
        {
            "substances": row.substances,
            "unit_kind": row.unit_kind,
            "exposed_population": row.exposed_population,
        }
    )
    row.sum_ratio = display(result.sum_ratio)
    row.is_major_hazard = result.is_major_hazard
    row.alpha = result.alpha
    row.r_value = display(result.r_value) if result.r_value is not None else None
    row.grade = result.grade
    row.items = [i.model_dump(mode="json") for i in item_reads(result)]
    row.table_version = result.table_version
    row.next_due_on = next_due(row.assessed_on)


COLUMNS = [
    Column("name", "名称", required=True, example="液氯储罐区"),
    Column("enterprise_id", "所属企业ID", "int", required=True, example=1),
    Column("unit_kind", "单元类型", required=True, choices=UNIT_KIND_LABELS),
    Column(
        "substances",
        "危险化学品及设计最大量(吨)",
        "list",
        required=True,
        example="氯:30",
        note="每项写“名称或CAS号或类别:设计最大量(吨)”，表1外的物质写类别(表2)，"
        "表1中不在表3的物质构成重大危险源时加“|类别”，如 汽油|W5.3:1000",
    ),
    Column("exposed_population", "厂区边界外500米内常住人数", "int", required=True, example=0),
    Column("principal_name", "主要负责人", required=True),
    Column("principal_phone", "主要负责人电话", required=True),
    Column("technical_name", "技术负责人", required=True),
    Column("technical_phone", "技术负责人电话", required=True),
    Column("operations_name", "操作负责人", required=True),
    Column("operations_phone", "操作负责人电话", required=True),
    Column("assessed_on", "安全评估日期", "date", required=True, example="2026-01-15"),
    Column("filed_with", "备案部门"),
    *LOCATION_COLUMNS,
    Column("sum_ratio", "辨识指标S", "decimal", note="仅导出时填写，导入时忽略"),
    Column("r_value", "分级指标R", "decimal", note="仅导出时填写，导入时忽略"),
    Column("grade", "级别", "int", note="1=一级 … 4=四级；仅导出时填写，导入时忽略"),
    Column("next_due_on", "下次安全评估日期", "date", note="仅导出时填写，导入时忽略"),
]

MAJOR_HAZARDS = RegistrySpec(
    name="major-hazards",
    entity="major_hazard",
    title="重大危险源",
    model=MajorHazard,
    read_schema=MajorHazardRead,
    create_schema=MajorHazardCreate,
    update_schema=MajorHazardUpdate,
    filter_schema=MajorHazardFilters,
    columns=COLUMNS,
    enterprise_attr="enterprise_id",
    reader_roles=ALL_ROLES,
    nav_group="supervision",
    filters={"due_before": lambda value, _s: MajorHazard.next_due_on <= value},
    validate=_validate,
    validate_for_actor=_validate_enterprise,
    after_write=_after_write,
    list_fields=("name", "unit_kind", "grade", "sum_ratio", "r_value", "next_due_on"),
    choice_labels={"unit_kind": UNIT_KIND_LABELS, "grade": GRADE_LABELS},
    personal_fields=frozenset({"principal_phone", "technical_phone", "operations_phone"}),
)

REGISTRIES = [MAJOR_HAZARDS]
