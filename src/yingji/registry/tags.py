"""Free-text label lists (specialties, fields of expertise, facilities): cleaning and filtering.

Registries offer a suggested list but accept any label, so the same label must not appear
twice or with stray spaces. Lists are stored as JSON; ``json_list_contains`` is the one
portable "list holds this label" filter: JSON containment on PostgreSQL, ``json_each`` on
SQLite — never a LIKE on the JSON text, whose escaping depends on the serializer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator
from sqlalchemy import Boolean, ColumnElement, String, literal
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

MAX_TAG_LENGTH = 50
MAX_TAGS = 50


def clean_tags(values: Iterable[str]) -> list[str]:
    """Return the labels trimmed, without blanks or repeats, in first-seen order."""
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _checked(values: list[str]) -> list[str]:
    cleaned = clean_tags(values)
    too_long = [v for v in cleaned if len(v) > MAX_TAG_LENGTH]
    if too_long:
        raise ValueError(f"每项不超过 {MAX_TAG_LENGTH} 个字符：{too_long[0]}")
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"最多 {MAX_TAGS} 项")
    return cleaned


def _checked_required(values: list[str]) -> list[str]:
    cleaned = _checked(values)
    if not cleaned:
        raise ValueError("至少填写一项")
    return cleaned


# A list of labels as the API accepts it: trimmed and de-duplicated on the way in.
TagList = Annotated[list[str], AfterValidator(_checked)]
# The same, with at least one label.
RequiredTagList = Annotated[list[str], AfterValidator(_checked_required)]


class _ListContains(FunctionElement[bool]):
    # Arguments: the JSON column, the label, and the label as a one-item JSON array.
    type = Boolean()
    inherit_cache = True
    name = "json_list_contains"


def json_list_contains(column: Any, label: str) -> ColumnElement[bool]:
    """Return the clause "the JSON list in ``column`` holds ``label``" (SQLite, PostgreSQL)."""
    label = label.strip()
    return _ListContains(column, literal(label, String()), literal(json.dumps([label]), String()))


@compiles(_ListContains, "postgresql")
def _contains_postgresql(element: _ListContains, compiler: SQLCompiler, **kw: Any) -> str:
    column, _label, as_array = list(element.clauses)
    return (
        f"(CAST({compiler.process(column, **kw)} AS JSONB) "
        f"@> CAST({compiler.process(as_array, **kw)} AS JSONB))"
    )


@compiles(_ListContains, "sqlite")
def _contains_sqlite(element: _ListContains, compiler: SQLCompiler, **kw: Any) -> str:
    column, label, _as_array = list(element.clauses)
    # Both parts are compiled SQL (a column and a bound parameter), never user text.
    source, value = compiler.process(column, **kw), compiler.process(label, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({source}) WHERE json_each.value = {value})"  # noqa: S608


@compiles(_ListContains)
def _contains_other(element: _ListContains, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"json_list_contains is not implemented for {compiler.dialect.name}")
