"""Loader for the GB 18218-2018 tables shipped as ``fixtures/gb18218.yaml``.

Owns reading and shape-checking the fixture; ``rules.py`` takes the loaded tables as an
argument so it stays pure. Every quantity and coefficient is an exact ``Decimal``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

_PACKAGE = "yingji.risks.major_hazards"
_FIXTURE = ("fixtures", "gb18218.yaml")


@dataclass(frozen=True, slots=True)
class NamedSubstance:
    """One row of Table 1: a named hazardous chemical and its threshold quantity Q (t)."""

    row: int
    name: str
    aliases: tuple[str, ...]
    cas: tuple[str, ...]
    threshold: Decimal
    # Our extra search keys (not the standard's): see the fixture header.
    lookup_names: tuple[str, ...] = ()
    lookup_cas: tuple[str, ...] = ()
    # Our default Table 2 symbol for β (Table 4) when the row is not in Table 3: from the
    # chemical's GHS classes in 《危险化学品目录》(2015); a category typed overrides it.
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """One row of Table 2 (hazard category, Q) with its Table 4 β."""

    code: str
    hazard_class: str
    description: str
    threshold: Decimal
    beta: Decimal


@dataclass(frozen=True, slots=True)
class ToxicGas:
    """One column of Table 3: a named toxic gas, the Table 1 row it is, and its β."""

    name: str
    row: int
    beta: Decimal


@dataclass(frozen=True, slots=True)
class Tables:
    """GB 18218-2018 Tables 1-6 as loaded from the fixture."""

    version: str
    named: tuple[NamedSubstance, ...]
    categories: dict[str, Category]
    toxic_gases: tuple[ToxicGas, ...]
    # Table 5: (minimum people, inclusive; α), highest band first.
    alpha_bands: tuple[tuple[int, Decimal], ...]
    # Table 6: (minimum R, inclusive; grade), highest band first.
    grade_bands: tuple[tuple[Decimal, int], ...]

    def beta_by_row(self) -> dict[int, Decimal]:
        """Return the Table 3 β keyed by Table 1 row number."""
        return {gas.row: gas.beta for gas in self.toxic_gases}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or []))


def _named(raw: dict[str, Any]) -> NamedSubstance:
    return NamedSubstance(
        row=int(raw["row"]),
        name=str(raw["name"]),
        aliases=_strings(raw.get("aliases")),
        cas=_strings(raw.get("cas")),
        threshold=Decimal(str(raw["q"])),
        lookup_names=_strings(raw.get("lookup_names")),
        lookup_cas=_strings(raw.get("lookup_cas")),
        category=str(raw["category"]) if raw.get("category") else None,
    )


def _category(raw: dict[str, Any]) -> Category:
    return Category(
        code=str(raw["code"]),
        hazard_class=str(raw["hazard_class"]),
        description=str(raw["description"]),
        threshold=Decimal(str(raw["q"])),
        beta=Decimal(str(raw["beta"])),
    )


def parse_tables(data: dict[str, Any]) -> Tables:
    """Build the tables from the fixture's parsed YAML (refuses a malformed file)."""
    for key in ("table1", "table2", "table3", "table5", "table6"):
        if not isinstance(data.get(key), list):
            raise ValueError(f"gb18218.yaml: '{key}' must be a list")
    alpha = sorted(
        ((int(b["min_people"]), Decimal(str(b["alpha"]))) for b in data["table5"]),
        reverse=True,
    )
    grades = sorted(
        ((Decimal(str(b["min_r"])), int(b["grade"])) for b in data["table6"]), reverse=True
    )
    if alpha[-1][0] != 0 or grades[-1][0] != 0:
        raise ValueError("gb18218.yaml: the lowest α and grade bands must start at 0")
    codes = {str(r["code"]) for r in data["table2"]}
    unknown = [r["row"] for r in data["table1"] if r.get("category") and r["category"] not in codes]
    if unknown:
        raise ValueError(f"gb18218.yaml: table1 rows {unknown} name a category not in table2")
    return Tables(
        version=str(data.get("version", "GB 18218-2018")),
        named=tuple(_named(r) for r in data["table1"]),
        categories={c.code: c for c in (_category(r) for r in data["table2"])},
        toxic_gases=tuple(
            ToxicGas(name=str(g["name"]), row=int(g["row"]), beta=Decimal(str(g["beta"])))
            for g in data["table3"]
        ),
        alpha_bands=tuple(alpha),
        grade_bands=tuple(grades),
    )


@functools.cache
def load_tables() -> Tables:
    """Return the shipped GB 18218-2018 tables (shared and cached: do not mutate)."""
    path = resources.files(_PACKAGE).joinpath(*_FIXTURE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("gb18218.yaml: top level must be a mapping")
    return parse_tables(data)
