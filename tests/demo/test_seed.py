"""`yingji seed demo`: the demo district lands complete, in place, idempotently, demo mode only.

The seed runs twice per engine (SQLite, and PostgreSQL in a database of its own: the shared
test template already holds the small test district) and every test reads the result.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from yingji.accounts.models import User
from yingji.accounts.passwords import verify_password
from yingji.accounts.rules import Role
from yingji.bootstrap import registries
from yingji.core.audit import AuditEntry
from yingji.core.db import make_engine
from yingji.demo.fixtures import load_fixtures
from yingji.demo.seed import DEMO_ENTERPRISE, DEMO_PASSWORD, DemoSeedRefused, seed_demo
from yingji.enterprises.models import Enterprise
from yingji.enterprises.rules import validate_credit_code
from yingji.entrypoints.cli import app
from yingji.geo.models import Division, Site
from yingji.geo.queries import locate
from yingji.migrations.runner import upgrade
from yingji.resources.experts.models import Expert
from yingji.resources.shelters.models import Shelter
from yingji.resources.social_forces.models import SocialForce
from yingji.resources.supplies.models import StockMovement, Warehouse
from yingji.resources.teams.models import Equipment, RescueTeam
from yingji.settings import Settings, get_settings

PG_ADMIN_URL = os.environ.get(
    "YINGJI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
FIXTURES = load_fixtures()


@dataclass
class Seeded:
    """A database seeded twice, with the table counts and reports of both runs."""

    url: str
    engine: Engine
    first: dict[str, int]
    second: dict[str, int]
    report: list[str]
    again: list[str]


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in inspect(engine).get_table_names()
            if table != "alembic_version"
        }


def _pg_admin(*statements: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def seeded(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """Migrate an empty database, seed it twice, and hand it to the tests."""
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        drop: str | None = None
    else:
        # A database of our own: the shared template holds the test district already. The
        # process id keeps two test runs on one server (two checkouts) apart.
        name = f"yingji_demo_{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}_{os.getpid()}"
        try:
            _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
        except Exception as exc:
            if IN_CI:
                pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
            pytest.skip(f"PostgreSQL unreachable: {exc}")
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        drop = name
    upgrade(url)
    settings = Settings(database_url=url, demo=True)
    engine = make_engine(url)
    try:
        report = seed_demo(settings)
        first = _counts(engine)
        again = seed_demo(settings)
        yield Seeded(url, engine, first, _counts(engine), report, again)
    finally:
        engine.dispose()
        if drop is not None:
            _pg_admin(f"DROP DATABASE IF EXISTS {drop} WITH (FORCE)")


def _session(seeded: Seeded) -> Session:
    return Session(seeded.engine)


def _fixture_rows(section: str) -> list[dict[str, Any]]:
    return FIXTURES.section(section)


# ---------------------------------------------------------------------------- divisions


def test_divisions_levels_population_and_demo_boundaries(seeded: Seeded) -> None:
    with _session(seeded) as s:
        divisions = s.scalars(select(Division)).all()
    levels = Counter(d.level for d in divisions)
    assert levels["district"] == 1
    assert levels["township"] == 21
    assert levels["village"] == 120
    gridded = {d.parent_code for d in divisions if d.level == "grid"}
    assert len(gridded) >= 3
    assert all(2 <= sum(d.parent_code == v for d in divisions) <= 4 for v in gridded)
    assert all(len(d.code) == 15 for d in divisions if d.level == "grid")
    by_code = {d.code: d for d in divisions}
    district = by_code["500153"]
    assert district.name == "荣昌区"
    assert district.population is not None
    assert abs(district.population - 670_000) <= 0.02 * 670_000
    townships = [d for d in divisions if d.level == "township"]
    assert sum(d.population or 0 for d in townships) == district.population
    names = {d.name for d in townships}
    assert {"昌元街道", "昌州街道", "广顺街道", "双河街道", "安富街道", "峰高街道"} <= names
    for d in divisions:
        assert d.boundary_source == "demo", d.code
        assert d.boundary is not None
        geom = shape(d.boundary)
        assert geom.is_valid, d.code
        assert not geom.is_empty, d.code


def test_every_seat_and_village_centre_lies_in_its_own_division(seeded: Seeded) -> None:
    with _session(seeded) as s:
        for township in FIXTURES.townships:
            found = locate(s, *township["center"])
            assert found is not None, township["name"]
            assert township["code"] in found.path, township["name"]
            for village in township["villages"]:
                found = locate(s, *village["center"])
                assert found is not None, village["name"]
                assert village["code"] in found.path, (village["name"], found.code)


# ---------------------------------------------------------------------------- registries


def test_registry_counts_follow_the_fixtures(seeded: Seeded) -> None:
    with _session(seeded) as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Enterprise) == len(_fixture_rows("enterprises"))
        assert count(RescueTeam) == len(_fixture_rows("rescue_teams"))
        assert count(Equipment) == len(_fixture_rows("equipment"))
        assert count(SocialForce) == len(_fixture_rows("social_forces"))
        assert count(Warehouse) == len(_fixture_rows("warehouses"))
        assert count(Shelter) == len(_fixture_rows("shelters"))
        assert count(Expert) == len(_fixture_rows("experts"))
        codes = s.scalars(select(Enterprise.credit_code)).all()
        assert all(validate_credit_code(code) is None for code in codes)
        assert len(set(codes)) == len(codes)


def test_every_registry_the_platform_serves_has_demo_records(seeded: Seeded) -> None:
    # A registry added later without demo data shows up here, not as an empty demo page.
    with _session(seeded) as s:
        for spec in registries():
            assert s.scalar(select(func.count()).select_from(spec.model)), spec.name


def test_shelters_of_all_three_classes(seeded: Seeded) -> None:
    with _session(seeded) as s:
        classes = Counter(s.scalars(select(Shelter.shelter_class)).all())
    # seed 000 line 652: at least 3 中长期, 7 短期 and 45 临时（紧急）
    assert classes["long_term"] >= 3
    assert classes["short_term"] >= 7
    assert classes["emergency"] >= 45


def test_one_district_and_21_township_comprehensive_teams(seeded: Seeded) -> None:
    with _session(seeded) as s:
        rows = s.execute(
            select(RescueTeam.name, Site.division_code)
            .join(Site, Site.id == RescueTeam.site_id)
            .where(RescueTeam.kind == "comprehensive")
        ).all()
    assert len(rows) == 22
    township_teams = [(n, c) for n, c in rows if n.endswith("综合应急救援队")]
    assert len(township_teams) == 21
    assert {code[:9] for _, code in township_teams} == {t["code"] for t in FIXTURES.townships}


def test_warehouses_at_three_levels_hold_stock(seeded: Seeded) -> None:
    with _session(seeded) as s:
        levels = Counter(s.scalars(select(Warehouse.level)).all())
        stock = {
            warehouse_id: total
            for warehouse_id, total in s.execute(
                select(StockMovement.warehouse_id, func.sum(StockMovement.quantity_delta)).group_by(
                    StockMovement.warehouse_id
                )
            )
        }
        warehouse_ids = s.scalars(select(Warehouse.id)).all()
    assert set(levels) == {"district", "township", "village"}
    assert all(stock.get(wid, Decimal(0)) > 0 for wid in warehouse_ids)


def test_every_site_resolves_to_the_village_it_was_placed_in(seeded: Seeded) -> None:
    with _session(seeded) as s:
        sites = s.scalars(select(Site)).all()
        for site in sites:
            found = locate(s, site.longitude, site.latitude)
            assert found is not None, site.name
            assert found.code == site.division_code, site.name
            assert found.level in {"village", "grid"}, site.name
        by_place: dict[tuple[str, float, float], list[str]] = {}
        for site in sites:
            by_place.setdefault((site.name, site.longitude, site.latitude), []).append(
                site.division_code
            )
    for _section, row in FIXTURES.sited_rows():
        lon, lat = row["center"]
        codes = by_place[(row["name"], float(lon), float(lat))]
        place = row.get("village_code") or row["township_code"]
        assert all(code.startswith(place) for code in codes), (row["name"], codes)


# ---------------------------------------------------------------------------- users and audit


def test_demo_users_for_every_role(seeded: Seeded) -> None:
    with _session(seeded) as s:
        users = {u.username: u for u in s.scalars(select(User))}
        enterprise = s.scalar(select(Enterprise).where(Enterprise.name == DEMO_ENTERPRISE))
    assert {Role(u.role) for u in users.values()} == set(Role)
    assert len([u for u in users.values() if u.role == "township_officer"]) >= 2
    officer = users["ent_taobao"]
    assert enterprise is not None
    assert officer.enterprise_id == enterprise.id
    assert users["grid_yuping"].division_code == "500153001001001"
    assert verify_password(users["bureau"].password_hash, DEMO_PASSWORD)
    assert any(DEMO_PASSWORD in line for line in seeded.report)
    assert any("ent_taobao" in line for line in seeded.report)


def test_every_seeded_record_is_audited_as_the_seed(seeded: Seeded) -> None:
    with _session(seeded) as s:
        actions = Counter(
            s.scalars(select(AuditEntry.action).where(AuditEntry.actor_name == "demo-seed")).all()
        )
    assert actions["geo.division.upsert"] == seeded.first["geo_division"]
    assert actions["resources.shelter.create"] == seeded.first["resources_shelter"]
    assert actions["enterprises.enterprise.create"] == seeded.first["enterprises_enterprise"]
    assert actions["resources.stock_movement.receipt"] == seeded.first["resources_stock_movement"]
    assert actions["accounts.user.create"] == seeded.first["accounts_user"]


# ---------------------------------------------------------------------------- idempotency


def test_running_it_again_changes_nothing(seeded: Seeded) -> None:
    assert seeded.second == seeded.first  # audit and outbox included
    assert any("new 0, existing 154" in line for line in seeded.again)
    assert not any("new 0" not in line and "existing" in line for line in seeded.again)


# ---------------------------------------------------------------------------- refusal


def test_refused_outside_demo_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/prod.db"
    with pytest.raises(DemoSeedRefused, match="YINGJI_DEMO=true"):
        seed_demo(Settings(database_url=url, demo=False))
    assert not (tmp_path / "prod.db").exists()  # refused before touching the database


def test_refused_for_another_district(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/x.db", demo=True, district_code="500101"
    )
    with pytest.raises(DemoSeedRefused, match="500153"):
        seed_demo(settings)


def test_cli_refuses_outside_demo_mode_with_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YINGJI_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("YINGJI_DEMO", "false")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["seed", "demo"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "YINGJI_DEMO=true" in result.output
    assert not (tmp_path / "cli.db").exists()
