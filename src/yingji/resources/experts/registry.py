"""The expert registry's declaration for the registry kit.

Experts are a district-wide shared registry (专家库): every staff role reads all of them
whatever division they are registered in (a township calling in a hazardous-chemicals expert
needs the district's list, not only its own), and only the bureau maintains them.
"""

from __future__ import annotations

from yingji.accounts.rules import Role
from yingji.core.excel import Column
from yingji.registry.spec import RegistrySpec
from yingji.registry.tags import json_list_contains
from yingji.resources.experts.models import Expert
from yingji.resources.experts.rules import GENDER_LABELS, SUGGESTED_FIELDS
from yingji.resources.experts.schemas import (
    ExpertCreate,
    ExpertFilters,
    ExpertRead,
    ExpertUpdate,
)

AVAILABLE_LABELS = {"True": "可调用", "False": "暂不可调用"}

COLUMNS = [
    Column("name", "姓名", required=True, example="罗小林"),
    Column("gender", "性别", choices=GENDER_LABELS),
    Column(
        "expertise",
        "专业领域",
        "list",
        required=True,
        example="危险化学品、消防",
        note="多项用顿号分隔；常用：" + "、".join(SUGGESTED_FIELDS),
    ),
    Column("title", "职称", example="高级工程师"),
    Column("employer", "工作单位"),
    Column(
        "phone",
        "联系电话",
        required=True,
        example="13800000207",
        synonyms=("手机", "手机号码", "电话"),
    ),
    Column("email", "电子邮箱"),
    Column("available", "可联系调用", "bool", example="是"),
    Column("notes", "备注"),
    Column("division_code", "行政区划代码", required=True, example="500153", note="通常填区代码"),
]

EXPERTS = RegistrySpec(
    name="experts",
    entity="expert",
    title="专家",
    model=Expert,
    read_schema=ExpertRead,
    create_schema=ExpertCreate,
    update_schema=ExpertUpdate,
    filter_schema=ExpertFilters,
    columns=COLUMNS,
    sited=False,
    scoped=False,
    writer_roles=frozenset({Role.ADMIN, Role.BUREAU_STAFF}),
    nav_group="services",
    filters={"field": lambda value, _s: json_list_contains(Expert.expertise, value)},
    search_attrs=("name", "employer"),
    list_fields=("name", "expertise", "title", "employer", "phone", "available"),
    choice_labels={"gender": GENDER_LABELS, "available": AVAILABLE_LABELS},
    personal_fields=frozenset({"phone"}),
)

REGISTRIES = [EXPERTS]
