"""Roles, what each may do, and the scope each role must carry (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files

from yingji.core.actor import Actor
from yingji.core.errors import PermissionDenied


class Role(StrEnum):
    """The platform's roles (identifiers are stable: scripts and integrators use them)."""

    ADMIN = "admin"
    BUREAU_STAFF = "bureau_staff"
    DUTY_OFFICER = "duty_officer"
    TOWNSHIP_OFFICER = "township_officer"
    DEPARTMENT_OFFICER = "department_officer"
    GRID_MEMBER = "grid_member"
    ENTERPRISE_OFFICER = "enterprise_officer"
    INSPECTOR = "inspector"
    # Reads the audit log and nothing else (GB/T 22239-2019 8.1.4.2 d: 审计管理员, kept apart
    # from the system administrator).
    AUDITOR = "auditor"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "系统管理员",
    Role.BUREAU_STAFF: "应急局工作人员",
    Role.DUTY_OFFICER: "值班员",
    Role.TOWNSHIP_OFFICER: "镇街工作人员",
    Role.DEPARTMENT_OFFICER: "行业部门工作人员",
    Role.GRID_MEMBER: "网格员",
    Role.ENTERPRISE_OFFICER: "企业安全员",
    Role.INSPECTOR: "执法人员",
    Role.AUDITOR: "审计员",
}
# Every role that does the platform's work: all but the auditor, who reads the audit log only.
WORKING_ROLES = frozenset(Role) - {Role.AUDITOR}
# Who may read the audit log: the auditor, and the administrator for operations.
AUDIT_READERS = frozenset({Role.AUDITOR, Role.ADMIN})

# Roles whose scope is one enterprise rather than a division.
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_OFFICER})
# Roles that work across the whole district whatever division they are filed under.
DISTRICT_ROLES = frozenset(
    {Role.ADMIN, Role.BUREAU_STAFF, Role.DUTY_OFFICER, Role.DEPARTMENT_OFFICER, Role.INSPECTOR}
)
# Who may maintain the shared registries (each registry may narrow this further).
REGISTRY_WRITERS = frozenset({Role.ADMIN, Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICER})


def parse_role(value: str) -> Role:
    """Return the Role for ``value`` or raise ValueError listing the valid ones."""
    try:
        return Role(value)
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}; valid roles: {valid}") from None


def scope_problem(
    role: Role, division_code: str | None, enterprise_id: int | None, district_code: str
) -> str | None:
    """Return why a role/scope combination is invalid (Chinese), or None if it is valid."""
    if role in ENTERPRISE_ROLES:
        if enterprise_id is None:
            return "企业安全员必须绑定一个企业"
        return None
    if enterprise_id is not None:
        return "只有企业安全员可以绑定企业"
    if role is Role.AUDITOR:
        # No jurisdiction: every scoped read answers nothing; only the audit log is theirs.
        return "审计员不绑定行政区划" if division_code is not None else None
    if division_code is None:
        return None if role in DISTRICT_ROLES else "该角色必须指定所属行政区划"
    if not division_code.startswith(district_code):
        return f"行政区划 {division_code} 不在本区 {district_code} 范围内"
    if role in {Role.TOWNSHIP_OFFICER} and len(division_code) < 9:
        return "镇街工作人员的范围应为镇街或村社"
    if role is Role.GRID_MEMBER and len(division_code) < 12:
        return "网格员的范围应为村社或网格"
    return None


def effective_division(role: Role, division_code: str | None, district_code: str) -> str | None:
    """Return the division a user's queries are limited to (None only for enterprise roles)."""
    if role in ENTERPRISE_ROLES:
        return None
    if role in DISTRICT_ROLES and division_code is None:
        return district_code
    return division_code


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """How strong a password must be (GB/T 22239-2019 8.1.4.1 a, 等保 2.0 三级).

    The standard asks for "complexity" without figures; ten characters from at least two
    classes is the common reading for back-office systems, and deployments may raise both.
    """

    min_length: int = 10
    min_classes: int = 2


def _common_passwords() -> frozenset[str]:
    text = files("yingji.accounts").joinpath("fixtures/common_passwords.txt").read_text("utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


COMMON_PASSWORDS = _common_passwords()


def password_problem(
    password: str, username: str | None = None, policy: PasswordPolicy = PasswordPolicy()
) -> str | None:
    """Return why a password is too weak (Chinese), or None."""
    if len(password) < policy.min_length:
        return f"密码至少 {policy.min_length} 位"
    classes = sum(
        [
            any(c.isdigit() for c in password),
            any(c.isalpha() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < policy.min_classes:
        count = {1: "一", 2: "两", 3: "三"}.get(policy.min_classes, str(policy.min_classes))
        return f"密码应至少包含字母、数字、符号中的{count}类"
    lowered = password.lower()
    # A password built on the account name is the first guess after the common ones.
    if username and len(username) >= 3 and username.lower() in lowered:
        return "密码不能包含用户名"
    if lowered in COMMON_PASSWORDS:
        return "密码过于常见，请换一个"
    return None


def has_role(actor: Actor, roles: Collection[str], *, or_system: bool = False) -> bool:
    """Tell whether ``actor`` holds one of ``roles`` (any system process too if ``or_system``)."""
    # Role is a StrEnum, so a set of Role members and a set of plain role strings both work.
    return (or_system and actor.is_system) or actor.role in roles


def require_role(
    actor: Actor, roles: Collection[str], message: str | None = None, *, or_system: bool = False
) -> None:
    """Raise PermissionDenied (with ``message``, if given) unless ``actor`` holds a role."""
    if not has_role(actor, roles, or_system=or_system):
        raise PermissionDenied(message) if message else PermissionDenied()


def second_factor_required(role: str, required_roles: Collection[str], enrolled: bool) -> bool:
    """Tell whether a sign-in must present a TOTP code (or enrol one first).

    Roles in ``required_roles`` always must (等保 2.0 三级 8.1.4.1 d: administrators); a user of
    any other role who enrolled voluntarily is asked too, so enrolling is never a no-op.
    """
    return enrolled or role in required_roles
