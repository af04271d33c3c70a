"""The records a user account may point at, checked when an account is created.

A user names a division, an enterprise and a department; the owners of those records sit
above accounts, so they contribute a ``UserReference`` to ``USER_REFERENCES`` in their
manifests and account writes check each one without importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yingji.core.extensions import ExtensionPoint


@dataclass(frozen=True, slots=True)
class UserReference:
    """One field of an account that must name an existing record."""

    field: str
    exists: Callable[[Session, object], bool]
    message: str


USER_REFERENCES: ExtensionPoint[UserReference] = ExtensionPoint(
    "accounts.user_references", "Fields of a user account that must name an existing record"
)
