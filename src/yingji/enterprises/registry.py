"""The enterprise registry (一企一档) declared for the registry kit.

Scoping: a township officer sees the enterprises sited in their township (属地管理), an
enterprise officer only their own enterprise (``enterprise_attr="id"``). Enterprise officers
may correct their own profile (contacts, licences, flags ...) but not its credit code, place
or supervising department, and may neither register nor retire an enterprise.

Excel: the import/export sheet holds one row per enterprise (profile and place). Licences and
contacts are not in the sheet — they are lists per enterprise; keep them through the API
(``licences`` / ``contacts`` on create and update) or the detail page. The sheet names the
supervising department by its full name (``行业主管部门``), the API by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, not_, or_, select
from sqlalchemy.orm import Session

from yingji.accounts.queries import department_names, find_department_id
from yingji.accounts.rules import Role
from yingji.accounts.schemas import WORKING_ROLES
from yingji.core.clock import local_today
from yingji.core.db import session_settings
from yingji.core.errors import FieldError
from yingji.core.excel import Column
from yingji.core.uow import UnitOfWork
from yingji.enterprises.models import Enterprise, EnterpriseLicence
from yingji.enterprises.queries import (
    licence_read,
    licences_by_enterprise,
    site_divisions,
)
from yingji.enterprises.rules import (
    LICENCE_STATUS_LABELS,
    SCALE_LABELS,
    worst_licence_status,
)
from yingji.enterprises.schemas import (
    EnterpriseCreate,
    EnterpriseFilters,
    EnterpriseRead,
    EnterpriseUpdate,
)
from yingji.geo.models import Site
from yingji.geo.queries import division_names
from yingji.registry.columns import LOCATION_COLUMNS
from yingji.registry.spec import RegistrySpec
from yingji.settings import Settings

HAZARD_FLAGS = (
    "produces_hazardous_chemicals",
    "stores_hazardous_chemicals",
    "uses_hazardous_chemicals",
    "operates_hazardous_chemicals",
)
# Fields only the government side may change: the identity, the 属地 and the regulator.
_LOCATION_FIELDS = ("longitude", "latitude", "division_code", "address")
_OFFICIAL_ONLY = {
    "credit_code": "企业安全员不能修改统一社会信用代码",
    "supervising_department_id": "企业安全员不能修改行业主管部门",
}
_GOVERNMENT = frozenset({Role.ADMIN, Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICER})
TOWNSHIP_CODE_LENGTH = 9  # 6-digit district + 3-digit township (统计用区划代码)


def _validate(session: Session, values: dict[str, Any], row: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    code = values.get("credit_code")
    if code:
        stmt = select(Enterprise.retired_at).where(Enterprise.credit_code == code)
        if row is not None:
            stmt = stmt.where(Enterprise.id != row.id)
        found = session.execute(stmt).first()
        if found is not None:
            # A retired profile keeps its code: re-registering would split one enterprise's
            # history in two, so it is refused too.
            note = "（档案已停用，可由应急局恢复）" if found.retired_at is not None else ""
            errors.append(FieldError("credit_code", f"该统一社会信用代码已登记{note}"))
    dept_id = values.get("supervising_department_id")
    if dept_id is not None and not department_names(session, [dept_id]):
        errors.append(FieldError("supervising_department_id", f"部门 {dept_id} 不存在"))
    dept_name = values.get("supervising_department")
    if dept_name:
        found_id = find_department_id(session, dept_name)
        if found_id is None:
            errors.append(FieldError("supervising_department", f"部门“{dept_name}”不存在"))
        elif dept_id is not None and dept_id != found_id:
            errors.append(FieldError("supervising_department", "部门名称与部门编号不一致"))
    return errors


def _validate_for_actor(uow: UnitOfWork, values: dict[str, Any], row: Any) -> list[FieldError]:
    # Enterprise officers reach only their own row (scoping answers 404 for any other); here
    # they are kept from changing what the government side owns. ``row`` is still unchanged.
    if row is None or uow.actor.enterprise_id is None:
        return []
    errors = [
        FieldError(key, reason)
        for key, reason in _OFFICIAL_ONLY.items()
        if values.get(key) != getattr(row, key)
    ]
    site = uow.session.get(Site, row.site_id)
    moved = [k for k in _LOCATION_FIELDS if site is not None and values.get(k) != getattr(site, k)]
    errors.extend(FieldError(k, "企业安全员不能修改企业位置和属地镇街") for k in moved)
    return errors


def _after_write(uow: UnitOfWork, row: Any, values: dict[str, Any]) -> None:
    name = values.get("supervising_department")
    if name and row.supervising_department_id is None:
        row.supervising_department_id = find_department_id(uow.session, name)
    licences = values.get("licences")
    if licences is None:
        return  # an update that does not mention licences leaves them as they are
    is_update = "id" in values  # updates pass the merged row values; creates the payload
    if not licences and not is_update:
        return  # a new enterprise has no licences yet: no query (imports create thousands)
    _replace_licences(uow, row.id, licences)


def _replace_licences(uow: UnitOfWork, enterprise_id: int, licences: list[dict[str, Any]]) -> None:
    # Replace-the-list semantics; a licence keeps its id while its (kind, number) stays, so
    # anything that refers to it (a renewal reminder) survives a re-submit. The audit row of
    # the update holds the list before and after.
    now = uow.clock.now()
    existing = {
        (lic.kind, lic.number): lic
        for lic in licences_by_enterprise(uow.session, [enterprise_id]).get(enterprise_id, [])
    }
    keep: set[int] = set()
    for item in licences:
        current = existing.get((item["kind"], item["number"]))
        if current is None:
            uow.session.add(
                EnterpriseLicence(
                    enterprise_id=enterprise_id,
                    kind=item["kind"],
                    number=item["number"],
                    issued_on=item.get("issued_on"),
                    expires_on=item["expires_on"],
                    created_at=now,
                    updated_at=now,
                )
            )
            continue
        keep.add(current.id)
        if (current.issued_on, current.expires_on) != (item.get("issued_on"), item["expires_on"]):
            current.issued_on = item.get("issued_on")
            current.expires_on = item["expires_on"]
            current.updated_at = now
    dropped = [lic.id for lic in existing.values() if lic.id not in keep]
    if dropped:
        uow.session.execute(delete(EnterpriseLicence).where(EnterpriseLicence.id.in_(dropped)))
    uow.session.flush()


def _extra_read(session: Session, rows: Sequence[Any]) -> dict[int, dict[str, Any]]:
    if not rows:
        return {}
    settings = session_settings(session)
    today = local_today(settings.timezone)
    warn = settings.licence_expiry_warn_days
    licences = licences_by_enterprise(session, [r.id for r in rows])
    departments = department_names(
        session, [r.supervising_department_id for r in rows if r.supervising_department_id]
    )
    divisions = site_divisions(session, [r.site_id for r in rows])
    townships = {
        site_id: code[:TOWNSHIP_CODE_LENGTH]
        for site_id, code in divisions.items()
        if len(code) >= TOWNSHIP_CODE_LENGTH
    }
    township_names = division_names(session, list(set(townships.values())))
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        reads = [licence_read(lic, today, warn) for lic in licences.get(row.id, [])]
        township = townships.get(row.site_id)
        out[row.id] = {
            "licences": reads,
            "licence_status": worst_licence_status(r.status for r in reads),
            "supervising_department": departments.get(row.supervising_department_id or 0),
            "township_code": township,
            "township_name": township_names.get(township) if township else None,
        }
    return out


def _hazardous(value: Any, _settings: Settings) -> ColumnElement[bool]:
    any_flag = or_(*(getattr(Enterprise, flag).is_(True) for flag in HAZARD_FLAGS))
    return any_flag if value else not_(any_flag)


def _industry_prefix(value: Any, _settings: Settings) -> ColumnElement[bool]:
    return Enterprise.industry_code.startswith(str(value), autoescape=True)


def _licence_status(value: Any, settings: Settings) -> ColumnElement[bool]:
    today = local_today(settings.timezone)
    if value == "expired":
        due = EnterpriseLicence.expires_on < today
    else:
        horizon = today + timedelta(days=settings.licence_expiry_warn_days)
        due = EnterpriseLicence.expires_on.between(today, horizon)
    return (
        select(EnterpriseLicence.id)
        .where(EnterpriseLicence.enterprise_id == Enterprise.id, due)
        .exists()
    )


COLUMNS = [
    Column(
        "credit_code",
        "统一社会信用代码",
        required=True,
        example="91500153MA5U8B0X19",
        note="18位（GB 32100-2015），请以文本格式填写",
    ),
    Column(
        "name",
        "名称",
        required=True,
        example="重庆市荣昌区示例化工有限公司",
        synonyms=("企业名称", "单位名称"),
    ),
    Column(
        "industry_code",
        "行业代码",
        required=True,
        example="2614",
        note="GB/T 4754-2017 大类/中类/小类数字代码，不带门类字母，请以文本格式填写",
    ),
    Column("scale", "规模", required=True, choices=SCALE_LABELS),
    Column("supervising_department", "行业主管部门", note="填写部门全称"),
    Column("produces_hazardous_chemicals", "生产危险化学品", "bool"),
    Column("stores_hazardous_chemicals", "储存危险化学品", "bool"),
    Column("uses_hazardous_chemicals", "使用危险化学品", "bool"),
    Column("operates_hazardous_chemicals", "经营危险化学品", "bool"),
    Column("has_major_hazard", "有重大危险源", "bool"),
    Column("legal_representative", "法定代表人"),
    Column("safety_officer", "安全管理负责人"),
    Column("employees", "从业人员数", "int", synonyms=("从业人数", "职工人数")),
    *LOCATION_COLUMNS[:3],
    Column("address", "地址", note="证照、联系人请在企业详情页维护"),
]

ENTERPRISES = RegistrySpec(
    name="enterprises",
    entity="enterprise",
    title="企业",
    model=Enterprise,
    # 一企一档: the profile links to the enterprise's records kept by higher layers (by URL
    # only, so enterprises imports none of them).
    detail_links=(
        ("重大危险源", "/major-hazards?enterprise_id={id}"),
        ("风险点", "/risk-points?enterprise_id={id}"),
        ("隐患", "/hazards?enterprise_id={id}"),
        ("执法检查", "/inspections/cases?enterprise_id={id}"),
    ),
    read_schema=EnterpriseRead,
    create_schema=EnterpriseCreate,
    update_schema=EnterpriseUpdate,
    filter_schema=EnterpriseFilters,
    columns=COLUMNS,
    enterprise_attr="id",
    reader_roles=WORKING_ROLES,
    writer_roles=_GOVERNMENT | {Role.ENTERPRISE_OFFICER},
    creator_roles=_GOVERNMENT,
    retirer_roles=_GOVERNMENT,
    nav_group="supervision",
    filters={
        "hazardous": _hazardous,
        "industry_code": _industry_prefix,
        "licence_status": _licence_status,
    },
    search_attrs=("name", "credit_code"),
    validate=_validate,
    validate_for_actor=_validate_for_actor,
    list_fields=("name", "credit_code", "industry_code", "scale", "licence_status"),
    choice_labels={
        "scale": SCALE_LABELS,
        "licence_status": LICENCE_STATUS_LABELS,
        # the licences child table names the column ``status``
        "status": LICENCE_STATUS_LABELS,
    },
    after_write=_after_write,
    extra_read=_extra_read,
    personal_fields=frozenset({"contacts"}),
)

REGISTRIES = [ENTERPRISES]
