"""The demo district's registered major hazards (重大危险源): one unit per enterprise the
fixtures mark ``major_hazard``, its contents chosen by what the enterprise does, so the
register shows several grades and both unit kinds.
"""

from __future__ import annotations

from typing import Any

from yingji.demo.state import SeedState, ensure_record
from yingji.risks.major_hazards.registry import MAJOR_HAZARDS

# (keyword in the enterprise name, unit name, unit kind, contents, residents within 500 m).
# Grades: 油库 S 15.8, R 18.96 三级; LPG S 24, R 72 二级; LNG S 6, R 4.5 四级; 液氯 S 14,
# R 112 一级.
UNITS: tuple[tuple[str, str, str, list[str], int], ...] = (
    ("油库", "汽油储罐区", "storage", ["汽油|W5.3:3000", "乙醇|W5.3:400"], 35),
    ("液化石油气", "液化石油气储罐区", "storage", ["液化石油气|W2:1200"], 120),
    ("LNG", "LNG储罐区", "storage", ["天然气|W2:300"], 0),
    ("", "液氯汽化装置", "production", ["氯:70"], 120),  # any other enterprise (化工)
)


def _payload(row: dict[str, Any], enterprise_id: int) -> dict[str, Any]:
    _key, unit, kind, contents, people = next(u for u in UNITS if u[0] in row["name"])
    lon, lat = row["center"]
    return {
        "name": f"{row['name']}{unit}",
        "enterprise_id": enterprise_id,
        "unit_kind": kind,
        "substances": contents,
        "exposed_population": people,
        "principal_name": "企业主要负责人",
        "principal_phone": "023-46000001",
        "technical_name": "企业技术负责人",
        "technical_phone": "023-46000002",
        "operations_name": "装置操作负责人",
        "operations_phone": "023-46000003",
        "assessed_on": "2025-06-30",
        "filed_with": "区应急管理局",
        "longitude": float(lon),
        "latitude": float(lat),
        "address": row.get("address"),
    }


def seed_major_hazards(state: SeedState) -> None:
    """Register one major hazard for each enterprise the fixtures mark ``major_hazard``."""
    tally = state.tally("major hazards 重大危险源")
    for row in state.fixtures.section("enterprises"):
        if row.get("major_hazard"):
            payload = _payload(row, state.enterprises[row["name"]])
            ensure_record(state, MAJOR_HAZARDS, payload, ("name",), tally)
