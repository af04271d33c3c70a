"""A valid create payload per registry, placed at a given point.

The generic registry tests (scoping, Excel round trip) run over every registry in
``bootstrap.registries()``; each registry adds its sample here. ``point`` is (lon, lat).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable
from typing import Any

from support.enterprises import enterprise_id_at
from yingji.enterprises.rules import make_credit_code

Sample = Callable[[tuple[float, float], str], dict[str, Any]]


def shelter(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a shelter payload."""
    return {
        "name": f"避难场所{tag}",
        "shelter_class": "emergency",
        "effective_area_m2": "5000",
        "capacity_persons": 2000,
        "facilities": ["应急供水"],
        "longitude": point[0],
        "latitude": point[1],
    }


def rescue_team(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a rescue team payload."""
    return {
        "name": f"救援队{tag}",
        "kind": "comprehensive",
        "staffing": "full_time",
        "specialties": ["综合救援", "水域救援"],
        "headcount": 24,
        "on_duty_phone": "023-00000105",
        "longitude": point[0],
        "latitude": point[1],
    }


def equipment(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return an equipment payload (owned by a department: no team needed)."""
    return {
        "name": f"装备{tag}",
        "kind": "抽水泵",
        "quantity": 2,
        "unit": "台",
        "owner_department": "区应急管理局",
        "longitude": point[0],
        "latitude": point[1],
    }


def expert(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return an expert payload (no point: registered in the township holding ``point``)."""
    return {
        "name": f"专家{tag}",
        "expertise": ["危险化学品"],
        "title": "高级工程师",
        "phone": "13800000207",
        "division_code": division_for(point),
    }


def social_force(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a social force payload (the registration number is unique per tag)."""
    return {
        "name": f"社会应急力量{tag}",
        "registration_no": f"渝荣社登字第{tag}号",
        "specialties": ["水域救援"],
        "members": 40,
        "contact_person": "叶玉兰",
        "phone": "13800000101",
        "longitude": point[0],
        "latitude": point[1],
    }


_enterprise_calls = itertools.count()


def enterprise(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return an enterprise payload with a valid credit code unique to this call."""
    # The tag picks the high digits, a per-process counter the low ones: two calls never share
    # a seed (within 100,000 calls), so generic tests can create many without duplicates.
    seed = (zlib.crc32(tag.encode()) % 1000) * 100_000 + next(_enterprise_calls) % 100_000
    return {
        "credit_code": make_credit_code(seed),
        "name": f"企业{tag}",
        "industry_code": "2614",
        "scale": "above",
        "stores_hazardous_chemicals": True,
        "contacts": [{"name": "周建国", "role": "安全员", "phone": "13800000301"}],
        "longitude": point[0],
        "latitude": point[1],
    }


_supply_calls = itertools.count()


def supply_code() -> str:
    """Return a GB/T 38565 细类 code unique to this call (outside the shipped catalogue)."""
    # 大类 3, 中类 50-98 (the catalogue uses 01-02 there): 49 * 98 * 98 distinct codes.
    n = next(_supply_calls) % (49 * 98 * 98)
    return f"3{50 + n // (98 * 98):02d}{(n // 98) % 98 + 1:02d}{n % 98 + 1:02d}"


def supply(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a catalogue item payload (district-wide: ``point`` is unused)."""
    return {"code": supply_code(), "name": f"物资{tag}", "unit": "件", "specification": "标准"}


def warehouse(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a warehouse payload."""
    return {
        "name": f"储备库{tag}",
        "level": "township",
        "manager": "李明",
        "phone": "023-00000301",
        "capacity_m2": "200",
        "longitude": point[0],
        "latitude": point[1],
    }


def risk_point(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a risk point payload (a public place: no enterprise)."""
    return {
        "name": f"风险点{tag}",
        "kind": "place",
        "description": "人员密集场所",
        "accident_types": ["火灾", "其它伤害"],
        "responsible_person": "王强",
        "longitude": point[0],
        "latitude": point[1],
    }


def major_hazard(point: tuple[float, float], tag: str) -> dict[str, Any]:
    """Return a major hazard payload (氯 30 t: S = 6) of the baseline enterprise at ``point``."""
    return {
        "name": f"液氯储罐区{tag}",
        "enterprise_id": enterprise_id_at(point),
        "unit_kind": "storage",
        # The text form survives the Excel round trip (the API also takes objects).
        "substances": ["氯:30"],
        "exposed_population": 120,
        "principal_name": "张主任",
        "principal_phone": "13800000401",
        "technical_name": "李工",
        "technical_phone": "13800000402",
        "operations_name": "王班长",
        "operations_phone": "13800000403",
        "assessed_on": "2026-03-01",
        "longitude": point[0],
        "latitude": point[1],
    }


# registry name → payload factory. Non-sited registries receive the point too and should
# use it only to choose a division (see ``division_for``).
SAMPLES: dict[str, Sample] = {"shelters": shelter}
SAMPLES["enterprises"] = enterprise
SAMPLES["rescue-teams"] = rescue_team
SAMPLES["equipment"] = equipment
SAMPLES["experts"] = expert
SAMPLES["social-forces"] = social_force
SAMPLES["supplies"] = supply
SAMPLES["warehouses"] = warehouse
SAMPLES["major-hazards"] = major_hazard
SAMPLES["risk-points"] = risk_point


def division_for(point: tuple[float, float]) -> str:
    """Return the test district township holding ``point`` (for non-sited registries)."""
    return "500153001" if point[0] < 105.6 else "500153002"
