"""Problem details (RFC 9457) for every error the API answers, with field errors for 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from yingji.core.errors import DomainError
from yingji.core.messages import pydantic_reason

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    instance: str,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """Return a problem+json response."""
    body: dict[str, Any] = {
        "type": f"https://yingji.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    # Drop the transport part ("body", "query") so the field reads like the payload key.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def domain_problem(request: Request, exc: DomainError) -> JSONResponse:
    """Return the problem+json answer for a domain error (422 lists the field errors)."""
    errors = [e.as_dict() for e in exc.errors] if exc.status == 422 else None
    return problem(exc.status, exc.title, exc.detail, exc.code, request.url.path, errors)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer domain errors, validation errors and HTTP errors as problem+json."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field_path(err.get("loc", ())),
                "reason": pydantic_reason(err),
                "type": err.get("type", ""),
            }
            for err in exc.errors()
        ]
        return problem(
            422,
            "数据校验失败",
            "提交的数据未通过校验",
            "validation_failed",
            request.url.path,
            errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {401: "未登录", 403: "无权限", 404: "未找到", 405: "方法不允许"}
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "请求错误"),
            str(exc.detail),
            f"http_{exc.status_code}",
            request.url.path,
        )
