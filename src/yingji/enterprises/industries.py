"""Loader for the GB/T 4754-2017 industry table shipped as ``fixtures/industries.yaml``.

Owns reading and shape-checking the fixture; the rules that use it live in ``rules.py`` and take
the table as an argument so they stay pure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

_PACKAGE = "yingji.enterprises"
_FIXTURE = ("fixtures", "industries.yaml")


@dataclass(frozen=True, slots=True)
class Industry:
    """One GB/T 4754-2017 大类 (division): 2-digit code, name and its 门类 letter."""

    code: str
    name: str
    section: str


def _read_fixture() -> dict[str, Any]:
    path = resources.files(_PACKAGE).joinpath(*_FIXTURE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("industries.yaml: top level must be a mapping")
    return data


@functools.cache
def load_sections() -> dict[str, str]:
    """Return the 门类 names keyed by section letter (shared and cached: do not mutate)."""
    raw = _read_fixture().get("sections")
    if not isinstance(raw, dict):
        raise ValueError("industries.yaml: 'sections' must be a mapping")
    return {str(letter): str(name) for letter, name in raw.items()}


@functools.cache
def load_industries() -> dict[str, Industry]:
    """Return every 大类 keyed by its 2-digit code (shared and cached: do not mutate)."""
    raw = _read_fixture().get("divisions")
    if not isinstance(raw, dict):
        raise ValueError("industries.yaml: 'divisions' must be a mapping")
    sections = load_sections()
    out: dict[str, Industry] = {}
    for code, row in raw.items():
        # Unquoted keys like 01 would load as ints and lose the leading zero: refuse them.
        if not isinstance(code, str) or len(code) != 2 or not code.isdigit():
            raise ValueError(f"industries.yaml: division code {code!r} must be a quoted 2-digit")
        if not isinstance(row, dict):
            raise ValueError(f"industries.yaml: division {code} must be a mapping")
        section = str(row["section"])
        if section not in sections:
            raise ValueError(f"industries.yaml: division {code} has unknown section {section}")
        out[code] = Industry(code=code, name=str(row["name"]), section=section)
    return out


def industry_names() -> dict[str, str]:
    """Return 大类 names keyed by code, the shape ``rules.validate_industry_code`` expects."""
    return {code: industry.name for code, industry in load_industries().items()}
