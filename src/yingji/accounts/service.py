"""Account writes: create users, sign in with throttling, issue and revoke API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select

from yingji.accounts.models import ApiToken, Department, LoginAttempt, User
from yingji.accounts.passwords import hash_password, verify_password
from yingji.accounts.queries import find_user_by_username, token_digest
from yingji.accounts.rules import Role, password_problem, scope_problem
from yingji.accounts.schemas import UserCreate
from yingji.core.errors import (
    Conflict,
    DomainError,
    FieldError,
    TooManyAttempts,
    Unauthenticated,
    ValidationFailed,
)
from yingji.core.uow import UnitOfWork


def create_user(
    uow: UnitOfWork, data: UserCreate, *, district_code: str, enterprise_exists: bool = True
) -> User:
    """Create a user after checking password strength, role scope and uniqueness."""
    errors: list[FieldError] = []
    if (reason := password_problem(data.password)) is not None:
        errors.append(FieldError("password", reason))
    if (
        reason := scope_problem(data.role, data.division_code, data.enterprise_id, district_code)
    ) is not None:
        field = "enterprise_id" if "企业" in reason else "division_code"
        errors.append(FieldError(field, reason))
    if data.enterprise_id is not None and not enterprise_exists:
        errors.append(FieldError("enterprise_id", "企业不存在"))
    if errors:
        raise ValidationFailed(errors)
    if find_user_by_username(uow.session, data.username) is not None:
        raise Conflict(f"用户名 {data.username} 已存在", code="duplicate_username")
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=data.role.value,
        division_code=data.division_code,
        enterprise_id=data.enterprise_id,
        department_id=data.department_id,
        phone=data.phone,
        is_active=True,
        created_at=uow.clock.now(),
    )
    uow.session.add(user)
    uow.session.flush()
    uow.audit(
        "accounts.user.create",
        "accounts_user",
        user.id,
        after={
            "username": user.username,
            "role": user.role,
            "division_code": user.division_code,
            "enterprise_id": user.enterprise_id,
        },
    )
    return user


def set_password(uow: UnitOfWork, user: User, password: str) -> None:
    """Replace a user's password (checked for strength) and revoke their tokens."""
    if (reason := password_problem(password)) is not None:
        raise ValidationFailed([FieldError("password", reason)])
    user.password_hash = hash_password(password)
    for token in uow.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = uow.clock.now()
    uow.audit("accounts.user.set_password", "accounts_user", user.id)


def ensure_department(
    uow: UnitOfWork,
    name: str,
    division_code: str,
    kind: str = "department",
    phone: str | None = None,
) -> Department:
    """Return the department called ``name``, creating it if needed."""
    dept = uow.session.scalar(select(Department).where(Department.name == name))
    if dept is None:
        dept = Department(name=name, division_code=division_code, kind=kind, phone=phone)
        uow.session.add(dept)
        uow.session.flush()
        uow.audit(
            "accounts.department.create",
            "accounts_department",
            dept.id,
            after={"name": name, "division_code": division_code, "kind": kind},
        )
    return dept


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in; the edge commits (the attempt is recorded) before raising."""

    user: User | None
    error: DomainError | None

    def user_or_raise(self) -> User:
        """Return the signed-in user or raise the recorded error."""
        if self.error is not None or self.user is None:
            raise self.error or Unauthenticated()
        return self.user


def authenticate(
    uow: UnitOfWork,
    username: str,
    password: str,
    client: str,
    *,
    max_failures: int,
    window_minutes: int,
) -> LoginResult:
    """Check credentials, throttling repeated failures per username and per client.

    Failed attempts are written to the unit of work, so the caller commits before raising.
    """
    now = uow.clock.now()
    since = now - timedelta(minutes=window_minutes)
    failures = (
        uow.session.scalar(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.success.is_(False),
                LoginAttempt.at >= since,
                or_(LoginAttempt.username == username, LoginAttempt.client == client),
            )
        )
        or 0
    )
    if failures >= max_failures:
        # The refusal itself is recorded too, so hammering keeps the lock in place.
        uow.session.add(
            LoginAttempt(username=username[:64], client=client[:64], at=now, success=False)
        )
        return LoginResult(
            None, TooManyAttempts(f"登录失败次数过多，请 {window_minutes} 分钟后再试")
        )
    user = find_user_by_username(uow.session, username)
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    uow.session.add(LoginAttempt(username=username[:64], client=client[:64], at=now, success=ok))
    if not ok or user is None:
        return LoginResult(None, Unauthenticated("用户名或密码错误"))
    uow.audit("accounts.user.login", "accounts_user", user.id)
    return LoginResult(user, None)


def issue_token(uow: UnitOfWork, user: User, hours: int) -> tuple[str, int]:
    """Issue a bearer token for ``user``; return it and its lifetime in seconds."""
    token = secrets.token_urlsafe(32)
    now = uow.clock.now()
    uow.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    uow.audit("accounts.api_token.issue", "accounts_user", user.id)
    return token, hours * 3600


def parse_role_or_fail(value: str) -> Role:
    """Return the Role for ``value`` or raise ValidationFailed naming the field."""
    try:
        return Role(value)
    except ValueError:
        raise ValidationFailed([FieldError("role", "未知角色：" + value)]) from None
