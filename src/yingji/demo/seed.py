"""`yingji seed demo`: load the demo district (荣昌区) through the domain services.

Everything goes through the same services the API uses, as the system actor ``demo-seed``, in
one unit of work committed at the end, so every row has its audit entry and its event:

- divisions (``geo.service.upsert_division``) with demo boundaries (``demo.district``);
- departments (``accounts.service.ensure_department``);
- registry records (``registry.service.create_record``) for enterprises, rescue teams,
  equipment, social forces, warehouses, shelters and experts, the supply catalogue, and the
  warehouses' opening stock as ledger receipts (``supplies.service.record_movement``);
- one demo user per role (``accounts.service.create_user``) sharing ``DEMO_PASSWORD``.

Idempotent: a division is rewritten only when it differs from the plan; a record is skipped
when one with the same natural key exists (name in its registry; 统一社会信用代码 for
enterprises; registration number for social forces; name and owner for equipment; username
for users); each receipt carries the reference ``DEMO-{warehouse id}-{supply code}-{batch}``
that the ledger replays instead of booking twice. Running it again changes nothing.

Refused outside demo mode (``YINGJI_DEMO=true``): the data and the shared password are fake.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yingji.accounts.models import Department, User
from yingji.accounts.queries import find_user_by_username
from yingji.accounts.rules import ROLE_LABELS, Role
from yingji.accounts.schemas import UserCreate
from yingji.accounts.service import create_user, ensure_department
from yingji.core.actor import system_actor
from yingji.core.clock import Clock, SystemClock
from yingji.core.db import make_engine, make_session_factory
from yingji.core.errors import DomainError
from yingji.core.events import EventRegistry
from yingji.core.uow import UnitOfWork
from yingji.core.web.context import AppContext
from yingji.demo.district import BOUNDARY_SOURCE, PlannedDivision, plan_divisions
from yingji.demo.fixtures import DemoFixtures, load_fixtures
from yingji.enterprises.registry import ENTERPRISES
from yingji.enterprises.rules import make_credit_code
from yingji.geo.models import Division
from yingji.geo.queries import division_names, find_division
from yingji.geo.rules import division_level
from yingji.geo.schemas import DivisionWrite
from yingji.geo.service import upsert_division
from yingji.registry.service import create_record
from yingji.registry.spec import RegistrySpec
from yingji.resources.experts.registry import EXPERTS
from yingji.resources.shelters.registry import SHELTERS
from yingji.resources.social_forces.registry import SOCIAL_FORCES
from yingji.resources.supplies.models import StockLevel, SupplyItem
from yingji.resources.supplies.registry import WAREHOUSES
from yingji.resources.supplies.rules import MovementKind
from yingji.resources.supplies.schemas import MovementCreate, StockLevelSet
from yingji.resources.supplies.service import ensure_catalogue_items, record_movement, set_minimum
from yingji.resources.teams.registry import EQUIPMENT, RESCUE_TEAMS
from yingji.settings import Settings

DEMO_PASSWORD = "Yingji-demo-2026"  # noqa: S105 (printed on purpose: demo mode only)
SEED_ACTOR = "demo-seed"

# Departments of the district (区级部门), by full name; records refer to them by that name.
EMERGENCY_BUREAU = "重庆市荣昌区应急管理局"
FIRE_BRIGADE = "重庆市荣昌区消防救援支队"
ECONOMY = "重庆市荣昌区经济和信息化委员会"
TRANSPORT = "重庆市荣昌区交通运输委员会"
HOUSING = "重庆市荣昌区住房和城乡建设委员会"
PLANNING = "重庆市荣昌区规划和自然资源局"
WATER = "重庆市荣昌区水利局"
HEALTH = "重庆市荣昌区卫生健康委员会"
MARKET = "重庆市荣昌区市场监督管理局"
AGRICULTURE = "重庆市荣昌区农业农村委员会"
FORESTRY = "重庆市荣昌区林业局"
WEATHER = "重庆市荣昌区气象局"
ENVIRONMENT = "重庆市荣昌区生态环境局"
COMMERCE = "重庆市荣昌区商务委员会"
DEPARTMENTS = (
    EMERGENCY_BUREAU,
    FIRE_BRIGADE,
    ECONOMY,
    TRANSPORT,
    HOUSING,
    PLANNING,
    WATER,
    HEALTH,
    MARKET,
    AGRICULTURE,
    FORESTRY,
    WEATHER,
    ENVIRONMENT,
    COMMERCE,
)

# The enterprise the demo enterprise officer works for (安富 ceramics, seed 000 line 40).
DEMO_ENTERPRISE = "重庆荣昌陶宝日用陶瓷有限公司"


@dataclass(frozen=True)
class DemoUser:
    """A demo account: one per role, township officers for a few townships."""

    username: str
    display_name: str
    role: Role
    division_code: str | None = None
    department: str | None = None
    enterprise: str | None = None


DEMO_USERS = (
    DemoUser("admin", "系统管理员（演示）", Role.ADMIN, department=EMERGENCY_BUREAU),
    DemoUser("bureau", "应急局工作人员（演示）", Role.BUREAU_STAFF, department=EMERGENCY_BUREAU),
    DemoUser("duty", "值班员（演示）", Role.DUTY_OFFICER, department=EMERGENCY_BUREAU),
    DemoUser("town_changyuan", "昌元街道工作人员（演示）", Role.TOWNSHIP_OFFICER, "500153001"),
    DemoUser("town_changzhou", "昌州街道工作人员（演示）", Role.TOWNSHIP_OFFICER, "500153002"),
    DemoUser("town_anfu", "安富街道工作人员（演示）", Role.TOWNSHIP_OFFICER, "500153005"),
    DemoUser("dept_economy", "经信委工作人员（演示）", Role.DEPARTMENT_OFFICER, department=ECONOMY),
    DemoUser("grid_yuping", "玉屏社区网格员（演示）", Role.GRID_MEMBER, "500153001001001"),
    DemoUser(
        "ent_taobao", "陶宝陶瓷安全员（演示）", Role.ENTERPRISE_OFFICER, enterprise=DEMO_ENTERPRISE
    ),
    DemoUser("inspector", "执法人员（演示）", Role.INSPECTOR, department=EMERGENCY_BUREAU),
)

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


class DemoSeedRefused(DomainError):
    """The demo seed cannot run here: not in demo mode, or another district is configured."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            detail=detail, status=409, code="demo_seed_refused", title="不能加载演示数据"
        )


@dataclass
class Tally:
    """How many rows one step created and how many it found already there."""

    label: str
    created: int = 0
    existing: int = 0
    updated: int = 0

    def line(self) -> str:
        """Return the report line (figures first: Chinese labels are double width)."""
        total = self.created + self.existing + self.updated
        detail = f"new {self.created}, existing {self.existing}"
        if self.updated:
            detail += f", updated {self.updated}"
        return f"  {total:>5}  {detail:<34} {self.label}"


@dataclass
class SeedState:
    """What the steps share: the unit of work, ids found or created, and the report."""

    uow: UnitOfWork
    fixtures: DemoFixtures
    district_code: str
    tallies: list[Tally] = field(default_factory=list)
    departments: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    warehouses: dict[str, int] = field(default_factory=dict)
    enterprises: dict[str, int] = field(default_factory=dict)

    def tally(self, label: str) -> Tally:
        """Start counting a step."""
        found = Tally(label)
        self.tallies.append(found)
        return found


def seed_demo(
    settings: Settings, *, with_users: bool = True, context: AppContext | None = None
) -> list[str]:
    """Load the demo district into the database of ``settings``; return the lines to print.

    With ``context`` (the CLI passes the composed application context) the seed's events are
    relayed to their handlers once it has committed; without one, they wait in the outbox for
    the application's relay.
    """
    if not settings.demo:
        raise DemoSeedRefused(
            "yingji seed demo 只能在演示模式下运行（设置 YINGJI_DEMO=true）：演示数据和演示"
            "密码都是虚构的，不能进入正式库。"
        )
    fixtures = load_fixtures()
    if settings.district_code != str(fixtures.district["code"]):
        raise DemoSeedRefused(
            f"演示区县为 {fixtures.district['code']}，但 YINGJI_DISTRICT_CODE 为 "
            f"{settings.district_code}"
        )
    plan = plan_divisions(fixtures)
    if context is not None:
        with_context = _Target(
            context.session_factory, context.clock, context.events, context.relay_count
        )
        return _run(settings, fixtures, plan, with_context, with_users=with_users)
    engine = make_engine(settings.database_url)
    try:
        alone = _Target(make_session_factory(engine), SystemClock(), EventRegistry(), None)
        return _run(settings, fixtures, plan, alone, with_users=with_users)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class _Target:
    """Where the seed writes: sessions, clock, event types, and the relay to run afterwards."""

    session_factory: sessionmaker[Session]
    clock: Clock
    events: EventRegistry
    relay: Callable[[], int] | None


def _run(
    settings: Settings,
    fixtures: DemoFixtures,
    plan: Sequence[PlannedDivision],
    target: _Target,
    *,
    with_users: bool,
) -> list[str]:
    actor = system_actor(SEED_ACTOR)
    uow = UnitOfWork(target.session_factory, actor, clock=target.clock, registry=target.events)
    with uow:
        state = SeedState(uow=uow, fixtures=fixtures, district_code=settings.district_code)
        _seed_divisions(state, plan)
        _seed_departments(state)
        _seed_enterprises(state)
        _seed_teams(state)
        _seed_equipment(state)
        _seed_social_forces(state)
        _seed_catalogue(state)
        _seed_warehouses(state)
        _seed_stock(state)
        _seed_shelters(state)
        _seed_experts(state)
        users = _seed_users(state) if with_users else []
        lines = _report(state, plan, users, with_users)
        uow.commit()
    if target.relay is not None:
        # Hand the seed's events to their handlers now; the relay works a batch at a time
        # and reports how many it finished, so stop when a pass finishes none.
        while target.relay():
            pass
    return lines


# ---------------------------------------------------------------------------- divisions


def _seed_divisions(state: SeedState, plan: Sequence[PlannedDivision]) -> None:
    tally = state.tally("divisions 行政区划")
    session = state.uow.session
    for planned in plan:
        data = DivisionWrite(
            code=planned.code,
            name=planned.name,
            population=planned.population,
            households=planned.households,
            boundary=planned.boundary,
            boundary_source=BOUNDARY_SOURCE,
            longitude=planned.longitude,
            latitude=planned.latitude,
        )
        current = find_division(session, planned.code)
        if current is None:
            upsert_division(state.uow, data)
            tally.created += 1
        elif _unchanged(current, data):
            tally.existing += 1
        else:
            upsert_division(state.uow, data)
            tally.updated += 1


def _unchanged(current: Division, data: DivisionWrite) -> bool:
    # Rewriting an unchanged division would still audit it and bump updated_at, which
    # invalidates every process's point-in-division index: compare first.
    return (
        current.name,
        current.population,
        current.households,
        current.boundary,
        current.boundary_source,
        current.center_longitude,
        current.center_latitude,
    ) == (
        data.name,
        data.population,
        data.households,
        data.boundary,
        data.boundary_source,
        data.longitude,
        data.latitude,
    )


def _seed_departments(state: SeedState) -> None:
    tally = state.tally("departments 部门")
    session = state.uow.session
    for name in DEPARTMENTS:
        existed = session.scalar(select(Department.id).where(Department.name == name))
        dept = ensure_department(state.uow, name, state.district_code)
        state.departments[name] = dept.id
        if existed is None:
            tally.created += 1
        else:
            tally.existing += 1


# ---------------------------------------------------------------------------- registries


def _ensure(
    state: SeedState, spec: RegistrySpec, payload: dict[str, Any], keys: Sequence[str], tally: Tally
) -> int:
    """Create the record unless one with the same natural key exists; return its id."""
    data = spec.create_schema.model_validate(payload)
    model = spec.model
    clauses = [getattr(model, key) == getattr(data, key) for key in keys]
    found = state.uow.session.scalar(select(model.id).where(*clauses).order_by(model.id).limit(1))
    if found is not None:
        tally.existing += 1
        return int(found)
    read = create_record(state.uow, spec, data)
    tally.created += 1
    return int(read.id)


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


def _seed_enterprises(state: SeedState) -> None:
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
        state.enterprises[row["name"]] = _ensure(
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


def _seed_teams(state: SeedState) -> None:
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
        state.teams[row["name"]] = _ensure(state, RESCUE_TEAMS, payload, ("name",), tally)


def _seed_equipment(state: SeedState) -> None:
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
        _ensure(state, EQUIPMENT, payload, keys, tally)


def _seed_social_forces(state: SeedState) -> None:
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
        _ensure(state, SOCIAL_FORCES, payload, ("registration_no",), tally)


def _seed_catalogue(state: SeedState) -> None:
    tally = state.tally("supply items 物资目录")
    session = state.uow.session
    before = len(list(session.scalars(select(SupplyItem.id))))
    tally.created = ensure_catalogue_items(state.uow)
    tally.existing = before


def _seed_warehouses(state: SeedState) -> None:
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
        state.warehouses[row["name"]] = _ensure(state, WAREHOUSES, payload, ("name",), tally)


def _seed_stock(state: SeedState) -> None:
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


def _seed_shelters(state: SeedState) -> None:
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
        _ensure(state, SHELTERS, payload, ("name",), tally)


def _seed_experts(state: SeedState) -> None:
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
        _ensure(state, EXPERTS, payload, ("name",), tally)


# ---------------------------------------------------------------------------- users


def _seed_users(state: SeedState) -> list[tuple[DemoUser, User]]:
    tally = state.tally("users 演示用户")
    session = state.uow.session
    out: list[tuple[DemoUser, User]] = []
    for demo in DEMO_USERS:
        user = find_user_by_username(session, demo.username)
        if user is not None:
            tally.existing += 1
            out.append((demo, user))
            continue
        enterprise_id = state.enterprises.get(demo.enterprise) if demo.enterprise else None
        user = create_user(
            state.uow,
            UserCreate(
                username=demo.username,
                display_name=demo.display_name,
                password=DEMO_PASSWORD,
                role=demo.role,
                division_code=demo.division_code,
                enterprise_id=enterprise_id,
                department_id=state.departments[demo.department] if demo.department else None,
            ),
            district_code=state.district_code,
        )
        tally.created += 1
        out.append((demo, user))
    return out


# ---------------------------------------------------------------------------- report


def _report(
    state: SeedState,
    plan: Sequence[PlannedDivision],
    users: list[tuple[DemoUser, User]],
    with_users: bool,
) -> list[str]:
    levels: dict[str, int] = {}
    for planned in plan:
        level = division_level(planned.code).value
        levels[level] = levels.get(level, 0) + 1
    district = plan[0]
    lines = [
        f"demo district {district.name} ({district.code}), population {district.population:,}: "
        f"{levels.get('township', 0)} 镇街, {levels.get('village', 0)} 村社, "
        f"{levels.get('grid', 0)} 网格 (boundaries are demo geometry)",
        *(t.line() for t in state.tallies),
    ]
    if not with_users:
        lines.append("demo users: skipped (--no-users)")
        return lines
    scopes = _scope_names(state, users)
    lines.append("")
    lines.append(f"demo users (password for all: {DEMO_PASSWORD})")
    lines.append(f"  {'username':<16} {'role':<20} scope")
    for demo, user in users:
        role = Role(user.role)
        lines.append(
            f"  {user.username:<16} {role.value:<20} {ROLE_LABELS[role]} · {scopes[demo.username]}"
        )
    lines.append("demo mode only: change or remove these accounts before any real use.")
    return lines


def _scope_names(state: SeedState, users: list[tuple[DemoUser, User]]) -> dict[str, str]:
    codes = [u.division_code for _, u in users if u.division_code]
    names = division_names(state.uow.session, codes)
    enterprises = {v: k for k, v in state.enterprises.items()}
    out: dict[str, str] = {}
    for demo, user in users:
        if user.enterprise_id is not None:
            out[demo.username] = f"企业 {enterprises.get(user.enterprise_id, user.enterprise_id)}"
        elif user.division_code:
            out[demo.username] = f"{names.get(user.division_code, '')} {user.division_code}"
        else:
            out[demo.username] = f"全区 {state.district_code}"
    return out
