"""The demo district's people: departments and one demo user per role (demo mode only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from yingji.accounts.models import Department, User
from yingji.accounts.queries import find_user_by_username, second_factor_of
from yingji.accounts.rules import Role
from yingji.accounts.schemas import UserCreate
from yingji.accounts.service import create_user, enrol_second_factor, ensure_department
from yingji.demo.state import SeedState

DEMO_PASSWORD = "Yingji-demo-2026"  # noqa: S105 (printed on purpose: demo mode only)
# The TOTP secret of demo users whose role needs a second factor (admin by default), so the
# demo signs in without a phone: add it to any authenticator app, or run
# ``yingji user totp-code admin`` (demo mode only). Printed on purpose, like the password.
DEMO_TOTP_SECRET = "YINGJIDEMOTOTPSECRETFORDEMOONLY2"  # noqa: S105

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
    DemoUser("auditor", "审计员（演示）", Role.AUDITOR),
)


def seed_departments(state: SeedState) -> None:
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


def seed_users(state: SeedState) -> list[tuple[DemoUser, User]]:
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
    settings = state.uow.settings
    for _, user in out:
        if user.role in settings.totp_required_roles and second_factor_of(session, user.id) is None:
            enrol_second_factor(state.uow, user, DEMO_TOTP_SECRET, settings.secret_key)
    return out
