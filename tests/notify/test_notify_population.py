"""The demo's synthetic population: bulk insert per village, once."""

from __future__ import annotations

from sqlalchemy import func, select, update

from support.district import VILLAGE_A1
from yingji.core.actor import system_actor
from yingji.demo.population import VillagePopulation, insert_residents, seed
from yingji.demo.state import SeedState
from yingji.geo.models import Division
from yingji.notify.models import Resident, ResponsiblePerson


def test_insert_residents_in_bulk(ctx) -> None:
    with ctx.uow(system_actor("test")) as uow:
        n = insert_residents(
            uow.session,
            [VillagePopulation(VILLAGE_A1, 50, 105.55, 29.42), VillagePopulation("x", 0, 0, 0)],
        )
        uow.commit()
    assert n == 50
    with ctx.session_factory() as s:
        rows = s.execute(select(Resident.phone, Resident.longitude, Resident.division_code)).all()
    assert len({phone for phone, _, _ in rows}) == 50
    assert all(len(phone) == 11 for phone, _, _ in rows)
    assert all(abs(lon - 105.55) <= 0.0101 for _, lon, _ in rows)
    assert {code for _, _, code in rows} == {VILLAGE_A1}


def test_seed_gives_each_village_its_population_once(ctx) -> None:
    with ctx.uow(system_actor("test")) as uow:
        uow.session.execute(
            update(Division).where(Division.level == "village").values(population=10)
        )
        uow.commit()
    for _ in range(2):
        with ctx.uow(system_actor("seed")) as uow:
            state = SeedState(uow=uow, fixtures=None, district_code="500153")  # type: ignore[arg-type]
            seed(state)
            uow.commit()
    with ctx.session_factory() as s:
        total = s.scalar(select(func.count()).select_from(Resident))
        villages = s.scalar(
            select(func.count()).select_from(Division).where(Division.level == "village")
        )
    assert total == 10 * villages
    tallies = {t.label: t for t in state.tallies}
    assert tallies["居民（模拟人口）"].existing == total
    # Second run: every township and village person and every loudspeaker already there.
    assert tallies["预警责任人"].existing == villages + 2
    assert tallies["预警责任人"].created == 0
    assert tallies["预警发布终端（大喇叭）"].existing == villages
    with ctx.session_factory() as s:
        cadre = s.scalars(
            select(ResponsiblePerson).where(ResponsiblePerson.division_code == VILLAGE_A1)
        ).one()
        chief = s.get(ResponsiblePerson, cadre.superior_id)
    assert chief is not None
    assert chief.division_code == "500153001"
