"""The demo district's risk points: one per hazardous-chemical enterprise (and the demo
enterprise's kiln line), a few crowded public places, each graded once so the 四色图 shows
all four colours.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yingji.demo.people import DEMO_ENTERPRISE
from yingji.demo.state import SeedState, ensure_record
from yingji.risks.points.queries import latest_assessments
from yingji.risks.points.registry import RISK_POINTS
from yingji.risks.points.schemas import AssessmentCreate
from yingji.risks.points.service import record_assessment

# Gradings handed out in turn: LEC 3×6×40 = 720 重大, 3×6×15 = 270 较大, LS 3×4 = 12 一般,
# LS 2×3 = 6 低, LEC 1×6×15 = 90 一般, LS 4×4 = 16 较大.
GRADINGS: tuple[dict[str, Any], ...] = (
    {"method": "lec", "l": Decimal(3), "e": Decimal(6), "c": Decimal(40)},
    {"method": "lec", "l": Decimal(3), "e": Decimal(6), "c": Decimal(15)},
    {"method": "ls", "l": Decimal(3), "s": Decimal(4)},
    {"method": "ls", "l": Decimal(2), "s": Decimal(3)},
    {"method": "lec", "l": Decimal(1), "e": Decimal(6), "c": Decimal(15)},
    {"method": "ls", "l": Decimal(4), "s": Decimal(4)},
)
PUBLIC_PLACES = 3  # the first shelters' squares double as crowded public places


def _point(row: dict[str, Any]) -> dict[str, Any]:
    lon, lat = row["center"]
    return {"longitude": float(lon), "latitude": float(lat), "address": row.get("address")}


def _payloads(state: SeedState) -> list[dict[str, Any]]:
    out = []
    for row in state.fixtures.section("enterprises"):
        if row["hazardous_chemicals"]:
            name, kind, accidents = "危险化学品储存区", "installation", ["火灾", "其它爆炸"]
        elif row["name"] == DEMO_ENTERPRISE:
            name, kind, accidents = "窑炉烧成作业", "activity", ["灼烫", "火灾"]
        else:
            continue
        out.append(
            {
                "name": f"{row['name']}{name}",
                "kind": kind,
                "enterprise_id": state.enterprises[row["name"]],
                "accident_types": accidents,
                "responsible_person": "企业安全负责人",
                **_point(row),
            }
        )
    for row in state.fixtures.section("shelters")[:PUBLIC_PLACES]:
        out.append(
            {
                "name": f"{row['name'].removesuffix('应急避难场所')}人员密集场所",
                "kind": "place",
                "description": "节假日及大型活动人员聚集",
                "accident_types": ["其它伤害"],
                "responsible_person": row.get("manager"),
                **_point(row),
            }
        )
    return out


def seed_risk_points(state: SeedState) -> None:
    """Create the demo risk points and grade each one that has no assessment yet."""
    tally = state.tally("risk points 风险点")
    graded = state.tally("risk assessments 风险评价")
    for index, payload in enumerate(_payloads(state)):
        point_id = ensure_record(state, RISK_POINTS, payload, ("name",), tally)
        if latest_assessments(state.uow.session, [point_id]):
            graded.existing += 1
            continue
        body = AssessmentCreate.model_validate(
            {**GRADINGS[index % len(GRADINGS)], "assessor": "演示评价小组"}
        )
        record_assessment(state.uow, point_id, body)
        graded.created += 1
