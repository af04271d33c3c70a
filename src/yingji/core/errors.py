"""Domain errors: raised by services and queries, turned into problem+json at the web edge.

Each carries an HTTP status so the edge needs no knowledge of the domain, and a Chinese
message for people (the ``detail``) next to stable machine fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rejected field: where (a dotted path or sheet/row/column) and why."""

    field: str
    reason: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the error as a JSON-ready dict without empty locators."""
        out: dict[str, object] = {"field": self.field, "reason": self.reason}
        for key in ("sheet", "row", "column"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass
class DomainError(Exception):
    """Base of every expected failure; ``status`` is the HTTP status the edge answers."""

    detail: str
    status: int = 400
    code: str = "domain_error"
    title: str = "请求无法处理"
    errors: list[FieldError] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.detail)


class NotFound(DomainError):
    """The record does not exist, or it is outside the actor's jurisdiction (same answer)."""

    def __init__(self, detail: str = "记录不存在") -> None:
        super().__init__(detail=detail, status=404, code="not_found", title="未找到")


class PermissionDenied(DomainError):
    """The actor may see the record but not do this to it."""

    def __init__(self, detail: str = "无权执行此操作") -> None:
        super().__init__(detail=detail, status=403, code="forbidden", title="无权限")


class Conflict(DomainError):
    """The request clashes with the current state (illegal transition, duplicate key)."""

    def __init__(self, detail: str, code: str = "conflict") -> None:
        super().__init__(detail=detail, status=409, code=code, title="状态冲突")


class ValidationFailed(DomainError):
    """Input broke a business rule; ``errors`` names each field and the reason."""

    def __init__(self, errors: list[FieldError], detail: str = "提交的数据未通过校验") -> None:
        super().__init__(
            detail=detail,
            status=422,
            code="validation_failed",
            title="数据校验失败",
            errors=errors,
        )


class Unauthenticated(DomainError):
    """No valid credentials were presented."""

    def __init__(self, detail: str = "请先登录") -> None:
        super().__init__(detail=detail, status=401, code="unauthenticated", title="未登录")


class TooManyAttempts(DomainError):
    """Login throttling: too many failures in the window."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, status=429, code="too_many_attempts", title="尝试过多")


def invalid(field_name: str, reason: str) -> ValidationFailed:
    """Return a ValidationFailed for a single field."""
    return ValidationFailed([FieldError(field_name, reason)])
