"""The TOTP step of signing in: enter the code, or enrol an authenticator app first.

``/login`` hands over here (``pages.PENDING_SIGN_IN`` in the signed cookie) when the password
was right and a second factor is required (``Settings.totp_required_roles``) or enrolled. The
pending step lasts ``PENDING_SECONDS``; only a right code opens the page session.

A required user with no app yet enrols here, trust on first use: whoever completes it holds
both the password and the new app, and the enrolment is audited. Operators who want no such
window enrol new administrators with ``yingji user enrol-second-factor`` before handing over
the account (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from yingji.accounts import second_factor as totp
from yingji.accounts import service
from yingji.accounts.api import client_address
from yingji.accounts.deps import csrf_ok
from yingji.accounts.models import User
from yingji.accounts.pages import (
    PENDING_SIGN_IN,
    SECOND_FACTOR_PATH,
    form_data,
    render_page,
    safe_next,
    start_page_session,
)
from yingji.accounts.queries import second_factor_of
from yingji.core.actor import system_actor
from yingji.core.web.context import AppContext, get_context

router = APIRouter(include_in_schema=False)

# Five minutes from the password to the code: long enough to open the app, short enough that
# an abandoned half sign-in on a shared screen is not left waiting.
PENDING_SECONDS = 300


def _pending(request: Request, ctx: AppContext) -> dict[str, Any] | None:
    pending = request.session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    age = int(ctx.clock.now().timestamp()) - int(pending.get("at") or 0)
    return pending if 0 <= age <= PENDING_SECONDS else None


def _page(
    request: Request, ctx: AppContext, user_id: int, error: str | None, status: int = 200
) -> Response:
    """Render the code form, with the QR code and the secret while enrolling."""
    context: dict[str, Any] = {"title": "动态验证码", "error": error, "enrol": None}
    with ctx.uow(system_actor("auth")) as uow:
        user = uow.session.get(User, user_id)
        assert user is not None
        factor = second_factor_of(uow.session, user_id)
        if factor is None or factor.confirmed_at is None:
            secret = service.begin_second_factor(uow, user, ctx.settings.secret_key)
            uri = totp.provisioning_uri(secret, user.username, ctx.settings.totp_issuer)
            context["enrol"] = {"qr": totp.qr_svg(uri), "secret": totp.grouped(secret)}
        uow.commit()
    return render_page(request, None, "accounts/second_factor.html", context, status)


@router.get(SECOND_FACTOR_PATH)
def second_factor_form(request: Request, ctx: AppContext = Depends(get_context)) -> Response:
    """Ask for the code (or show the enrolment QR code); back to /login when nothing is due."""
    pending = _pending(request, ctx)
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    return _page(request, ctx, pending["user"], None)


@router.post(SECOND_FACTOR_PATH)
def second_factor_submit(
    request: Request,
    form: FormData = Depends(form_data),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Check the code; on success open the page session and go where the user was going."""
    pending = _pending(request, ctx)
    presented = form.get("csrf_token")
    if pending is None or not csrf_ok(request, presented if isinstance(presented, str) else None):
        request.session.pop(PENDING_SIGN_IN, None)
        return RedirectResponse("/login", status_code=303)
    settings = ctx.settings
    with ctx.uow(system_actor("auth")) as uow:
        user = uow.session.get(User, pending["user"])
        assert user is not None
        result = service.verify_second_factor(
            uow,
            user,
            str(form.get("code") or ""),
            client_address(request),
            key=settings.secret_key,
            max_failures=settings.login_max_failures,
            window_minutes=settings.login_window_minutes,
            client_factor=settings.login_client_failure_factor,
        )
        session_id = None
        if result.user is not None:
            session_id = service.open_session(uow, result.user, client_address(request))
        uow.commit()  # the attempt is recorded whatever the outcome
    if result.error is not None or session_id is None:
        status = result.error.status if result.error else 401
        detail = result.error.detail if result.error else "动态验证码错误"
        return _page(request, ctx, pending["user"], detail, status)
    return start_page_session(request, session_id, safe_next(str(pending.get("next") or "/")))


routers = [router]
