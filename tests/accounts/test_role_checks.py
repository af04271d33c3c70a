"""The one role check: Role members and plain strings alike, system processes on request."""

from __future__ import annotations

import pytest

from yingji.accounts.rules import Role, has_role, require_role
from yingji.core.actor import Actor, system_actor
from yingji.core.errors import PermissionDenied

TOWN = Actor(user_id=3, username="town_a", role="township_officer")
SYSTEM = system_actor("job")  # role "admin", no user id


def test_membership_works_for_enum_and_string_sets() -> None:
    assert has_role(TOWN, frozenset({Role.TOWNSHIP_OFFICER}))
    assert has_role(TOWN, {"township_officer", "admin"})
    assert not has_role(TOWN, {Role.BUREAU_STAFF})


def test_system_processes_pass_only_when_asked() -> None:
    assert not has_role(SYSTEM, {Role.BUREAU_STAFF})
    assert has_role(SYSTEM, {Role.BUREAU_STAFF}, or_system=True)
    assert not has_role(TOWN, {Role.BUREAU_STAFF}, or_system=True)


def test_require_role_raises_permission_denied_with_the_message() -> None:
    require_role(TOWN, {Role.TOWNSHIP_OFFICER}, "不会触发")
    with pytest.raises(PermissionDenied) as caught:
        require_role(TOWN, {Role.ADMIN}, "只有管理员可以")
    assert caught.value.detail == "只有管理员可以"
    with pytest.raises(PermissionDenied) as default:
        require_role(TOWN, {Role.ADMIN})
    assert default.value.detail == PermissionDenied().detail
