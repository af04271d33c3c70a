"""FastAPI dependencies that turn a request into the acting user.

The API accepts a bearer token (``POST /api/v1/auth/token``) or, for the pages' own calls,
the session cookie — with the CSRF header on unsafe methods, so a cookie alone never
authorises a write.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from yingji.accounts import service
from yingji.accounts.models import User
from yingji.accounts.queries import actor_for, find_page_session, find_user_by_token
from yingji.core.actor import Actor, system_actor
from yingji.core.errors import PermissionDenied, Unauthenticated
from yingji.core.web.context import AppContext, get_context

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_ID = "sid"
SESSION_CSRF = "csrf"
# A session's last use is written at most this often: every request would be a write.
TOUCH_EVERY = timedelta(minutes=1)


def csrf_token(request: Request) -> str:
    """Return this session's CSRF token, creating it on first use."""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_CSRF] = token
    return str(token)


def csrf_ok(request: Request, presented: str | None) -> bool:
    """Tell whether ``presented`` matches the session's CSRF token (constant time)."""
    expected = request.session.get(SESSION_CSRF)
    return bool(expected and presented and hmac.compare_digest(str(expected), presented))


def session_user(request: Request, ctx: AppContext) -> User | None:
    """Return the active user of the request's live page session, or None.

    The cookie carries a random session id only; the server-side row decides whether it is
    still live (not signed out, not idle, not too old).
    """
    if "session" not in request.scope:
        return None
    token = request.session.get(SESSION_ID)
    if not token or not isinstance(token, str):
        return None
    settings = ctx.settings
    now = ctx.clock.now()
    with ctx.session_factory() as session:
        found = find_page_session(
            session,
            token,
            now,
            idle_minutes=settings.session_idle_minutes,
            max_hours=settings.session_max_hours,
        )
        if found is None:
            return None
        page, user = found
        stale = now - page.last_seen_at >= TOUCH_EVERY
        page_id = page.id
    if stale:
        with ctx.uow(system_actor("session")) as uow:
            service.touch_session(uow, page_id)
            uow.commit()
    return user


def api_actor(
    request: Request,
    token: str | None = Depends(oauth2_scheme),
    ctx: AppContext = Depends(get_context),
) -> Actor:
    """Return the actor of an API request (bearer token, or session cookie + CSRF)."""
    district = ctx.settings.district_code
    if token:
        with ctx.session_factory() as session:
            user = find_user_by_token(session, token, ctx.clock.now())
        if user is None:
            raise Unauthenticated("令牌无效或已过期")
        return actor_for(user, district)
    user = session_user(request, ctx)
    if user is None:
        raise Unauthenticated()
    if request.method not in SAFE_METHODS and not csrf_ok(
        request, request.headers.get("X-CSRF-Token")
    ):
        raise PermissionDenied("缺少或错误的 CSRF 令牌")
    return actor_for(user, district)


def page_actor(request: Request, ctx: AppContext = Depends(get_context)) -> Actor:
    """Return the actor of a page request (session cookie); 401 sends pages to login."""
    user = session_user(request, ctx)
    if user is None:
        raise Unauthenticated()
    request.state.user_display = user.display_name
    return actor_for(user, ctx.settings.district_code)


async def verify_form_csrf(request: Request) -> None:
    """Refuse a form post whose ``csrf_token`` field does not match the session."""
    form: Any = await request.form()
    if not csrf_ok(request, form.get("csrf_token")):
        raise PermissionDenied("表单已过期或 CSRF 令牌错误，请刷新页面后重试")
