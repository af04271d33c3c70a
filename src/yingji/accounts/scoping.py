"""Jurisdiction scoping: the one filter every query applies for the acting user.

A division scope covers that division and everything below it (codes nest by prefix:
district 6 → township 9 → village 12 → grid 15 digits). An enterprise officer's scope is
exactly one enterprise; records that belong to no enterprise are outside it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, true

from yingji.core.actor import Actor


def scope_clause(
    actor: Actor,
    division_column: Any | None,
    enterprise_column: Any | None = None,
) -> ColumnElement[bool]:
    """Return the WHERE clause limiting rows to what ``actor`` may see."""
    if actor.enterprise_id is not None:
        if enterprise_column is None:
            return false()
        return enterprise_column == actor.enterprise_id  # type: ignore[no-any-return]
    if actor.division_code is None:
        # Only system processes (seeds, jobs) act without a division.
        return true() if actor.is_system else false()
    if division_column is None:
        return true()
    return division_column.startswith(actor.division_code, autoescape=True)  # type: ignore[no-any-return]


def division_filter(division_column: Any, division_code: str | None) -> ColumnElement[bool]:
    """Return the clause for ``?division_code=``: that division and everything below it."""
    if not division_code:
        return true()
    return division_column.startswith(division_code, autoescape=True)  # type: ignore[no-any-return]


def covers_division(actor: Actor, division_code: str | None) -> bool:
    """Tell whether ``division_code`` lies inside the actor's jurisdiction."""
    if actor.enterprise_id is not None:
        return False
    if actor.division_code is None:
        return actor.is_system
    return division_code is not None and division_code.startswith(actor.division_code)


def overlaps_division(actor: Actor, division_code: str) -> bool:
    """Tell whether a record of ``division_code`` concerns the actor's jurisdiction.

    True when either lies inside the other: a township officer is concerned by the district's
    plan or warning they act under, and the bureau by every township's. Enterprise officers
    have no division and are never concerned by a division's record.
    """
    if actor.enterprise_id is not None:
        return False
    if actor.division_code is None:
        return actor.is_system
    return division_code.startswith(actor.division_code) or actor.division_code.startswith(
        division_code
    )
