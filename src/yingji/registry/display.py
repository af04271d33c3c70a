"""How registry values read on a page: Chinese labels, local times, lists and child rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from yingji.core.clock import to_local
from yingji.registry.forms import label_of
from yingji.registry.spec import RegistrySpec

EMPTY = "—"
# Shown by the page's own header or location block, not as plain rows.
_HIDDEN = {"id", "division_code", "division_name", "longitude", "latitude", "address"}
_BOOKKEEPING = {"created_at", "updated_at", "retired_at", "retired_reason"}


@dataclass
class Shown:
    """A value ready for a page: plain text, a list of texts, or a table of child rows."""

    label: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numeric: bool = False

    @property
    def kind(self) -> str:
        """Return "table", "list" or "text" (what the template renders)."""
        return "table" if self.headers else ("list" if self.items else "text")


def fmt(spec: RegistrySpec, name: str, value: Any, timezone: str) -> str:
    """Return one scalar value as people read it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum | str):
        return spec.label(name, value)
    if isinstance(value, datetime):
        local = to_local(value, timezone) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, list | tuple):
        return "、".join(fmt(spec, name, v, timezone) for v in value) or EMPTY
    if isinstance(value, Mapping):
        return (
            "；".join(f"{k}：{fmt(spec, str(k), v, timezone)}" for k, v in value.items()) or EMPTY
        )
    if isinstance(value, BaseModel):
        return fmt(spec, name, value.model_dump(), timezone)
    return str(value)


def _child_table(
    spec: RegistrySpec, items: list[Any], timezone: str
) -> tuple[list[str], list[list[str]]]:
    # Child rows (licences, contacts): one column per key, titled from the child schema.
    first = items[0]
    if isinstance(first, BaseModel):
        fields = type(first).model_fields
        keys = list(fields)
        headers = [fields[k].title or k for k in keys]
        dicts = [i.model_dump() if isinstance(i, BaseModel) else dict(i) for i in items]
    else:
        keys = list(dict.fromkeys(k for i in items for k in i))
        headers = [label_of(spec, k, None) for k in keys]
        dicts = [dict(i) for i in items]
    rows = [[fmt(spec, k, d.get(k), timezone) for k in keys] for d in dicts]
    return headers, rows


def shown(spec: RegistrySpec, name: str, label: str, value: Any, timezone: str) -> Shown:
    """Return a value with its label, child rows as a table."""
    if isinstance(value, list) and value and isinstance(value[0], BaseModel | Mapping):
        headers, rows = _child_table(spec, value, timezone)
        return Shown(label, headers=headers, rows=rows)
    numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return Shown(label, text=fmt(spec, name, value, timezone), numeric=numeric)


def _fields(schema: type[BaseModel]) -> dict[str, Any]:
    found: dict[str, Any] = dict(schema.model_fields)
    found.update(schema.model_computed_fields)
    return found


def column_label(spec: RegistrySpec, name: str) -> str:
    """Return the label of a read-schema field (or computed field) of ``spec``."""
    info = _fields(spec.read_schema).get(name)
    title = getattr(info, "title", None)
    return str(title) if title else label_of(spec, name, None)


def map_fields(spec: RegistrySpec) -> dict[str, str]:
    """Return the popup rows of a registry's map layer: ``{GeoJSON property: Chinese label}``.

    The layer's features carry the list fields (``api.geojson_features``), values already
    labelled; the name is the popup's title, and a property kept as a code for painting
    (``geojson_codes``, e.g. a risk point's CSS colour) would read as a raw code, so neither
    is a row.
    """
    return {
        name: column_label(spec, name)
        for name in spec.list_fields
        if name != "name" and name not in spec.geojson_codes and name not in _HIDDEN
    }


def detail_rows(spec: RegistrySpec, record: Any, timezone: str) -> list[Shown]:
    """Return every field of a record for its detail page (location shown separately)."""
    out = []
    names = list(_fields(type(record)))
    # The record's own fields first; bookkeeping (created, updated, retired) last.
    names.sort(key=lambda n: n in _BOOKKEEPING)
    for name in names:
        if name in _HIDDEN:
            continue
        value = getattr(record, name, None)
        if name.startswith("retired") and value is None:
            continue
        out.append(shown(spec, name, column_label(spec, name), value, timezone))
    return out


def list_cells(spec: RegistrySpec, record: Any, timezone: str) -> list[Shown]:
    """Return the list-page cells of a record (its ``list_fields``)."""
    return [
        shown(spec, name, column_label(spec, name), getattr(record, name, None), timezone)
        for name in spec.list_fields
    ]
