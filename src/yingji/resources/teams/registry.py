"""The rescue team and equipment registries' declarations for the registry kit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.schemas import WORKING_ROLES
from yingji.core.errors import FieldError, NotFound
from yingji.core.excel import Column
from yingji.core.uow import UnitOfWork
from yingji.registry.columns import LOCATION_COLUMNS
from yingji.registry.queries import get_row
from yingji.registry.spec import RegistrySpec
from yingji.registry.tags import json_list_contains
from yingji.resources.teams.models import Equipment, RescueTeam
from yingji.resources.teams.rules import (
    EQUIPMENT_STATUS_LABELS,
    KIND_LABELS,
    STAFFING_LABELS,
    SUGGESTED_EQUIPMENT_KINDS,
    SUGGESTED_SPECIALTIES,
    TEAM_MACHINE,
    TEAM_STATUS_LABELS,
    owner_problem,
)
from yingji.resources.teams.schemas import (
    EquipmentCreate,
    EquipmentFilters,
    EquipmentRead,
    EquipmentUpdate,
    RescueTeamCreate,
    RescueTeamFilters,
    RescueTeamRead,
    RescueTeamUpdate,
)

# Enterprise officers read their own enterprise's teams and equipment (企业专职救援队); the
# kit's enterprise scoping hides every other row from them. They do not write here.
ALL_ROLES = WORKING_ROLES


def _validate_team(_session: Session, values: dict[str, Any], row: Any) -> list[FieldError]:
    # A status change against the transition table clashes with the team's current state:
    # that is a 409, not a field error, so it is raised rather than returned.
    if row is not None and values.get("status") is not None:
        TEAM_MACHINE.next_state(str(row.status), str(values["status"]))
    return []


TEAM_COLUMNS = [
    Column("name", "名称", required=True, example="昌元街道综合应急救援队"),
    Column("kind", "队伍类型", required=True, choices=KIND_LABELS),
    Column("staffing", "人员性质", required=True, choices=STAFFING_LABELS),
    Column(
        "specialties",
        "专业特长",
        "list",
        example="综合救援、水域救援",
        note="多项用顿号分隔；常用：" + "、".join(SUGGESTED_SPECIALTIES),
    ),
    Column(
        "headcount", "人数", "int", required=True, example=24, synonyms=("队伍人数", "队员人数")
    ),
    Column("leader", "负责人"),
    Column(
        "on_duty_phone",
        "值班电话",
        required=True,
        example="023-00000105",
        synonyms=("24小时值班电话", "联系电话"),
    ),
    Column("status", "状态", choices=TEAM_STATUS_LABELS),
    Column("owner_department", "主管单位"),
    Column("enterprise_id", "所属企业ID", "int", note="企业专职救援队填写所属企业编号"),
    *LOCATION_COLUMNS,
]

RESCUE_TEAMS = RegistrySpec(
    name="rescue-teams",
    entity="rescue_team",
    title="救援队伍",
    model=RescueTeam,
    read_schema=RescueTeamRead,
    create_schema=RescueTeamCreate,
    update_schema=RescueTeamUpdate,
    filter_schema=RescueTeamFilters,
    columns=TEAM_COLUMNS,
    enterprise_attr="enterprise_id",
    reader_roles=ALL_ROLES,
    nav_group="response",
    filters={"specialty": lambda value, _s: json_list_contains(RescueTeam.specialties, value)},
    validate=_validate_team,
    list_fields=("name", "kind", "staffing", "headcount", "status", "on_duty_phone"),
    choice_labels={"kind": KIND_LABELS, "staffing": STAFFING_LABELS, "status": TEAM_STATUS_LABELS},
    personal_fields=frozenset({"on_duty_phone"}),
)


def _validate_equipment(_session: Session, values: dict[str, Any], _row: Any) -> list[FieldError]:
    reason = owner_problem(values.get("owner_team_id"), values.get("owner_department"))
    return [FieldError("owner_team_id", reason)] if reason else []


def _validate_owner_team(uow: UnitOfWork, values: dict[str, Any], row: Any) -> list[FieldError]:
    # The owner team must be one the actor may see: a township officer cannot attach
    # equipment to (or probe the ids of) another township's teams. Only checked when the
    # owner changes, so a team retired later does not block edits of its equipment.
    team_id = values.get("owner_team_id")
    if team_id is None or (row is not None and row.owner_team_id == team_id):
        return []
    try:
        team, _site = get_row(uow.session, RESCUE_TEAMS, uow.actor, int(team_id))
    except NotFound:
        return [FieldError("owner_team_id", f"救援队伍 {team_id} 不存在")]
    if team.retired_at is not None:
        return [FieldError("owner_team_id", f"救援队伍“{team.name}”已停用")]
    return []


def _owner_team_names(session: Session, rows: Sequence[Any]) -> dict[int, dict[str, Any]]:
    team_ids = {r.owner_team_id for r in rows if r.owner_team_id is not None}
    if not team_ids:
        return {}
    query = select(RescueTeam.id, RescueTeam.name).where(RescueTeam.id.in_(team_ids))
    names: dict[int, str] = {team_id: name for team_id, name in session.execute(query)}
    return {r.id: {"owner_team_name": names.get(r.owner_team_id)} for r in rows}


EQUIPMENT_COLUMNS = [
    Column("name", "名称", required=True, example="水罐消防车"),
    Column(
        "kind",
        "装备类型",
        required=True,
        example="消防车",
        note="常用：" + "、".join(SUGGESTED_EQUIPMENT_KINDS),
    ),
    Column("specification", "规格型号"),
    Column("quantity", "数量", "int", required=True, example=1),
    Column("unit", "计量单位", example="台", note="留空为“台”"),
    Column("owner_team_id", "所属救援队伍ID", "int", note="与所属单位至少填写一项"),
    Column("owner_department", "所属单位"),
    Column("status", "状态", choices=EQUIPMENT_STATUS_LABELS),
    Column("enterprise_id", "所属企业ID", "int"),
    *LOCATION_COLUMNS,
    Column("owner_team_name", "所属救援队伍", note="仅导出时填写，导入时忽略"),
]

EQUIPMENT = RegistrySpec(
    name="equipment",
    entity="equipment",
    title="应急装备",
    model=Equipment,
    read_schema=EquipmentRead,
    create_schema=EquipmentCreate,
    update_schema=EquipmentUpdate,
    filter_schema=EquipmentFilters,
    columns=EQUIPMENT_COLUMNS,
    enterprise_attr="enterprise_id",
    reader_roles=ALL_ROLES,
    nav_group="response",
    validate=_validate_equipment,
    validate_for_actor=_validate_owner_team,
    list_fields=("name", "kind", "quantity", "unit", "owner_team_name", "status"),
    choice_labels={"status": EQUIPMENT_STATUS_LABELS},
    extra_read=_owner_team_names,
)

REGISTRIES = [RESCUE_TEAMS, EQUIPMENT]
