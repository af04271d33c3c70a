"""The test district: a small copy of the demo district built through the services.

Two townships (A = 昌元街道 500153001, B = 昌州街道 500153002), two villages each, square
boundaries, and one user per role. Tests use it to prove scoping: a township A officer must
never see township B's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yingji.accounts.rules import Role
from yingji.accounts.schemas import UserCreate
from yingji.accounts.service import create_user, enrol_second_factor, issue_token
from yingji.core.actor import system_actor
from yingji.core.web.context import AppContext
from yingji.demo.people import DEMO_TOTP_SECRET
from yingji.geo.schemas import DivisionWrite
from yingji.geo.service import upsert_division

PASSWORD = "Test-pass-2026"
DISTRICT = "500153"
TOWN_A = "500153001"
TOWN_B = "500153002"
VILLAGE_A1 = "500153001001"
VILLAGE_B1 = "500153002001"
# Points well inside each township's square.
POINT_A = (105.55, 29.45)
POINT_B = (105.65, 29.45)


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    """Return a GeoJSON polygon for a lon/lat box."""
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


DIVISIONS = [
    (DISTRICT, "荣昌区", square(105.5, 29.4, 105.7, 29.5), 670000),
    (TOWN_A, "昌元街道", square(105.5, 29.4, 105.6, 29.5), 60000),
    (TOWN_B, "昌州街道", square(105.6, 29.4, 105.7, 29.5), 50000),
    (VILLAGE_A1, "玉屏社区", square(105.5, 29.4, 105.6, 29.45), 30000),
    ("500153001002", "大北社区", square(105.5, 29.45, 105.6, 29.5), 30000),
    (VILLAGE_B1, "宝城社区", square(105.6, 29.4, 105.7, 29.45), 25000),
    ("500153002002", "板桥社区", square(105.6, 29.45, 105.7, 29.5), 25000),
]

USERS: list[tuple[str, Role, str | None]] = [
    ("admin", Role.ADMIN, None),
    ("bureau", Role.BUREAU_STAFF, None),
    ("duty", Role.DUTY_OFFICER, None),
    ("dept", Role.DEPARTMENT_OFFICER, None),
    ("inspector", Role.INSPECTOR, None),
    ("town_a", Role.TOWNSHIP_OFFICER, TOWN_A),
    ("town_b", Role.TOWNSHIP_OFFICER, TOWN_B),
    ("grid_a", Role.GRID_MEMBER, VILLAGE_A1),
]


@dataclass
class TestDistrict:
    """What the baseline created: bearer tokens per username, extra ids."""

    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def build(ctx: AppContext) -> TestDistrict:
    """Create the test district, its users and long-lived tokens; return the tokens."""
    out = TestDistrict()
    with ctx.uow(system_actor("test-seed")) as uow:
        for code, name, boundary, population in DIVISIONS:
            upsert_division(
                uow,
                DivisionWrite(
                    code=code,
                    name=name,
                    boundary=boundary,
                    population=population,
                    boundary_source="test",
                ),
            )
        users = []
        for username, role, division in USERS:
            users.append(
                create_user(
                    uow,
                    UserCreate(
                        username=username,
                        display_name=username,
                        password=PASSWORD,
                        role=role,
                        division_code=division,
                    ),
                    district_code=DISTRICT,
                )
            )
        uow.session.flush()
        for user in users:
            if user.role in ctx.settings.totp_required_roles:
                # The admin's authenticator app (tests/support/totp.py computes its codes).
                enrol_second_factor(uow, user, DEMO_TOTP_SECRET, ctx.settings.secret_key)
            token, _ = issue_token(uow, user, hours=24 * 365)
            out.tokens[user.username] = token
            out.ids[f"user:{user.username}"] = user.id
        uow.commit()
    for hook in EXTENSIONS:
        hook(ctx, out)
    return out


# Domains add their own baseline records (an enterprise per township, its officer ...).
EXTENSIONS: list[Any] = []
