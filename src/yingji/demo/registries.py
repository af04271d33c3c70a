"""The demo district's registry records: enterprises, teams, equipment, social forces,
the supply catalogue, warehouses and their opening stock, shelters and experts.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from yingji.demo.people import AGRICULTURE, ECONOMY, EMERGENCY_BUREAU, HOUSING, MARKET
from yingji.demo.state import SeedState, ensure_record
from yingji.enterprises.registry import ENTERPRISES
from yingji.enterprises.rules import make_credit_code
from yingji.resources.experts.registry import EXPERTS
from yingji.resources.shelters.registry import SHELTERS
from yingji.resources.social_forces.registry import SOCIAL_FORCES
from yingji.resources.supplies.models import StockLevel, SupplyItem
from yingji.resources.supplies.registry import WAREHOUSES
from yingji.resources.supplies.rules import MovementKind
from yingji.resources.supplies.schemas import MovementCreate, StockLevelSet
from yingji.resources.supplies.service import ensure_catalogue_items, record_movement, set_minimum
from yingji.resources.teams.registry import EQUIPMENT, RESCUE_TEAMS

# Reserve minimums set on a few items so the demo shows both a met and an unmet minimum.
MINIMUMS: tuple[tuple[str, str, int], ...] = (
    ("荣昌区应急物资储备库", "1010301", 5000),  # 棉被: 5000 held, met
    ("荣昌区应急物资储备库", "1010103", 500),  # 12平方米救灾帐篷: 600 held, met
    ("荣昌区应急物资储备库", "1020202", 800),  # 压缩饼干: 500 held, below
    ("昌元街道应急物资储备点", "2010101", 100),  # 救生衣: 80 held, below
)

# Units of equipment by kind (the registry's default is 台).
EQUIPMENT_UNITS = {
    "消防车": "辆",
    "通信指挥车": "辆",
    "照明车": "辆",
    "运输车辆": "辆",
    "救护车": "辆",
    "抢险车": "辆",
    "挖掘机": "台",
    "装载机": "台",
    "冲锋舟": "艘",
    "橡皮艇": "艘",
    "无人机": "架",
    "卫星电话": "部",
    "防护装备": "套",
    "破拆工具": "套",
    "单兵图传": "套",
    "水下探测设备": "套",
    "卫星通信设备": "套",
}


def _location(row: dict[str, Any]) -> dict[str, Any]:
    # The division is resolved from the point, as for a record typed in by hand: the demo
    # boundaries are drawn so that it lands in the township (and village) the fixture names.
    lon, lat = row["center"]
    return {"longitude": float(lon), "latitude": float(lat), "address": row.get("address")}


def demo_credit_code(name: str) -> str:
    """Return the demo 统一社会信用代码 of an enterprise: valid, and fixed by its name."""
    # From the name rather than the row's position, so editing the fixture keeps every code.
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return make_credit_code(int(digest, 16) % 10**8)


def _supervisor(industry: str, hazardous: bool) -> str:
    # 三个必须 (《安全生产法》第三条): the sector regulator by GB/T 4754 大类; hazardous
    # chemicals, mines and fireworks fall to the emergency bureau, town gas to housing.
    major = int(industry[:2])
    if major == 45:
        return HOUSING
    if hazardous or major in {10, 11} or industry == "5169":
        return EMERGENCY_BUREAU
    if major <= 5:
        return AGRICULTURE
    if 13 <= major <= 43:
        return ECONOMY
    if 47 <= major <= 50:
        return HOUSING
    return MARKET


def _hazard_flags(industry: str, hazardous: bool) -> dict[str, bool]:
    major = int(industry[:2])
    produces = hazardous and major == 26
    stores = hazardous and major in {26, 45, 52, 59}
    operates = hazardous and major in {45, 51, 52}
    uses = hazardous and not (produces or stores or operates)
    return {
        "produces_hazardous_chemicals": produces,
        "stores_hazardous_chemicals": stores,
        "uses_hazardous_chemicals": uses,
        "operates_hazardous_chemicals": operates,
    }


def _licences(index: int, industry: str, hazardous: bool) -> list[dict[str, Any]]:
    # Synthetic licences (the fixture has none) so the 一企一档 pages and the expiry reminders
    # have something to show; dates are fixed so reruns compare equal.
    major = int(industry[:2])
    if hazardous and major == 26:
        kind, number = "安全生产许可证", f"（渝）WH安许证字〔2024〕{index:04d}号"
    elif hazardous:
        kind, number = "危险化学品经营许可证", f"渝荣危化经字〔2024〕{index:04d}号"
    elif major == 10:
        kind, number = "安全生产许可证", f"（渝）FM安许证字〔2024〕{index:04d}号"
    elif industry == "5169":
        kind, number = "烟花爆竹经营（批发）许可证", f"（渝）YH经许字〔2024〕{index:04d}号"
    else:
        return []
    expires = date(2027 + index % 2, 1 + (index * 5) % 12, 28)
    if index % 4 == 0:
        expires = date(2026, 12, 15)  # a renewal due soon: shows the expiry warning
    issued = date(expires.year - 3, expires.month, 1)
    return [{"kind": kind, "number": number, "issued_on": issued, "expires_on": expires}]


def seed_enterprises(state: SeedState) -> None:
    tally = state.tally("enterprises 企业")
    for index, row in enumerate(state.fixtures.section("enterprises"), start=1):
        industry = str(row["industry_code"])
        hazardous = bool(row["hazardous_chemicals"])
        payload = {
            "credit_code": row.get("credit_code") or demo_credit_code(row["name"]),
            "name": row["name"],
            "industry_code": industry,
            "scale": row["scale"],
            "supervising_department_id": state.departments[_supervisor(industry, hazardous)],
            **_hazard_flags(industry, hazardous),
            "has_major_hazard": bool(row["major_hazard"]),
            "licences": _licences(index, industry, hazardous),
            **_location(row),
        }
        state.enterprises[row["name"]] = ensure_record(
            state, ENTERPRISES, payload, ("credit_code",), tally
        )


def _team_owner(row: dict[str, Any], townships: dict[str, dict[str, Any]]) -> str | None:
    if row["kind"] == "militia":
        return "荣昌区人民武装部"
    if row["kind"] != "comprehensive":
        return None
    township = townships[row["township_code"]]
    if row["name"].startswith(township["name"]):
        suffix = "办事处" if township.get("kind") == "subdistrict" else "人民政府"
        return f"{township['name']}{suffix}"
    return EMERGENCY_BUREAU  # the district's own standing team (区应急救援中队)


def seed_teams(state: SeedState) -> None:
    tally = state.tally("rescue teams 救援队伍")
    townships = {t["code"]: t for t in state.fixtures.townships}
    for row in state.fixtures.section("rescue_teams"):
        payload = {
            "name": row["name"],
            "kind": row["kind"],
            "staffing": row["staffing"],
            "specialties": row["specialties"],
            "headcount": row["headcount"],
            "on_duty_phone": row["on_duty_phone"],
            "status": row["status"],
            "owner_department": _team_owner(row, townships),
            **_location(row),
        }
        state.teams[row["name"]] = ensure_record(state, RESCUE_TEAMS, payload, ("name",), tally)


def seed_equipment(state: SeedState) -> None:
    tally = state.tally("equipment 应急装备")
    for row in state.fixtures.section("equipment"):
        team = row.get("owner_team_name")
        payload = {
            "name": row["name"],
            "kind": row["kind"],
            "quantity": row["quantity"],
            "unit": EQUIPMENT_UNITS.get(row["kind"], "台"),
            "owner_team_id": state.teams[team] if team else None,
            "owner_department": row.get("owner_department"),
            "status": row["status"],
            **_location(row),
        }
        # The same kind of vehicle is held by several owners: name and owner identify it.
        keys = ("name", "owner_team_id", "owner_department")
        ensure_record(state, EQUIPMENT, payload, keys, tally)


def seed_social_forces(state: SeedState) -> None:
    tally = state.tally("social forces 社会应急力量")
    for row in state.fixtures.section("social_forces"):
        payload = {
            "name": row["name"],
            "registration_no": row["registration_no"],
            "specialties": row["specialties"],
            "members": row["members"],
            "contact_person": row["contact_person"],
            "phone": row["phone"],
            **_location(row),
        }
        ensure_record(state, SOCIAL_FORCES, payload, ("registration_no",), tally)


def seed_catalogue(state: SeedState) -> None:
    tally = state.tally("supply items 物资目录")
    session = state.uow.session
    before = len(list(session.scalars(select(SupplyItem.id))))
    tally.created = ensure_catalogue_items(state.uow)
    tally.existing = before


def seed_warehouses(state: SeedState) -> None:
    tally = state.tally("warehouses 物资储备库")
    for row in state.fixtures.section("warehouses"):
        payload = {
            "name": row["name"],
            "level": row["level"],
            "manager": row.get("manager"),
            "phone": row.get("phone"),
            "owner_department_id": (
                state.departments[EMERGENCY_BUREAU] if row["level"] == "district" else None
            ),
            **_location(row),
        }
        state.warehouses[row["name"]] = ensure_record(state, WAREHOUSES, payload, ("name",), tally)


def seed_stock(state: SeedState) -> None:
    tally = state.tally("stock receipts 入库")
    session = state.uow.session
    items = {
        code: item_id for code, item_id in session.execute(select(SupplyItem.code, SupplyItem.id))
    }
    for row in state.fixtures.section("warehouses"):
        warehouse_id = state.warehouses[row["name"]]
        for line in row["stock"]:
            code, batch = str(line["supply_code"]), str(line["batch"])
            _read, created = record_movement(
                state.uow,
                MovementCreate(
                    kind=MovementKind.RECEIPT,
                    warehouse_id=warehouse_id,
                    item_id=items[code],
                    quantity=Decimal(line["quantity"]),
                    batch=batch,
                    expires_on=line.get("expires_on"),
                    reason="演示数据：期初库存",
                    reference=f"DEMO-{warehouse_id}-{code}-{batch}",
                ),
            )
            if created:
                tally.created += 1
            else:
                tally.existing += 1
    minimums = state.tally("reserve minimums 最低储备")
    for warehouse, code, minimum in MINIMUMS:
        warehouse_id = state.warehouses[warehouse]
        existing = session.scalar(
            select(StockLevel.id).where(
                StockLevel.warehouse_id == warehouse_id, StockLevel.item_id == items[code]
            )
        )
        if existing is not None:
            minimums.existing += 1
            continue
        set_minimum(
            state.uow,
            StockLevelSet(
                warehouse_id=warehouse_id, item_id=items[code], minimum_quantity=Decimal(minimum)
            ),
        )
        minimums.created += 1


def seed_shelters(state: SeedState) -> None:
    tally = state.tally("shelters 应急避难场所")
    for row in state.fixtures.section("shelters"):
        payload = {
            "name": row["name"],
            "shelter_class": row["shelter_class"],
            "effective_area_m2": row["effective_area_m2"],
            "capacity_persons": row["capacity_persons"],
            "facilities": row["facilities"],
            "status": row["status"],
            "manager": row.get("manager"),
            "phone": row.get("phone"),
            **_location(row),
        }
        ensure_record(state, SHELTERS, payload, ("name",), tally)


def seed_experts(state: SeedState) -> None:
    tally = state.tally("experts 专家")
    for row in state.fixtures.section("experts"):
        payload = {
            "name": row["name"],
            "expertise": row["fields"],
            "title": row.get("title"),
            "employer": row.get("employer"),
            "phone": row["phone"],
            "available": row["available"],
            "division_code": state.district_code,
        }
        ensure_record(state, EXPERTS, payload, ("name",), tally)
