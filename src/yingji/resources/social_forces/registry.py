"""The social force registry's declaration for the registry kit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core.errors import FieldError
from yingji.core.excel import Column
from yingji.registry.columns import LOCATION_COLUMNS
from yingji.registry.spec import RegistrySpec
from yingji.registry.tags import json_list_contains
from yingji.resources.social_forces.models import SocialForce
from yingji.resources.social_forces.rules import STATUS_LABELS
from yingji.resources.social_forces.schemas import (
    SocialForceCreate,
    SocialForceFilters,
    SocialForceRead,
    SocialForceUpdate,
)
from yingji.resources.teams.schemas import SUGGESTED_SPECIALTIES


def _validate(session: Session, values: dict[str, Any], row: Any) -> list[FieldError]:
    # Unique across the whole table (retired rows and other townships included): the number
    # identifies the organisation. The message names no other record, so it leaks nothing
    # outside the actor's jurisdiction beyond "taken".
    number = values.get("registration_no")
    if not number or (row is not None and row.registration_no == number):
        return []
    taken = session.scalar(
        select(SocialForce.id).where(SocialForce.registration_no == number).limit(1)
    )
    if taken is not None:
        return [FieldError("registration_no", f"登记证号 {number} 已登记")]
    return []


COLUMNS = [
    Column("name", "名称", required=True, example="荣昌区棠城应急救援志愿服务队"),
    Column(
        "registration_no",
        "登记证号/统一社会信用代码",
        required=True,
        example="渝荣社登字第2017001号",
    ),
    Column(
        "specialties",
        "专业特长",
        "list",
        example="综合救援、水域救援",
        note="多项用顿号分隔；常用：" + "、".join(SUGGESTED_SPECIALTIES),
    ),
    Column("members", "队员人数", "int", required=True, example=86),
    Column("contact_person", "联系人", required=True),
    Column("phone", "联系电话", required=True, example="13800000101"),
    Column("equipment_summary", "装备概况"),
    Column("status", "状态", choices=STATUS_LABELS),
    *LOCATION_COLUMNS,
]

SOCIAL_FORCES = RegistrySpec(
    name="social-forces",
    entity="social_force",
    title="社会应急力量",
    model=SocialForce,
    read_schema=SocialForceRead,
    create_schema=SocialForceCreate,
    update_schema=SocialForceUpdate,
    filter_schema=SocialForceFilters,
    columns=COLUMNS,
    nav_group="services",
    filters={"specialty": lambda value, _s: json_list_contains(SocialForce.specialties, value)},
    search_attrs=("name", "registration_no"),
    validate=_validate,
    list_fields=("name", "registration_no", "members", "contact_person", "phone", "status"),
    choice_labels={"status": STATUS_LABELS},
    personal_fields=frozenset({"phone"}),
)

REGISTRIES = [SOCIAL_FORCES]
