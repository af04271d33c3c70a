"""Account API shapes.

Also re-exports, as part of the public surface, the role labels, the roles that may
write the shared registries and the one role check (``has_role``, ``require_role``) from
``accounts.rules``, so other domains need not import the rules.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from yingji.accounts.rules import REGISTRY_WRITERS as REGISTRY_WRITERS
from yingji.accounts.rules import ROLE_LABELS as ROLE_LABELS
from yingji.accounts.rules import WORKING_ROLES as WORKING_ROLES
from yingji.accounts.rules import Role
from yingji.accounts.rules import has_role as has_role
from yingji.accounts.rules import require_role as require_role
from yingji.core.schemas import ReadModel


class TokenRead(BaseModel):
    """The answer to ``POST /api/v1/auth/token`` (OAuth2 password flow)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int = Field(description="seconds until the token expires")


class UserRead(ReadModel):
    """A user as the API shows it (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    division_code: str | None
    enterprise_id: int | None
    department_id: int | None
    phone: str | None
    is_active: bool


class UserCreate(BaseModel):
    """Fields to create a user."""

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    role: Role
    division_code: str | None = Field(default=None, max_length=15)
    enterprise_id: int | None = None
    department_id: int | None = None
    phone: str | None = Field(default=None, max_length=40)


class DepartmentRead(BaseModel):
    """A department (应急局, 安委会成员单位, 镇街应急办 ...)."""

    id: int
    name: str
    kind: str
    division_code: str
    phone: str | None
