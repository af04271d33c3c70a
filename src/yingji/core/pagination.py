"""Pagination: the one list shape every collection answers with."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class PageParams(BaseModel):
    """Which page of a collection to return (1-based)."""

    page: int = Field(default=1, ge=1)
    size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)

    @property
    def offset(self) -> int:
        """Return the number of rows to skip."""
        return (self.page - 1) * self.size


class Page(BaseModel, Generic[T]):
    """A page of a collection: ``{"items": [...], "total": n, "page": p, "size": s}``."""

    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        """Return the number of pages (at least 1)."""
        return max(1, -(-self.total // self.size))
