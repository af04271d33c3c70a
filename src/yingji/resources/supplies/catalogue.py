"""Loader for the GB/T 38565-2020 supply catalogue shipped as ``fixtures/catalogue.yaml``.

Owns reading the fixture and refusing a malformed one (bad codes, levels or parents that
disagree with the code rules), so the rest of the code can trust every entry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import yaml

from yingji.resources.supplies.rules import (
    SUPPLY_LEAF_LEVEL,
    supply_code_level,
    supply_code_parent,
    validate_supply_code,
)

_PACKAGE = "yingji.resources.supplies"
_FIXTURE = ("fixtures", "catalogue.yaml")

CodeSource = Literal["standard", "local"]


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One catalogue row: a category (levels 1-3, no unit) or a 细类 item (level 4, unit)."""

    code: str
    name: str
    level: int
    parent: str | None
    unit: str | None
    # "standard" when GB/T 38565-2020 itself gives the code; "local" when we allocated it.
    code_source: CodeSource


def _entry(row: Any) -> CatalogueEntry:
    if not isinstance(row, dict):
        raise ValueError(f"catalogue.yaml: row {row!r} must be a mapping")
    code = row.get("code")
    # An unquoted code such as 101 would load as an int; the fixture must quote codes.
    if not isinstance(code, str):
        raise ValueError(f"catalogue.yaml: code {code!r} must be a quoted string")
    problem = validate_supply_code(code)
    if problem is not None:
        raise ValueError(f"catalogue.yaml: {code}: {problem}")
    level = supply_code_level(code)
    parent = supply_code_parent(code)
    if row.get("level") != level:
        raise ValueError(f"catalogue.yaml: {code}: level should be {level}")
    if row.get("parent") != parent:
        raise ValueError(f"catalogue.yaml: {code}: parent should be {parent}")
    unit = row.get("unit")
    if (level == SUPPLY_LEAF_LEVEL) != isinstance(unit, str):
        raise ValueError(f"catalogue.yaml: {code}: only level-4 items have (and need) a unit")
    source = row.get("code_source")
    if source not in ("standard", "local"):
        raise ValueError(f"catalogue.yaml: {code}: code_source must be standard or local")
    return CatalogueEntry(
        code=code,
        name=str(row["name"]),
        level=level,
        parent=parent,
        unit=unit if isinstance(unit, str) else None,
        code_source="standard" if source == "standard" else "local",
    )


@functools.cache
def load_catalogue() -> list[CatalogueEntry]:
    """Return every catalogue entry in file order (shared and cached: do not mutate)."""
    path = resources.files(_PACKAGE).joinpath(*_FIXTURE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ValueError("catalogue.yaml: top level must be a mapping with an 'items' list")
    entries = [_entry(row) for row in data["items"]]
    seen: set[str] = set()
    for entry in entries:
        if entry.code in seen:
            raise ValueError(f"catalogue.yaml: {entry.code} appears twice")
        # Parents come first in the file, so a reader can build the tree in one pass.
        if entry.parent is not None and entry.parent not in seen:
            raise ValueError(f"catalogue.yaml: {entry.code}: parent {entry.parent} not above it")
        seen.add(entry.code)
    return entries


@functools.cache
def catalogue_index() -> dict[str, CatalogueEntry]:
    """Return the catalogue entries by code (shared and cached: do not mutate)."""
    return {entry.code: entry for entry in load_catalogue()}


def category_names(code: str) -> list[str]:
    """Return the names of the categories above ``code`` (大类 first) that the catalogue knows."""
    if validate_supply_code(code) is not None:
        return []
    index = catalogue_index()
    chain: list[str] = []
    parent = supply_code_parent(code)
    while parent is not None:
        chain.append(parent)
        parent = supply_code_parent(parent)
    # A locally allocated code may sit under a category the fixture lacks: skip that level.
    return [index[c].name for c in reversed(chain) if c in index]
