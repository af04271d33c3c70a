"""Account writes: create users, sign in with throttling, page sessions and API tokens.

Sign-in controls follow GB/T 22239-2019 (等保 2.0) 8.1.4.1: identification with complex
passwords, a login-failure lock, a session timeout, and sessions that really end.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select

from yingji.accounts import second_factor as totp
from yingji.accounts.models import (
    ApiToken,
    Department,
    LoginAttempt,
    PageSession,
    SecondFactor,
    User,
)
from yingji.accounts.passwords import hash_password, verify_password
from yingji.accounts.queries import find_user_by_username, second_factor_of, token_digest
from yingji.accounts.references import UserReference
from yingji.accounts.rules import (
    PasswordPolicy,
    Role,
    password_problem,
    scope_problem,
    second_factor_required,
)
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
from yingji.settings import Settings


def password_policy(settings: Settings) -> PasswordPolicy:
    """Return the deployment's password policy (national reading by default)."""
    return PasswordPolicy(settings.password_min_length, settings.password_min_classes)


def create_user(
    uow: UnitOfWork,
    data: UserCreate,
    *,
    district_code: str,
    references: Sequence[UserReference] = (),
    policy: PasswordPolicy = PasswordPolicy(),
) -> User:
    """Create a user after checking password strength, scope, references and uniqueness.

    ``references`` are the owners' checks that the division, enterprise and department the
    account names exist (contributed to ``USER_REFERENCES`` by their manifests).
    """
    errors: list[FieldError] = []
    if (reason := password_problem(data.password, data.username, policy)) is not None:
        errors.append(FieldError("password", reason))
    if (
        reason := scope_problem(data.role, data.division_code, data.enterprise_id, district_code)
    ) is not None:
        field = "enterprise_id" if "企业" in reason else "division_code"
        errors.append(FieldError(field, reason))
    named = {f.field for f in errors}
    for ref in references:
        value = getattr(data, ref.field, None)
        if value is not None and ref.field not in named and not ref.exists(uow.session, value):
            errors.append(FieldError(ref.field, ref.message))
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


def set_password(
    uow: UnitOfWork, user: User, password: str, policy: PasswordPolicy = PasswordPolicy()
) -> None:
    """Replace a user's password (checked for strength); end their sessions and tokens."""
    if (reason := password_problem(password, user.username, policy)) is not None:
        raise ValidationFailed([FieldError("password", reason)])
    user.password_hash = hash_password(password)
    _revoke_all(uow, user.id)
    uow.audit("accounts.user.set_password", "accounts_user", user.id)


def _revoke_all(uow: UnitOfWork, user_id: int) -> int:
    """Revoke every live token and page session of a user; return how many ended."""
    now = uow.clock.now()
    ended = 0
    tokens = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    pages = select(PageSession).where(
        PageSession.user_id == user_id, PageSession.revoked_at.is_(None)
    )
    for row in [*uow.session.scalars(tokens), *uow.session.scalars(pages)]:
        row.revoked_at = now
        ended += 1
    return ended


def revoke_user_access(uow: UnitOfWork, user_id: int) -> int:
    """End every session and token of a user (a lost phone, a leaver); audited."""
    ended = _revoke_all(uow, user_id)
    uow.audit("accounts.user.revoke_access", "accounts_user", user_id, after={"ended": ended})
    return ended


def unlock_user(uow: UnitOfWork, user: User) -> int:
    """Clear a user's failed sign-ins so the throttle lets them in again; audited.

    The attempts are bookkeeping for the throttle; each failure keeps its own audit row, so
    clearing them loses no record. Returns how many were cleared.
    """
    failed = (LoginAttempt.username == user.username, LoginAttempt.success.is_(False))
    cleared = uow.session.scalar(select(func.count(LoginAttempt.id)).where(*failed)) or 0
    uow.session.execute(delete(LoginAttempt).where(*failed))
    uow.audit("accounts.user.unlock", "accounts_user", user.id, after={"cleared": cleared})
    return cleared


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
    # The password was right but a TOTP code (or enrolment) must follow before any session.
    second_factor: bool = False

    def user_or_raise(self) -> User:
        """Return the signed-in user or raise the recorded error."""
        if self.error is not None or self.user is None:
            raise self.error or Unauthenticated()
        return self.user


def _failures(uow: UnitOfWork, since: datetime, *conditions: ColumnElement[bool]) -> int:
    stmt = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since, *conditions
    )
    return uow.session.scalar(stmt) or 0


def _lock_error(
    uow: UnitOfWork,
    username: str,
    client: str,
    *,
    max_failures: int,
    window_minutes: int,
    client_factor: int,
) -> DomainError | None:
    """Return the throttle's refusal for (username, client), recording it, or None."""
    now = uow.clock.now()
    since = now - timedelta(minutes=window_minutes)
    pair = _failures(uow, since, LoginAttempt.username == username, LoginAttempt.client == client)
    locked = pair >= max_failures or (
        _failures(uow, since, LoginAttempt.client == client) >= max_failures * client_factor
    )
    if not locked:
        return None
    # The refusal itself is recorded too, so hammering keeps the lock in place.
    uow.session.add(LoginAttempt(username=username, client=client, at=now, success=False))
    return TooManyAttempts(f"登录失败次数过多，请 {window_minutes} 分钟后再试")


def authenticate(
    uow: UnitOfWork,
    username: str,
    password: str,
    client: str,
    *,
    max_failures: int,
    window_minutes: int,
    client_factor: int = 4,
    second_factor_roles: Collection[str] = frozenset(),
) -> LoginResult:
    """Check credentials, throttling repeated failures per (username, client) and per client.

    Counting a username's failures only from the same client means nobody elsewhere can keep
    the duty or admin account locked; a client spraying many usernames is locked as a whole
    after ``max_failures × client_factor`` failures. Failed attempts are written to the unit of
    work (with an audit row), so the caller commits before raising. A user whose role is in
    ``second_factor_roles``, or who enrolled a TOTP app, gets ``second_factor=True``: the
    password step is audited, and the sign-in completes only in ``verify_second_factor``.
    """
    username, client = username[:64], client[:64]
    limits = {
        "max_failures": max_failures,
        "window_minutes": window_minutes,
        "client_factor": client_factor,
    }
    if (refusal := _lock_error(uow, username, client, **limits)) is not None:
        return LoginResult(None, refusal)
    now = uow.clock.now()
    user = find_user_by_username(uow.session, username)
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    uow.session.add(LoginAttempt(username=username, client=client, at=now, success=ok))
    if not ok or user is None:
        uow.audit(
            "accounts.user.login_failed",
            "accounts_user",
            user.id if user is not None else "unknown",
            after={"username": username, "client": client},
        )
        return LoginResult(None, Unauthenticated("用户名或密码错误"))
    factor = second_factor_of(uow.session, user.id)
    enrolled = factor is not None and factor.confirmed_at is not None
    if second_factor_required(user.role, second_factor_roles, enrolled):
        uow.audit(
            "accounts.user.login_password", "accounts_user", user.id, after={"client": client}
        )
        return LoginResult(user, None, second_factor=True)
    uow.audit("accounts.user.login", "accounts_user", user.id, after={"client": client})
    return LoginResult(user, None)


def begin_second_factor(uow: UnitOfWork, user: User, key: str) -> str:
    """Start (or resume) the user's TOTP enrolment; return the secret to show once.

    A confirmed enrolment is never replaced here (that is ``reset_second_factor``, an
    administrator's act), so someone holding only the password cannot swap the app.
    """
    factor = second_factor_of(uow.session, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("已绑定动态验证码；如需更换请联系管理员重置", code="second_factor_enrolled")
    if factor is not None and (secret := totp.unseal(factor.secret_sealed, key)) is not None:
        return secret
    secret = totp.new_secret()
    if factor is None:
        factor = SecondFactor(user_id=user.id, created_at=uow.clock.now(), last_step=0)
        uow.session.add(factor)
    factor.secret_sealed = totp.seal(secret, key)
    uow.session.flush()
    uow.audit("accounts.second_factor.begin", "accounts_second_factor", factor.id)
    return secret


def enrol_second_factor(uow: UnitOfWork, user: User, secret: str, key: str) -> None:
    """Enrol ``secret`` as the user's confirmed TOTP app (operator CLI and seeds); audited."""
    factor = second_factor_of(uow.session, user.id)
    if factor is None:
        factor = SecondFactor(user_id=user.id, created_at=uow.clock.now(), last_step=0)
        uow.session.add(factor)
    factor.secret_sealed = totp.seal(secret, key)
    factor.confirmed_at = uow.clock.now()
    factor.last_step = 0
    uow.session.flush()
    uow.audit("accounts.second_factor.enrol", "accounts_second_factor", factor.id)


def verify_second_factor(
    uow: UnitOfWork,
    user: User,
    code: str,
    client: str,
    *,
    key: str,
    max_failures: int,
    window_minutes: int,
    client_factor: int = 4,
) -> LoginResult:
    """Check a TOTP code after the password; confirm an enrolment in progress with it.

    A wrong code is a failed attempt for the same (username, client) throttle as a wrong
    password, so guessing 10⁶ codes is as slow as guessing passwords. Each code is accepted
    once (its time step is remembered). Completing the sign-in is audited as the login.
    """
    client = client[:64]
    limits = {
        "max_failures": max_failures,
        "window_minutes": window_minutes,
        "client_factor": client_factor,
    }
    if (refusal := _lock_error(uow, user.username, client, **limits)) is not None:
        return LoginResult(None, refusal)
    now = uow.clock.now()
    factor = second_factor_of(uow.session, user.id)
    secret = totp.unseal(factor.secret_sealed, key) if factor is not None else None
    step = None
    if factor is not None and secret is not None:
        step = totp.matching_step(secret, code, now, factor.last_step)
    ok = step is not None and user.is_active
    uow.session.add(LoginAttempt(username=user.username, client=client, at=now, success=ok))
    if factor is None or step is None or not ok:
        uow.audit(
            "accounts.user.second_factor_failed",
            "accounts_user",
            user.id,
            after={"client": client},
        )
        return LoginResult(
            None, Unauthenticated("动态验证码错误或已使用，请输入应用上的最新验证码")
        )
    factor.last_step = step
    if factor.confirmed_at is None:
        factor.confirmed_at = now
        uow.audit("accounts.second_factor.confirm", "accounts_second_factor", factor.id)
    uow.audit(
        "accounts.user.login",
        "accounts_user",
        user.id,
        after={"client": client, "factors": 2},
    )
    return LoginResult(user, None)


def reset_second_factor(uow: UnitOfWork, user: User) -> bool:
    """Remove the user's TOTP app (a lost phone) and end their sessions; audited.

    If their role requires a second factor they enrol a new app at the next sign-in.
    """
    factor = second_factor_of(uow.session, user.id)
    if factor is None:
        return False
    uow.session.delete(factor)
    ended = _revoke_all(uow, user.id)
    uow.audit("accounts.second_factor.reset", "accounts_user", user.id, after={"ended": ended})
    return True


def open_session(uow: UnitOfWork, user: User, client: str) -> str:
    """Start a page session for ``user``; return the random id the cookie carries."""
    token = secrets.token_urlsafe(32)
    now = uow.clock.now()
    row = PageSession(
        user_id=user.id,
        token_hash=token_digest(token),
        client=client[:64],
        created_at=now,
        last_seen_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit("accounts.page_session.open", "accounts_page_session", row.id)
    return token


def touch_session(uow: UnitOfWork, session_id: int) -> None:
    """Mark a page session as used now, which keeps it from idling out.

    Bookkeeping, not a change anyone made, so it carries no audit row.
    """
    row = uow.session.get(PageSession, session_id)
    if row is not None:
        row.last_seen_at = uow.clock.now()


def close_session(uow: UnitOfWork, token: str) -> bool:
    """End the page session whose cookie carries ``token``; tell whether one was live."""
    row = uow.session.scalar(
        select(PageSession).where(PageSession.token_hash == token_digest(token))
    )
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = uow.clock.now()
    uow.audit("accounts.page_session.close", "accounts_page_session", row.id)
    return True


def revoke_token(uow: UnitOfWork, token: str, user_id: int) -> bool:
    """Revoke ``token`` if it belongs to ``user_id`` (RFC 7009: unknown tokens are no error)."""
    row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = uow.clock.now()
    uow.audit("accounts.api_token.revoke", "accounts_api_token", row.id)
    return True


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


def prune_credentials(uow: UnitOfWork, *, idle_minutes: int, max_hours: int) -> int:
    """Delete ended page sessions and tokens; return how many rows went.

    GB/T 22239-2019 8.1.4 (剩余信息保护) asks that authentication data be cleared, not just
    flagged, once it is no longer valid; the audit log keeps who signed in and out.
    """
    now = uow.clock.now()
    sessions = delete(PageSession).where(
        or_(
            PageSession.revoked_at.is_not(None),
            PageSession.last_seen_at < now - timedelta(minutes=idle_minutes),
            PageSession.created_at < now - timedelta(hours=max_hours),
        )
    )
    tokens = delete(ApiToken).where(
        or_(ApiToken.revoked_at.is_not(None), ApiToken.expires_at < now)
    )
    gone = sum(
        int(getattr(uow.session.execute(stmt), "rowcount", 0) or 0) for stmt in (sessions, tokens)
    )
    if gone:
        uow.audit(
            "accounts.credentials.prune", "accounts_page_session", "*", after={"deleted": gone}
        )
    return gone
