"""One-time messages shown on the next page (after a redirect), kept in the session."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

_KEY = "_flash"


def flash(request: Request, message: str, category: str = "success") -> None:
    """Queue ``message`` for the next rendered page (category: success, warning, error)."""
    queued: list[Any] = list(request.session.get(_KEY, []))
    queued.append([category, message])
    request.session[_KEY] = queued


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    """Return and forget the queued messages as (category, message)."""
    if "session" not in request.scope:
        return []
    queued = request.session.pop(_KEY, None) or []
    return [(str(c), str(m)) for c, m in queued]
