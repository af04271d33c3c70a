"""Account pages: sign in and out, and the page context every signed-in page shares.

``render_page`` is what other domains' pages call: it adds the user's name and role, the
CSRF token and the menu for their role to core's ``render``. ``install_error_page`` makes
page-level domain errors (404, 403 ...) answer with the layout instead of plain text.
"""

from __future__ import annotations

import inspect
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from yingji.accounts import service
from yingji.accounts.api import client_address
from yingji.accounts.audit_log import AuditFilters, page_audit
from yingji.accounts.deps import (
    SESSION_CSRF,
    SESSION_ID,
    csrf_ok,
    csrf_token,
    page_actor,
    session_user,
)
from yingji.accounts.queries import actor_for
from yingji.accounts.rules import ROLE_LABELS, Role
from yingji.core.actor import Actor, system_actor
from yingji.core.errors import DomainError, PermissionDenied
from yingji.core.pagination import PageParams
from yingji.core.web.context import AppContext, get_context
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.core.web.templates import render

router = APIRouter(include_in_schema=False)

# Where the TOTP step of a sign-in lives, and the session key that carries who is half-way.
SECOND_FACTOR_PATH = "/login/second-factor"
PENDING_SIGN_IN = "pending_sign_in"


def _user_info(request: Request, actor: Actor) -> dict[str, str]:
    role = Role(actor.role)
    name = getattr(request.state, "user_display", None) or actor.username
    return {"name": str(name), "role": role.value, "role_label": ROLE_LABELS[role]}


def render_page(
    request: Request,
    actor: Actor | None,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """Render a page for ``actor`` (None: signed out) with user, CSRF token and menu."""
    page: dict[str, Any] = {"csrf_token": csrf_token(request), "user": None, "actor": actor}
    if actor is not None:
        page["user"] = _user_info(request, actor)
    page.update(context or {})
    return render(request, template, page, status, role=actor.role if actor else None)


async def form_data(request: Request) -> FormData:
    """Return the posted form (FastAPI dependency; lets sync handlers read it)."""
    return await request.form()


async def checked_form(request: Request) -> FormData:
    """Return the posted form after checking its ``csrf_token`` field against the session."""
    form = await request.form()
    presented = form.get("csrf_token")
    if not csrf_ok(request, presented if isinstance(presented, str) else None):
        raise PermissionDenied("表单已过期或 CSRF 令牌错误，请刷新页面后重试")
    return form


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else "/" (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\r\n\t\\") or "://" in target.split("?", 1)[0]:
        return "/"
    return target


def _login_page(
    request: Request, next_url: str, error: str | None, status: int, username: str = ""
) -> Response:
    context = {"title": "登录", "next": next_url, "error": error, "username": username}
    return render_page(request, None, "accounts/login.html", context, status)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """Show the sign-in form (its CSRF token lives in the session before sign-in)."""
    return _login_page(request, safe_next(next), None, 200)


@router.post("/login")
def login(
    request: Request,
    form: FormData = Depends(form_data),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Sign in: check the CSRF token, throttle, then rotate the session."""
    next_url = safe_next(str(form.get("next") or "/"))
    presented = form.get("csrf_token")
    if not csrf_ok(request, presented if isinstance(presented, str) else None):
        return _login_page(request, next_url, "页面已过期，请重新登录", 403)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    settings = ctx.settings
    with ctx.uow(system_actor("auth")) as uow:
        result = service.authenticate(
            uow,
            username,
            password,
            client_address(request),
            max_failures=settings.login_max_failures,
            window_minutes=settings.login_window_minutes,
            client_factor=settings.login_client_failure_factor,
            second_factor_roles=settings.totp_required_roles,
        )
        session_id: str | None = None
        if result.user is not None and not result.second_factor:
            session_id = service.open_session(uow, result.user, client_address(request))
        uow.commit()  # the attempt is recorded whatever the outcome
    if result.user is not None and result.second_factor:
        # The password step passed: remember who (signed cookie, no session yet) and ask
        # for the TOTP code; a fresh cookie, so nothing planted before survives.
        request.session.clear()
        request.session[PENDING_SIGN_IN] = {
            "user": result.user.id,
            "at": int(ctx.clock.now().timestamp()),
            "next": next_url,
        }
        request.session[SESSION_CSRF] = secrets.token_urlsafe(24)
        return RedirectResponse(SECOND_FACTOR_PATH, status_code=303)
    if result.error is not None or session_id is None:
        error = result.error.detail if result.error else "用户名或密码错误"
        status = result.error.status if result.error else 401
        return _login_page(request, next_url, error, status, username)
    return start_page_session(request, session_id, next_url)


def start_page_session(request: Request, session_id: str, next_url: str) -> Response:
    """Bind a freshly opened page session to a fresh cookie and go to ``next_url``."""
    # A fresh session on sign-in: nothing set before it (a planted id) survives.
    request.session.clear()
    request.session[SESSION_ID] = session_id
    request.session[SESSION_CSRF] = secrets.token_urlsafe(24)
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout")
def logout(
    request: Request,
    _form: FormData = Depends(checked_form),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Sign out: end the server-side session (a copied cookie dies too), then forget it."""
    token = request.session.get(SESSION_ID)
    if isinstance(token, str) and token:
        with ctx.uow(system_actor("auth")) as uow:
            service.close_session(uow, token)
            uow.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def optional_actor(request: Request) -> Actor | None:
    """Return the signed-in actor of a page request, or None (error pages)."""
    ctx: AppContext = request.app.state.ctx
    user = session_user(request, ctx)
    if user is None:
        return None
    request.state.user_display = user.display_name
    return actor_for(user, ctx.settings.district_code)


def render_error(request: Request, exc: DomainError) -> Response:
    """Render a domain error (404, 403, 409, 422 ...) as a page with the layout."""
    context = {"title": exc.title, "error": exc}
    return render_page(request, optional_actor(request), "error.html", context, exc.status)


_HTTP_TITLES = {404: ("未找到", "页面不存在"), 405: ("方法不允许", "不支持此操作")}


def install_error_page(app: FastAPI) -> None:
    """Answer page-level errors with the error page; the API keeps problem+json.

    Domain errors reach ``render_error`` through bootstrap; an unknown page URL (404) or
    method (405) is caught here, falling back to the API's handler for /api/ and /static/.
    """
    app.state.render_error = render_error
    api_handler = app.exception_handlers.get(StarletteHTTPException)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path
        titles = _HTTP_TITLES.get(exc.status_code)
        if titles is None or path.startswith(("/api/", "/static/")):
            if api_handler is None:
                return Response(str(exc.detail), status_code=exc.status_code)
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        title, detail = titles
        error = DomainError(detail=detail, status=exc.status_code, title=title)
        return await run_in_threadpool(render_error, request, error)

    app.add_exception_handler(StarletteHTTPException, http_error)


AUDIT_LOG = "/audit-log"


def audit_log_page(
    request: Request,
    filters: Annotated[AuditFilters, Query()],
    params: Annotated[PageParams, Depends()],
    actor: Actor = Depends(page_actor),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """The audit log for the auditor: filters, the entries newest first, their seal."""
    with ctx.session_factory() as session:
        page = page_audit(session, actor, filters, params)
    query = {k: v for k, v in filters.model_dump(mode="json").items() if v}
    return render_page(
        request,
        actor,
        "accounts/audit_log.html",
        {"title": "审计日志", "page": page, "filters": filters, "query": urlencode(query)},
    )


router.add_api_route(
    AUDIT_LOG,
    mark_nav(
        audit_log_page,
        NavEntry("services", "审计日志", AUDIT_LOG, frozenset({"auditor", "admin"})),
    ),
    methods=["GET"],
)

routers = [router]
