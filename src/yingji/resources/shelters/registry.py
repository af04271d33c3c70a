"""The shelter registry's declaration for the registry kit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yingji.core.errors import FieldError
from yingji.core.excel import Column
from yingji.core.uow import UnitOfWork
from yingji.registry.columns import LOCATION_COLUMNS
from yingji.registry.spec import RegistrySpec
from yingji.resources.shelters.models import Shelter
from yingji.resources.shelters.rules import CLASS_LABELS, STATUS_LABELS, capacity_problem
from yingji.resources.shelters.schemas import (
    ShelterCreate,
    ShelterFilters,
    ShelterRead,
    ShelterUpdate,
)


def _validate(uow: UnitOfWork, values: dict[str, Any], _row: Any) -> list[FieldError]:
    area = values.get("effective_area_m2")
    reason = capacity_problem(
        Decimal(str(area)) if area is not None else None,
        values.get("capacity_persons"),
        str(values["shelter_class"]) if values.get("shelter_class") else None,
        uow.settings.shelter_min_area_m2,
    )
    return [FieldError("capacity_persons", reason)] if reason else []


COLUMNS = [
    Column(
        "name",
        "名称",
        required=True,
        example="昌元街道应急避难场所",
        synonyms=("场所名称", "避难场所名称"),
    ),
    Column("shelter_class", "类别", required=True, choices=CLASS_LABELS),
    Column(
        "effective_area_m2",
        "有效面积(平方米)",
        "decimal",
        required=True,
        example=5000,
        synonyms=("有效面积(㎡)", "有效面积(m²)", "有效避难面积(平方米)"),
    ),
    Column(
        "capacity_persons",
        "容纳人数",
        "int",
        required=True,
        example=2000,
        synonyms=("可容纳人数", "容纳人数(人)"),
    ),
    Column("facilities", "配套设施", "list", example="应急供水、应急照明、医疗救护点"),
    Column("status", "状态", choices=STATUS_LABELS),
    Column("manager", "管理人"),
    Column("phone", "联系电话", synonyms=("电话", "联系方式")),
    *LOCATION_COLUMNS,
]

SHELTERS = RegistrySpec(
    name="shelters",
    entity="shelter",
    title="应急避难场所",
    model=Shelter,
    read_schema=ShelterRead,
    create_schema=ShelterCreate,
    update_schema=ShelterUpdate,
    filter_schema=ShelterFilters,
    columns=COLUMNS,
    validate_for_actor=_validate,
    list_fields=("name", "shelter_class", "capacity_persons", "effective_area_m2", "status"),
    choice_labels={"shelter_class": CLASS_LABELS, "status": STATUS_LABELS},
    personal_fields=frozenset({"phone"}),
)
