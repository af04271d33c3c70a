"""Shelter rules (pure): per-person effective area by shelter class.

GB 51143-2015 (2021年版) 防灾避难场所设计规范 gives the minimum effective area per person
by refuge period: 紧急 0.5, 短期 2.0, 中期 3.0, 长期 4.5 m². Our 中长期 class takes the
中期 figure. GB/T 44013-2024's own thresholds are not yet confirmed (regulations-safety.md
§6.2), so the figures are settings (``YINGJI_SHELTER_MIN_AREA_M2``) with these defaults.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class ShelterClass(StrEnum):
    """Shelter classes by refuge duration (glossary: emergency / short_term / long_term)."""

    EMERGENCY = "emergency"
    SHORT_TERM = "short_term"
    LONG_TERM = "long_term"


class ShelterStatus(StrEnum):
    """Whether the shelter is taking people now."""

    OPEN = "open"
    CLOSED = "closed"


CLASS_LABELS = {"emergency": "紧急", "short_term": "短期", "long_term": "中长期"}
STATUS_LABELS = {"open": "开放", "closed": "关闭"}

DEFAULT_MIN_AREA_M2: dict[str, float] = {"emergency": 0.5, "short_term": 2.0, "long_term": 3.0}


def max_capacity(
    effective_area_m2: Decimal, shelter_class: str, min_area: dict[str, float] | None = None
) -> int:
    """Return the most people the effective area holds at the class's per-person minimum."""
    per_person = Decimal(str((min_area or DEFAULT_MIN_AREA_M2)[shelter_class]))
    return int(effective_area_m2 // per_person)


def capacity_problem(
    effective_area_m2: Decimal | None,
    capacity: int | None,
    shelter_class: str | None,
    min_area: dict[str, float] | None = None,
) -> str | None:
    """Return why a capacity is too large for the area (Chinese), or None."""
    if effective_area_m2 is None or capacity is None or shelter_class is None:
        return None
    limit = max_capacity(effective_area_m2, shelter_class, min_area)
    if capacity > limit:
        per = (min_area or DEFAULT_MIN_AREA_M2)[shelter_class]
        return (
            f"容纳人数 {capacity} 超过有效面积按人均 {per} 平方米计算的上限 {limit} 人"
            f"（{CLASS_LABELS[shelter_class]}避难场所）"
        )
    return None


def area_per_person(effective_area_m2: Decimal, capacity: int) -> Decimal | None:
    """Return the effective area per person (None for a zero capacity)."""
    if capacity <= 0:
        return None
    return (effective_area_m2 / capacity).quantize(Decimal("0.01"))
