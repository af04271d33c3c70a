"""Loader for the inspection checklists by industry (``fixtures/checklists.yaml``).

Owns reading and shape-checking the fixture and choosing an enterprise's checklist by its
GB/T 4754-2017 industry code; the checklist text itself is the bureau's to edit.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from yingji.inspections.schemas import ChecklistItem, ChecklistRead

GENERAL = "general"


@functools.cache
def load_checklists() -> dict[str, ChecklistRead]:
    """Return every checklist by code (shared and cached: do not mutate)."""
    path = resources.files("yingji.inspections").joinpath("fixtures", "checklists.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw = data.get("checklists") if isinstance(data, dict) else None
    if not isinstance(raw, dict) or GENERAL not in raw:
        raise ValueError("checklists.yaml: 'checklists' must be a mapping with 'general'")
    out: dict[str, ChecklistRead] = {}
    for code, row in raw.items():
        out[str(code)] = ChecklistRead(
            code=str(code),
            title=str(row["title"]),
            industries=[str(i) for i in row.get("industries") or []],
            items=[ChecklistItem.model_validate(item) for item in row["items"]],
        )
    return out


def checklist_for(industry_code: str) -> ChecklistRead:
    """Return the checklist whose industry prefixes match ``industry_code`` (else general)."""
    checklists = load_checklists()
    for checklist in checklists.values():
        if any(industry_code.startswith(prefix) for prefix in checklist.industries):
            return checklist
    return checklists[GENERAL]
