"""The risk point registry's declaration for the registry kit.

Government users see the points in their jurisdiction; an enterprise officer sees only
their own enterprise's points (``enterprise_attr``) and may edit them and record their
assessments, but registering new points and retiring them stays with government writers
(the kit places new records by the actor's division, which an enterprise officer lacks).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yingji.accounts.rules import Role
from yingji.accounts.schemas import REGISTRY_WRITERS, WORKING_ROLES
from yingji.core.errors import FieldError, NotFound
from yingji.core.excel import Column
from yingji.core.uow import UnitOfWork
from yingji.enterprises.registry import ENTERPRISES
from yingji.registry.columns import LOCATION_COLUMNS
from yingji.registry.queries import get_row
from yingji.registry.spec import RegistrySpec
from yingji.registry.tags import json_list_contains
from yingji.risks.points.models import RiskPoint
from yingji.risks.points.queries import current_fields, current_level_is
from yingji.risks.points.rules import (
    COLOR_LABELS,
    GB6441_ACCIDENT_TYPES,
    KIND_LABELS,
    LEVEL_LABELS,
    METHOD_LABELS,
)
from yingji.risks.points.schemas import (
    RiskPointCreate,
    RiskPointFilters,
    RiskPointRead,
    RiskPointUpdate,
)


def _validate_enterprise(uow: UnitOfWork, values: dict[str, Any], row: Any) -> list[FieldError]:
    enterprise_id = values.get("enterprise_id")
    actor = uow.actor
    if actor.enterprise_id is not None:
        if enterprise_id != actor.enterprise_id:
            return [FieldError("enterprise_id", "只能登记本企业的风险点")]
        return []
    # The enterprise must be one the actor may see; checked only when it changes, so an
    # enterprise retired later does not block edits of its points.
    if enterprise_id is None or (row is not None and row.enterprise_id == enterprise_id):
        return []
    try:
        enterprise, _site = get_row(uow.session, ENTERPRISES, actor, int(enterprise_id))
    except NotFound:
        return [FieldError("enterprise_id", f"企业 {enterprise_id} 不存在")]
    if enterprise.retired_at is not None:
        return [FieldError("enterprise_id", f"企业“{enterprise.name}”已停用")]
    return []


def _current(session: Session, rows: Any) -> dict[int, dict[str, Any]]:
    return current_fields(session, rows)


COLUMNS = [
    Column("name", "名称", required=True, example="液氨储罐区"),
    Column("kind", "风险点类型", required=True, choices=KIND_LABELS),
    Column("enterprise_id", "所属企业ID", "int", note="公共场所留空"),
    Column("description", "风险描述"),
    Column(
        "accident_types",
        "可能导致的事故类型",
        "list",
        example="火灾、中毒和窒息",
        note="多项用顿号分隔；GB 6441：" + "、".join(GB6441_ACCIDENT_TYPES),
    ),
    Column("responsible_person", "责任人"),
    Column("responsible_phone", "责任人电话"),
    *LOCATION_COLUMNS,
    Column("level", "当前风险等级", choices=LEVEL_LABELS, note="仅导出时填写，导入时忽略"),
]

RISK_POINTS = RegistrySpec(
    name="risk-points",
    entity="risk_point",
    title="风险点",
    model=RiskPoint,
    read_schema=RiskPointRead,
    create_schema=RiskPointCreate,
    update_schema=RiskPointUpdate,
    filter_schema=RiskPointFilters,
    columns=COLUMNS,
    enterprise_attr="enterprise_id",
    writer_roles=REGISTRY_WRITERS | {Role.ENTERPRISE_OFFICER},
    creator_roles=REGISTRY_WRITERS,
    retirer_roles=REGISTRY_WRITERS,
    reader_roles=WORKING_ROLES,
    nav_group="supervision",
    filters={
        "level": lambda value, _s: current_level_is(value),
        "accident_type": lambda value, _s: json_list_contains(RiskPoint.accident_types, value),
    },
    validate_for_actor=_validate_enterprise,
    # Pages show "color" as 红/橙/黄/蓝; its GeoJSON property stays the CSS colour name so the
    # 四色图 can paint features with it.
    geojson_codes=frozenset({"color"}),
    list_fields=("name", "kind", "level", "color", "score", "responsible_person"),
    choice_labels={
        "kind": KIND_LABELS,
        "level": LEVEL_LABELS,
        "color": COLOR_LABELS,
        "method": METHOD_LABELS,
    },
    extra_read=_current,
    personal_fields=frozenset({"responsible_phone"}),
)

REGISTRIES = [RISK_POINTS]
