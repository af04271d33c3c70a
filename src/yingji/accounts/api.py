"""Account API: bearer tokens (OAuth2 password flow), the current user, user admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session

from yingji.accounts import queries, service
from yingji.accounts.audit_log import AuditEntryRead, AuditFilters, page_audit
from yingji.accounts.deps import api_actor, oauth2_scheme
from yingji.accounts.models import User
from yingji.accounts.references import USER_REFERENCES
from yingji.accounts.rules import Role, require_role
from yingji.accounts.schemas import DepartmentRead, TokenRead, UserCreate, UserRead
from yingji.core.actor import Actor
from yingji.core.errors import PermissionDenied, Unauthenticated
from yingji.core.pagination import Page, PageParams
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext, get_context, read_session

router = APIRouter(prefix="/api/v1", tags=["账户"])


def client_address(request: Request) -> str:
    """Return the client address used for login throttling."""
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=TokenRead, summary="获取访问令牌 (OAuth2 password)")
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    totp: Annotated[
        str | None,
        Form(max_length=16, description="动态验证码（须双因素认证的账户，如管理员）"),
    ] = None,
    ctx: AppContext = Depends(get_context),
) -> TokenRead:
    """Exchange username and password (and a TOTP code where required) for a bearer token.

    Accounts that need a second factor (``Settings.totp_required_roles``, or enrolled) send
    the current code of their authenticator app in ``totp``; one that has not enrolled yet
    does so at its first sign-in on the web pages.
    """
    from yingji.core.actor import system_actor

    settings = ctx.settings
    limits = {
        "max_failures": settings.login_max_failures,
        "window_minutes": settings.login_window_minutes,
        "client_factor": settings.login_client_failure_factor,
    }
    client = client_address(request)
    with ctx.uow(system_actor("auth")) as uow:
        result = service.authenticate(
            uow,
            form.username,
            form.password,
            client,
            second_factor_roles=settings.totp_required_roles,
            **limits,
        )
        if result.user is not None and result.second_factor:
            result = _second_factor(uow, result.user, totp, client, settings.secret_key, limits)
        token: str | None = None
        expires = 0
        if result.user is not None:
            token, expires = service.issue_token(uow, result.user, settings.api_token_hours)
        uow.commit()  # the attempt is recorded whatever the outcome
    result.user_or_raise()
    assert token is not None
    return TokenRead(access_token=token, expires_in=expires)


def _second_factor(
    uow: UnitOfWork,
    user: User,
    code: str | None,
    client: str,
    key: str,
    limits: dict[str, int],
) -> service.LoginResult:
    """The TOTP step of the token flow: enrolled and a code given, else a clear refusal."""
    factor = queries.second_factor_of(uow.session, user.id)
    if factor is None or factor.confirmed_at is None:
        refusal = PermissionDenied("此账户须使用动态验证码：请先在网页登录时绑定身份验证器应用")
        return service.LoginResult(None, refusal)
    if not code:
        return service.LoginResult(None, Unauthenticated("此账户须提供动态验证码（totp 字段）"))
    return service.verify_second_factor(uow, user, code, client, key=key, **limits)


@router.get("/me", response_model=UserRead, summary="当前用户")
def me(actor: Actor = Depends(api_actor), session: Session = Depends(read_session)) -> UserRead:
    """Return the signed-in user."""
    assert actor.user_id is not None
    return queries.to_read(queries.get_user(session, actor.user_id))


@router.get("/users", response_model=list[UserRead], summary="用户列表（管理员）")
def list_users(
    actor: Actor = Depends(api_actor), session: Session = Depends(read_session)
) -> list[UserRead]:
    """List users (administrators only)."""
    require_role(actor, {Role.ADMIN})
    return [queries.to_read(u) for u in queries.list_users(session)]


@router.post("/users", response_model=UserRead, status_code=201, summary="新建用户（管理员）")
def create_user(
    body: UserCreate, actor: Actor = Depends(api_actor), ctx: AppContext = Depends(get_context)
) -> UserRead:
    """Create a user (administrators only)."""
    require_role(actor, {Role.ADMIN})
    with ctx.uow(actor) as uow:
        user = service.create_user(
            uow,
            body,
            district_code=ctx.settings.district_code,
            references=ctx.extensions.get(USER_REFERENCES),
            policy=service.password_policy(ctx.settings),
        )
        uow.commit()
    return queries.to_read(user)


@router.post(
    "/auth/revoke", status_code=204, response_class=Response, summary="吊销访问令牌 (RFC 7009)"
)
def revoke_token(
    actor: Actor = Depends(api_actor),
    bearer: str | None = Depends(oauth2_scheme),
    token: Annotated[
        str | None, Form(description="要吊销的令牌；省略时吊销本次请求所用令牌")
    ] = None,
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Revoke one of the caller's own tokens (the one presented, by default).

    As RFC 7009 §2.2 asks, an unknown or already revoked token is no error: the answer is
    204 either way, so the endpoint tells nobody which tokens exist.
    """
    assert actor.user_id is not None
    target = token or bearer
    if target:
        with ctx.uow(actor) as uow:
            service.revoke_token(uow, target, actor.user_id)
            uow.commit()
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/revoke",
    status_code=204,
    response_class=Response,
    summary="注销用户全部会话与令牌（管理员）",
)
def revoke_user_access(
    user_id: int, actor: Actor = Depends(api_actor), ctx: AppContext = Depends(get_context)
) -> Response:
    """End every page session and token of a user (administrators only)."""
    require_role(actor, {Role.ADMIN})
    with ctx.uow(actor) as uow:
        queries.get_user(uow.session, user_id)
        service.revoke_user_access(uow, user_id)
        uow.commit()
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/unlock",
    status_code=204,
    response_class=Response,
    summary="解除登录锁定（管理员）",
)
def unlock_user(
    user_id: int, actor: Actor = Depends(api_actor), ctx: AppContext = Depends(get_context)
) -> Response:
    """Let a user locked out by failed sign-ins try again at once (administrators only)."""
    require_role(actor, {Role.ADMIN})
    with ctx.uow(actor) as uow:
        service.unlock_user(uow, queries.get_user(uow.session, user_id))
        uow.commit()
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/second-factor/reset",
    status_code=204,
    response_class=Response,
    summary="重置动态验证码（管理员）",
)
def reset_second_factor(
    user_id: int, actor: Actor = Depends(api_actor), ctx: AppContext = Depends(get_context)
) -> Response:
    """Remove a user's TOTP app (a lost phone) and end their sessions (administrators only).

    The user enrols a new app at the next sign-in. An administrator cannot reset their own:
    that would let a stolen session drop the factor it was meant to protect.
    """
    require_role(actor, {Role.ADMIN})
    if actor.user_id == user_id:
        raise PermissionDenied("不能重置自己的动态验证码，请由另一名管理员操作")
    with ctx.uow(actor) as uow:
        service.reset_second_factor(uow, queries.get_user(uow.session, user_id))
        uow.commit()
    return Response(status_code=204)


@router.get("/audit-log", response_model=Page[AuditEntryRead], summary="审计日志（审计员）")
def audit_log(
    filters: Annotated[AuditFilters, Query()],
    params: Annotated[PageParams, Depends()],
    actor: Actor = Depends(api_actor),
    session: Session = Depends(read_session),
) -> Page[AuditEntryRead]:
    """Page through the audit log, newest first (auditor and administrator only)."""
    return page_audit(session, actor, filters, params)


@router.get("/departments", response_model=list[DepartmentRead], summary="部门列表")
def list_departments(
    _actor: Actor = Depends(api_actor), session: Session = Depends(read_session)
) -> list[DepartmentRead]:
    """List departments (reference data every signed-in user may read, e.g. for forms)."""
    return [
        DepartmentRead.model_validate(d, from_attributes=True)
        for d in queries.list_departments(session)
    ]
