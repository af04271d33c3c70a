"""Duty test helpers: extra people and a rostered shift built through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from support.district import DISTRICT, PASSWORD
from yingji.accounts.rules import Role
from yingji.accounts.schemas import UserCreate
from yingji.accounts.service import create_user, issue_token
from yingji.core.actor import system_actor
from yingji.duty.schemas import ShiftCreate
from yingji.duty.service import create_shift

PEOPLE = [
    ("officer1", Role.DUTY_OFFICER),
    ("backup1", Role.BUREAU_STAFF),
    ("leader1", Role.BUREAU_STAFF),
    ("officer2", Role.DUTY_OFFICER),
    ("backup2", Role.BUREAU_STAFF),
    ("leader2", Role.BUREAU_STAFF),
]


def make_people(ctx: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Create the duty people; return (ids, bearer tokens) by username."""
    ids: dict[str, int] = {}
    tokens: dict[str, str] = {}
    with ctx.uow(system_actor("test")) as uow:
        users = [
            create_user(
                uow,
                UserCreate(
                    username=name,
                    display_name=f"{name}姓名",
                    password=PASSWORD,
                    role=role,
                    phone="13900000000",
                ),
                district_code=DISTRICT,
            )
            for name, role in PEOPLE
        ]
        uow.session.flush()
        for user in users:
            ids[user.username] = user.id
            tokens[user.username], _ = issue_token(uow, user, hours=24)
        uow.commit()
    return ids, tokens


def roster(
    ctx: Any,
    start: datetime,
    hours: int,
    people: dict[str, int],
    *,
    officer: str = "officer1",
    backup: str | None = "backup1",
    leader: str = "leader1",
    label: str = "白班",
    division_code: str = DISTRICT,
) -> int:
    """Roster one shift (system actor); return its id."""
    assignments = [
        {"user_id": people[officer], "position": "duty_officer"},
        {"user_id": people[leader], "position": "leader"},
    ]
    if backup:
        assignments.append({"user_id": people[backup], "position": "backup"})
    with ctx.uow(system_actor("test")) as uow:
        read = create_shift(
            uow,
            ShiftCreate.model_validate(
                {
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=hours),
                    "label": label,
                    "division_code": division_code,
                    "assignments": assignments,
                }
            ),
        )
        uow.commit()
    return read.id
