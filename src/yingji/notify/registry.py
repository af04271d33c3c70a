"""The recipient registers served by the registry kit: responsible persons and devices.

Responsible persons (责任人: 村社干部, 网格员, 企业安全员, 包保责任人 ...) are the named people
a warning must reach and who must acknowledge it (叫应); devices are village loudspeakers
(大喇叭) and electronic displays. Both are scoped by the division they serve, imported from
Excel through the kit (core/excel.py), and retired rather than deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.rules import Role
from yingji.accounts.schemas import WORKING_ROLES
from yingji.core.errors import FieldError
from yingji.core.excel import Column
from yingji.notify.models import BroadcastDevice, ResponsiblePerson
from yingji.notify.rules import DEVICE_KIND_LABELS, PERSON_ROLE_LABELS
from yingji.notify.schemas import (
    DeviceCreate,
    DeviceFilters,
    DeviceRead,
    DeviceUpdate,
    PersonCreate,
    PersonFilters,
    PersonRead,
    PersonUpdate,
)
from yingji.registry.spec import RegistrySpec

# Township staff keep their own villages' lists; enterprise officers and grid members read.
READERS = WORKING_ROLES - {Role.ENTERPRISE_OFFICER}

PERSON_COLUMNS = [
    Column("name", "姓名", required=True, example="刘春梅"),
    Column("phone", "手机号码", required=True, example="13800001234"),
    Column("role", "责任类别", required=True, choices=PERSON_ROLE_LABELS),
    Column("position", "职务", example="村委会主任"),
    Column(
        "division_code",
        "负责行政区划代码",
        required=True,
        example="500153001001",
        note="村社12位、镇街9位代码",
    ),
    Column("superior_id", "上级责任人ID", "int", note="未叫应时逐级上报给此人"),
    Column("user_id", "平台用户ID", "int", note="有平台账号时填写，可收站内消息"),
    Column("enterprise_id", "所属企业ID", "int", note="企业安全员、包保责任人填写"),
    Column("notes", "备注"),
]

DEVICE_COLUMNS = [
    Column("code", "设备编号", required=True, example="LS-500153001001-01"),
    Column("name", "设备名称", required=True, example="昌元街道1号大喇叭"),
    Column("kind", "设备类型", required=True, choices=DEVICE_KIND_LABELS),
    Column("division_code", "所在行政区划代码", required=True, example="500153001001"),
    Column("longitude", "经度", "float", example=105.59),
    Column("latitude", "纬度", "float", example=29.40),
    Column("notes", "备注"),
]


def _validate_person(session: Session, values: dict[str, Any], row: Any) -> list[FieldError]:
    superior_id = values.get("superior_id")
    if superior_id is None:
        return []
    if row is not None and superior_id == row.id:
        return [FieldError("superior_id", "上级责任人不能是本人")]
    found = session.scalar(
        select(ResponsiblePerson.id).where(
            ResponsiblePerson.id == superior_id, ResponsiblePerson.retired_at.is_(None)
        )
    )
    return [] if found else [FieldError("superior_id", f"上级责任人 {superior_id} 不存在")]


def _validate_device(session: Session, values: dict[str, Any], row: Any) -> list[FieldError]:
    code = values.get("code")
    clash = session.scalar(select(BroadcastDevice.id).where(BroadcastDevice.code == code))
    if clash is not None and (row is None or clash != row.id):
        return [FieldError("code", f"设备编号 {code} 已登记")]
    return []


RESPONSIBLE_PERSONS = RegistrySpec(
    name="responsible-persons",
    entity="responsible_person",
    title="预警责任人",
    model=ResponsiblePerson,
    read_schema=PersonRead,
    create_schema=PersonCreate,
    update_schema=PersonUpdate,
    filter_schema=PersonFilters,
    columns=PERSON_COLUMNS,
    sited=False,
    reader_roles=READERS,
    nav_group="monitoring",
    search_attrs=("name", "position"),
    validate=_validate_person,
    list_fields=("name", "role", "position", "phone", "superior_id"),
    choice_labels={"role": PERSON_ROLE_LABELS},
    personal_fields=frozenset({"phone"}),
)

BROADCAST_DEVICES = RegistrySpec(
    name="broadcast-devices",
    entity="broadcast_device",
    title="预警发布终端",
    model=BroadcastDevice,
    read_schema=DeviceRead,
    create_schema=DeviceCreate,
    update_schema=DeviceUpdate,
    filter_schema=DeviceFilters,
    columns=DEVICE_COLUMNS,
    sited=False,
    reader_roles=READERS,
    nav_group="monitoring",
    search_attrs=("name", "code"),
    validate=_validate_device,
    list_fields=("code", "name", "kind"),
    choice_labels={"kind": DEVICE_KIND_LABELS},
)

REGISTRIES = [RESPONSIBLE_PERSONS, BROADCAST_DEVICES]
