"""Server-rendered pages: one Jinja2 environment over every domain's ``templates/`` folder.

Core's own templates (``base.html``, ``error.html``, ``macros.html``) are found by bare name;
a domain registers its folder under a prefix (``register_templates("registry",
"yingji.registry")`` → ``registry/list.html``), so core names no domain. ``render`` adds
what every page needs: static URLs, the district, flash messages and the menu. Who the user
is comes from the caller (accounts), which core may not import.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    pass_context,
    select_autoescape,
)
from starlette.requests import Request

from yingji.core.clock import format_local
from yingji.core.web import display
from yingji.core.web.flash import pop_flashes
from yingji.core.web.nav import build_nav, nav_entries
from yingji.settings import DEFAULT_TIMEZONE

_prefixes: dict[str, BaseLoader] = {}
_env = Environment(
    loader=ChoiceLoader([PackageLoader("yingji.core.web", "templates"), PrefixLoader(_prefixes)]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def register_templates(prefix: str, package: str) -> None:
    """Serve ``package``'s ``templates/`` folder as ``<prefix>/<name>`` (idempotent)."""
    if prefix not in _prefixes:
        _prefixes[prefix] = PackageLoader(package, "templates")


def environment() -> Environment:
    """Return the shared Jinja2 environment (filters and globals may be added to it)."""
    return _env


@lru_cache(maxsize=256)
def _digest(path: str) -> str:
    target = files("yingji.core.web") / "static" / path
    try:
        return hashlib.sha256(target.read_bytes()).hexdigest()[:10]
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return ""


def static_url(path: str) -> str:
    """Return the URL of a static file with a content hash, so browsers refetch on change."""
    digest = _digest(path)
    return f"/static/{path}?v={digest}" if digest else f"/static/{path}"


_env.globals["static_url"] = static_url


@pass_context
def localtime(context: Any, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format an aware datetime in the district's time zone (settings.timezone) for display."""
    if value is None:
        return ""
    request = context.get("request")
    timezone = request.app.state.ctx.settings.timezone if request is not None else DEFAULT_TIMEZONE
    return format_local(value, timezone, fmt)


_env.filters["localtime"] = localtime
display.install(_env)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    *,
    role: str | None = None,
) -> HTMLResponse:
    """Render ``template`` with the layout's context; ``role`` decides the menu shown."""
    settings = request.app.state.ctx.settings
    page: dict[str, Any] = {
        "request": request,
        "district": settings.district_short_name,
        "flashes": pop_flashes(request),
        "nav": build_nav(nav_entries(request.app.routes), role, request.url.path),
        "path": request.url.path,
    }
    page.update(context or {})
    html = _env.get_template(template).render(page)
    return HTMLResponse(html, status_code=status)
