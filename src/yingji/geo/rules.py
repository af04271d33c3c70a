"""Pure rules for administrative division codes and their hierarchy.

Owns: which level a division code is at, its parent and ancestors, containment between codes,
and validation. Levels and widths:

- district (区/县): 6 digits, GB/T 2260.
- township (镇/街道/乡): 9 digits = district + 3, the NBS statistical division code
  (统计用区划代码).
- village (村/社区): 12 digits = township + 3, the same statistical code.
- grid (网格): 15 digits = village + 3-digit serial. This level is a LOCAL EXTENSION of this
  platform; no national standard defines grid-cell codes.

A code is the prefix of every code below it, so containment is a prefix test.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Final


class DivisionLevel(StrEnum):
    """The levels this platform keeps, top first (glossary: district, township, village)."""

    DISTRICT = "district"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


_LEVEL_BY_LENGTH: Final = {
    6: DivisionLevel.DISTRICT,
    9: DivisionLevel.TOWNSHIP,
    12: DivisionLevel.VILLAGE,
    15: DivisionLevel.GRID,
}
_LENGTHS: Final = (6, 9, 12, 15)
_SEGMENT_NAMES: Final = {9: "乡镇（街道）", 12: "村（社区）", 15: "网格"}


def validate_division_code(code: str) -> str | None:
    """Return None if ``code`` is a district, township, village or grid code, else why not."""
    if not code.isascii() or not code.isdigit():
        return "区划代码应只含数字"
    if len(code) not in _LEVEL_BY_LENGTH:
        return "区划代码长度应为6、9、12或15位"
    # GB/T 2260: digits 1-2 province, 3-4 prefecture, 5-6 county. A province (xx0000) or
    # prefecture (xxxx00) code is not a district, and no province is numbered 00.
    if code[:2] == "00":
        return "省级代码不能为00"
    if code[4:6] == "00":
        return "前6位应为区县级代码（第5至6位不能为00）"
    for length in _LENGTHS[1:]:
        # 000 is the statistical code's "no such unit" filler, never a real township/village.
        if len(code) >= length and code[length - 3 : length] == "000":
            return f"{_SEGMENT_NAMES[length]}代码不能为000"
    return None


def division_level(code: str) -> DivisionLevel:
    """Return the level of a division code; raise ValueError if the code is invalid."""
    problem = validate_division_code(code)
    if problem is not None:
        raise ValueError(f"区划代码{code!r}无效：{problem}")
    return _LEVEL_BY_LENGTH[len(code)]


def parent_code(code: str) -> str | None:
    """Return the code one level up, or None for a district (the deployment's top level)."""
    division_level(code)
    if len(code) == _LENGTHS[0]:
        return None
    return code[:-3]


def ancestors(code: str) -> list[str]:
    """Return the codes above ``code``, district first, excluding ``code`` itself."""
    division_level(code)
    return [code[:length] for length in _LENGTHS if length < len(code)]


def is_within(code: str, ancestor: str) -> bool:
    """Tell whether ``code`` lies inside ``ancestor``; every code lies within itself."""
    # Validate both so a malformed prefix such as "50" cannot grant access to everything.
    division_level(code)
    division_level(ancestor)
    return code.startswith(ancestor)


def township_of(code: str) -> str:
    """Return the township (镇街) a code lies in: itself or its ancestor at that level.

    A district code has no township and is returned as it is.
    """
    return code[: _LENGTHS[1]]


def is_district_level(code: str) -> bool:
    """Tell whether ``code`` is the district itself (a resource the district owns)."""
    return len(code) == _LENGTHS[0]


# Mean Earth radius (IUGG); WGS84 and CGCS2000 are treated as the same datum here.
EARTH_RADIUS_M: Final = 6_371_008.8


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the great-circle distance in metres between two lon/lat points (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
