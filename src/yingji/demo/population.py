"""Demo step: a synthetic registered population (居民) at the district's real size, and the
named responsible persons and loudspeakers the warnings reach.

Every village of the demo district gets as many residents as its census population (荣昌区
≈ 669,000 in the geo fixtures), each with a made-up phone number and a point scattered
around the village centre. Rows go in with one INSERT ... SELECT per village over a
generated number series, never one by one through the ORM. The numbers are fictitious
(a reserved-looking 1-3800… range); nothing is ever sent to them — the demo channels are
simulations (see notify/channels.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from yingji.demo.state import SeedState, ensure_record
from yingji.geo.geometry import to_shape
from yingji.geo.models import Division
from yingji.notify.models import Resident
from yingji.notify.registry import BROADCAST_DEVICES, RESPONSIBLE_PERSONS

SOURCE = "demo"
# Scatter: up to ±0.01° (about 1 km) around the village centre.
SCATTER_STEP = 0.00001
PHONE_BASE = 13_800_000_000

_INSERT = text(
    """
    INSERT INTO notify_resident (phone, division_code, longitude, latitude, source)
    WITH RECURSIVE seq(n) AS (
        SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :count
    )
    SELECT CAST(:phone_base + n AS VARCHAR(20)),
           :code,
           :lon + ((n * 7919) % 2001 - 1000) * :step,
           :lat + ((n * 104729) % 2001 - 1000) * :step,
           :source
    FROM seq
    """
)


@dataclass(frozen=True, slots=True)
class VillagePopulation:
    """How many residents to place in one village, around which centre."""

    code: str
    count: int
    longitude: float
    latitude: float


def insert_residents(
    session: Session, villages: Sequence[VillagePopulation], *, source: str = SOURCE
) -> int:
    """Insert synthetic residents for ``villages`` in bulk; return how many were written."""
    written = 0
    for village in villages:
        if village.count <= 0:
            continue
        session.execute(
            _INSERT,
            {
                "count": village.count,
                "phone_base": PHONE_BASE + written,
                "code": village.code,
                "lon": village.longitude,
                "lat": village.latitude,
                "step": SCATTER_STEP,
                "source": source,
            },
        )
        written += village.count
    return written


def seed(state: SeedState) -> None:
    """Seed residents, then one named responsible person and one loudspeaker per village."""
    seed_residents(state)
    seed_registers(state)


def seed_registers(state: SeedState) -> None:
    """Register a 镇街 duty cadre per township and a cadre and a 大喇叭 per village, once."""
    persons = state.tally("预警责任人")
    devices = state.tally("预警发布终端（大喇叭）")
    rows = state.uow.session.execute(
        select(
            Division.code,
            Division.name,
            Division.level,
            Division.parent_code,
            Division.center_longitude,
            Division.center_latitude,
        )
        .where(
            Division.level.in_(["township", "village"]),
            Division.code.startswith(state.district_code),
        )
        .order_by(Division.code)
    ).all()
    chiefs: dict[str, int] = {}
    for serial, (code, name, level, parent, lon, lat) in enumerate(rows, start=1):
        phone = f"1370000{serial:04d}"
        if level == "township":
            chiefs[code] = ensure_record(
                state,
                RESPONSIBLE_PERSONS,
                {
                    "name": f"{name}应急值班员",
                    "phone": phone,
                    "role": "township_cadre",
                    "position": "镇街应急办值班员",
                    "division_code": code,
                },
                ("name", "division_code"),
                persons,
            )
            continue
        ensure_record(
            state,
            RESPONSIBLE_PERSONS,
            {
                "name": f"{name}应急联络员",
                "phone": phone,
                "role": "village_cadre",
                "position": "村（社区）应急联络员",
                "division_code": code,
                "superior_id": chiefs.get(parent or ""),
            },
            ("name", "division_code"),
            persons,
        )
        ensure_record(
            state,
            BROADCAST_DEVICES,
            {
                "code": f"LS-{code}",
                "name": f"{name}应急广播",
                "kind": "loudspeaker",
                "division_code": code,
                "longitude": lon,
                "latitude": lat,
            },
            ("code",),
            devices,
        )


def seed_residents(state: SeedState) -> None:
    """Give every village of the demo district its census population of residents, once."""
    tally = state.tally("居民（模拟人口）")
    session = state.uow.session
    existing = session.scalar(
        select(func.count()).select_from(Resident).where(Resident.source == SOURCE)
    )
    if existing:
        tally.existing = int(existing)
        return
    rows = session.execute(
        select(
            Division.code,
            Division.population,
            Division.center_longitude,
            Division.center_latitude,
            Division.boundary,
        )
        .where(Division.level == "village", Division.code.startswith(state.district_code))
        .order_by(Division.code)
    ).all()
    villages = []
    for code, population, lon, lat, boundary in rows:
        if (lon is None or lat is None) and boundary:
            # No stored centre: scatter around the boundary's representative point.
            point = to_shape(boundary).representative_point()
            lon, lat = point.x, point.y
        if lon is not None and lat is not None:
            villages.append(VillagePopulation(code, int(population or 0), float(lon), float(lat)))
    tally.created = insert_residents(session, villages)
