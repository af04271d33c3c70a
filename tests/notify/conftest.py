"""Notify fixtures: residents, responsible persons and devices in the test district."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import insert

from support.district import VILLAGE_A1, VILLAGE_B1
from yingji.core.actor import system_actor
from yingji.core.clock import FixedClock
from yingji.core.web.context import AppContext
from yingji.notify.channels import simulated_channels
from yingji.notify.models import BroadcastDevice, Resident, ResponsiblePerson

VILLAGE_A2 = "500153001002"
VILLAGE_B2 = "500153002002"

# (key, village, lon, lat): the polygon test box is 105.49..105.61 × 29.39..29.451.
RESIDENTS = [
    ("a1_1", VILLAGE_A1, 105.55, 29.42),  # A1 lies wholly inside the box
    ("a1_2", VILLAGE_A1 + "001", 105.56, 29.43),  # filed at grid level
    ("a2_in", VILLAGE_A2, 105.55, 29.4505),  # A2 is cut: this point is inside
    ("a2_out", VILLAGE_A2, 105.55, 29.48),
    ("b1_in", VILLAGE_B1, 105.605, 29.42),  # B1 is cut: inside
    ("b1_out", VILLAGE_B1, 105.65, 29.42),
    ("b2_out", VILLAGE_B2, 105.65, 29.48),
]
POLYGON_BOX = (105.49, 29.39, 105.61, 29.451)


@dataclass
class World:
    """Ids of what the fixture registered, by key."""

    residents: dict[str, int] = field(default_factory=dict)
    persons: dict[str, int] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def fixed(ctx: AppContext, clock: FixedClock) -> FixedClock:
    """Put the context on the fixed clock and fresh simulated channels."""
    ctx.clock = clock
    ctx.adapters.channels = simulated_channels()
    return clock


def _now(ctx: AppContext) -> datetime:
    return ctx.clock.now()


@pytest.fixture
def world(ctx: AppContext, fixed: FixedClock, ids: dict[str, int]) -> World:
    """Residents in four villages; persons (A1 cadre → town A chief); two devices."""
    out = World()
    now = _now(ctx)
    with ctx.uow(system_actor("test")) as uow:
        s = uow.session
        for i, (key, village, lon, lat) in enumerate(RESIDENTS):
            r = s.execute(
                insert(Resident).returning(Resident.id),
                [
                    {
                        "phone": f"1390000{i:04d}",
                        "division_code": village,
                        "longitude": lon,
                        "latitude": lat,
                        "source": "test",
                    }
                ],
            )
            out.residents[key] = int(r.scalar_one())

        def person(key: str, division: str, **extra: Any) -> ResponsiblePerson:
            p = ResponsiblePerson(
                name=f"责任人{key}",
                phone=f"1380000{len(out.persons):04d}",
                role=extra.pop("role", "village_cadre"),
                division_code=division,
                created_at=now,
                updated_at=now,
                **extra,
            )
            s.add(p)
            s.flush()
            out.persons[key] = p.id
            return p

        chief = person("town_a_chief", "500153001", role="township_cadre")
        person("a1_cadre", VILLAGE_A1, superior_id=chief.id, user_id=ids["user:grid_a"])
        person("a2_grid", VILLAGE_A2 + "001", role="grid_member")
        person("b1_cadre", VILLAGE_B1)
        for key, kind, village, lon, lat in [
            ("a1_speaker", "loudspeaker", VILLAGE_A1, 105.55, 29.41),
            ("b2_display", "display", VILLAGE_B2, 105.65, 29.48),
        ]:
            d = BroadcastDevice(
                code=f"DEV-{key}",
                name=key,
                kind=kind,
                division_code=village,
                longitude=lon,
                latitude=lat,
                created_at=now,
                updated_at=now,
            )
            s.add(d)
            s.flush()
            out.devices[key] = d.id
        uow.commit()
    return out


@pytest.fixture
def box_polygon() -> dict[str, Any]:
    """The polygon of the targeting tests (A1 whole; A2, B1, B2 cut)."""
    x0, y0, x1, y1 = POLYGON_BOX
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}
