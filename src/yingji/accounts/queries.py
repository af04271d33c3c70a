"""Account reads: users, tokens and the actor a request acts as."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.models import ApiToken, Department, PageSession, SecondFactor, User
from yingji.accounts.rules import ROLE_LABELS, Role, effective_division
from yingji.accounts.schemas import UserRead
from yingji.core.actor import Actor
from yingji.core.errors import NotFound


def token_digest(token: str) -> str:
    """Return the stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def second_factor_of(session: Session, user_id: int) -> SecondFactor | None:
    """Return the user's TOTP enrolment (confirmed or in progress), if any."""
    return session.scalar(select(SecondFactor).where(SecondFactor.user_id == user_id))


def find_user_by_username(session: Session, username: str) -> User | None:
    """Return the user called ``username`` or None."""
    return session.scalar(select(User).where(User.username == username))


def get_user(session: Session, user_id: int) -> User:
    """Return the user with ``user_id`` or raise NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def actor_for(user: User, district_code: str) -> Actor:
    """Return the Actor a signed-in user acts as."""
    role = Role(user.role)
    return Actor(
        user_id=user.id,
        username=user.username,
        role=role.value,
        division_code=effective_division(role, user.division_code, district_code),
        enterprise_id=user.enterprise_id,
        department_id=user.department_id,
        display_name=user.display_name or "",
    )


def find_user_by_token(session: Session, token: str, now: datetime) -> User | None:
    """Return the active user holding an unexpired, unrevoked ``token``, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def find_page_session(
    session: Session, token: str, now: datetime, *, idle_minutes: int, max_hours: int
) -> tuple[PageSession, User] | None:
    """Return the live page session the cookie ``token`` names and its active user, or None.

    A session is live until revoked (sign-out, password change, an admin's revoke), idle
    for ``idle_minutes`` or older than ``max_hours`` (GB/T 22239-2019 8.1.4.1 b).
    """
    row = session.execute(
        select(PageSession, User)
        .join(User, User.id == PageSession.user_id)
        .where(PageSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    page, user = row[0], row[1]
    if page.revoked_at is not None or not user.is_active:
        return None
    if now - page.last_seen_at > timedelta(minutes=idle_minutes):
        return None
    if now - page.created_at > timedelta(hours=max_hours):
        return None
    return page, user


def to_read(user: User) -> UserRead:
    """Return the API view of a user."""
    role = Role(user.role)
    return UserRead.of(user, role=role, role_label=ROLE_LABELS[role])


def list_users(session: Session) -> list[User]:
    """Return every user ordered by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def department_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Return {id: name} for the given department ids (one query)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Department.id, Department.name).where(Department.id.in_(wanted)))
    return {row.id: row.name for row in rows}


def department_exists(session: Session, department_id: int) -> bool:
    """Tell whether a department with ``department_id`` exists."""
    return session.get(Department, department_id) is not None


def department_ids_by_name(session: Session) -> dict[str, int]:
    """Return {name: id} of every department (for imports that name departments)."""
    return {d.name: d.id for d in session.scalars(select(Department))}


def find_department_id(session: Session, name: str) -> int | None:
    """Return the id of the department called ``name``, or None."""
    return session.scalar(select(Department.id).where(Department.name == name))


def list_departments(session: Session) -> list[Department]:
    """Return every department ordered by name."""
    return list(
        session.scalars(select(Department).order_by(Department.division_code, Department.name))
    )


def person_choices(people: Iterable[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """Return (user id, what a picker shows) for (id, display name, username) rows.

    People are shown by name; the username is added only to tell two people of the same
    name apart, so a picker never reads like a list of logins.
    """
    rows = list(people)
    seen = Counter(name for _, name, _ in rows)
    return [(uid, name if seen[name] == 1 else f"{name}（{login}）") for uid, name, login in rows]
