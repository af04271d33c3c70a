"""Problem details (RFC 9457) for every error the API answers, with field errors for 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from yingji.core.errors import DomainError, FieldError, ValidationFailed
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


# Both engines store ids and counts as signed 64-bit integers; a larger value can name no row.
_INT64_MAX = 2**63 - 1
OUT_OF_RANGE = "数值超出范围（整数须在 ±9223372036854775807 之内）"


def _too_big(text: str) -> bool:
    try:
        return abs(int(text)) > _INT64_MAX
    except ValueError:
        return False


def _walk(value: Any, path: str) -> list[str]:
    # Fields of a JSON body whose integer cannot be stored.
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [path or "body"] if abs(value) > _INT64_MAX else []
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _walk(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _walk(v, f"{path}.{i}" if path else str(i))]
    return []


def out_of_range(request: Request, body: Any = None) -> ValidationFailed:
    """Return the 422 for a value the database cannot hold, naming the fields that hold it.

    The engines refuse such values only when the statement runs (SQLite: ``OverflowError``;
    PostgreSQL: SQLSTATE class 22, "data exception"), after validation has passed, so the
    request's path, query and JSON body are searched for the culprit. The unit of work has
    rolled back by then: nothing was written.
    """
    fields = [k for k, v in request.path_params.items() if _too_big(str(v))]
    fields += [k for k, v in request.query_params.multi_items() if _too_big(v)]
    fields += _walk(body, "")
    errors = [FieldError(f, OUT_OF_RANGE) for f in dict.fromkeys(fields)]
    return ValidationFailed(errors or [FieldError("body", "数据超出字段允许的范围或长度")])


async def request_json(request: Request) -> Any:
    """Return the request's JSON body when it has one that parses, else None."""
    if "json" not in request.headers.get("content-type", ""):
        return None
    try:
        return await request.json()
    except Exception:
        return None
