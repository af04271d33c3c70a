"""Account tables: departments, users, second factors, API tokens, page sessions and login
attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class Department(Base):
    """A government body or unit (应急局, 安委会成员单位, 镇街应急办 ...)."""

    __tablename__ = "accounts_department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="department")
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))


class User(Base):
    """A person who signs in; role and scope decide what they see and change."""

    __tablename__ = "accounts_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40), index=True)
    # Scope: a division (district, township, village or grid) or one enterprise.
    division_code: Mapped[str | None] = mapped_column(String(15), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_department.id"))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SecondFactor(Base):
    """A user's TOTP authenticator (RFC 6238), the second factor of 等保 2.0 8.1.4.1 d).

    The shared secret is stored encrypted with a key derived from the deployment's secret key
    (``accounts.second_factor``), so a copy of the database alone yields no codes. A row with no
    ``confirmed_at`` is an enrolment in progress: it is not yet asked for at sign-in.
    """

    __tablename__ = "accounts_second_factor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id"), unique=True)
    secret_sealed: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second time step of the last accepted code: a code is accepted once (RFC 6238 §5.2).
    last_step: Mapped[int] = mapped_column(Integer, default=0)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no token."""

    __tablename__ = "accounts_api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PageSession(Base):
    """A signed-in browser session, kept server-side so that signing out really ends it.

    The cookie carries only a random id; its SHA-256 is stored (as for tokens), so a copied
    cookie stops working once the session is revoked, idle too long or too old.
    """

    __tablename__ = "accounts_page_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttempt(Base):
    """One sign-in attempt; failures inside the window throttle further attempts."""

    __tablename__ = "accounts_login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    success: Mapped[bool] = mapped_column(Boolean)
