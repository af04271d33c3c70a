"""Team and equipment writes beyond the registry kit: status changes driven by dispatch."""

from __future__ import annotations

from sqlalchemy import select

from yingji.core.errors import NotFound
from yingji.core.uow import UnitOfWork
from yingji.resources.teams.models import Equipment, RescueTeam
from yingji.resources.teams.rules import TEAM_MACHINE, EquipmentStatus, TeamStatus


def lock_team(uow: UnitOfWork, team_id: int) -> RescueTeam:
    """Return the team row locked for this transaction (two dispatches of it queue up)."""
    team = uow.session.scalar(select(RescueTeam).where(RescueTeam.id == team_id).with_for_update())
    if team is None or team.retired_at is not None:
        raise NotFound("救援队伍不存在")
    return team


def lock_equipment(uow: UnitOfWork, equipment_id: int) -> Equipment:
    """Return the equipment row locked for this transaction."""
    row = uow.session.scalar(
        select(Equipment).where(Equipment.id == equipment_id).with_for_update()
    )
    if row is None or row.retired_at is not None:
        raise NotFound("装备不存在")
    return row


def set_team_status(uow: UnitOfWork, team_id: int, status: TeamStatus, reason: str) -> None:
    """Set a team's status (standby / deployed / unavailable) with an audit row.

    The change goes through the team machine like an edit in the registry does, so dispatch
    cannot deploy a team someone marked unavailable after the order was requested (409,
    ``illegal_status_change``): it must be declared ready (standby) first.
    """
    team = lock_team(uow, team_id)
    if team.status == status.value:
        return
    before = team.status
    team.status = TEAM_MACHINE.next_state(team.status, status.value)
    uow.audit(
        "resources.rescue_team.set_status",
        "resources_rescue_team",
        team.id,
        before={"status": before},
        after={"status": status.value},
        reason=reason,
    )


def set_equipment_status(
    uow: UnitOfWork, equipment_id: int, status: EquipmentStatus, reason: str
) -> None:
    """Set an equipment record's status with an audit row."""
    row = lock_equipment(uow, equipment_id)
    if row.status == status.value:
        return
    before = row.status
    row.status = status.value
    uow.audit(
        "resources.equipment.set_status",
        "resources_equipment",
        row.id,
        before={"status": before},
        after={"status": status.value},
        reason=reason,
    )
