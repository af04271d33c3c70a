"""Test fixtures: every database test runs on SQLite and on the real PostgreSQL.

A migrated template database holding the test district is built once per engine; each test
gets a fresh copy (a file copy for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL).
With CI=true an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from support import district as district_mod
from support import enterprises as _enterprises  # noqa: F401 (adds its baseline hook)
from yingji.adapters.bundle import Adapters
from yingji.bootstrap import build_context, create_app
from yingji.core.clock import FixedClock, SystemClock
from yingji.core.web.context import AppContext
from yingji.migrations.runner import upgrade
from yingji.settings import Settings

# The live server and the one Playwright browser of the browser tests.
pytest_plugins = ["support.browser", "support.mqtt"]

PG_ADMIN_URL = os.environ.get(
    "YINGJI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINES = [e for e in os.environ.get("YINGJI_TEST_ENGINES", "sqlite,postgresql").split(",") if e]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _worker() -> str:
    # The process id keeps two test runs on one machine (a developer's and CI's) apart.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_databases() -> Iterator[None]:
    yield
    if "postgresql" not in ENGINES:
        return
    with contextlib.suppress(Exception):
        _pg_admin_execute(
            f"DROP DATABASE IF EXISTS yingji_t_{_worker()} WITH (FORCE)",
            f"DROP DATABASE IF EXISTS yingji_tpl_{_worker()} WITH (FORCE)",
        )


def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def _pg_admin_execute(*statements: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _settings(url: str, **extra: Any) -> Settings:
    return Settings(database_url=url, demo=True, inline_relay=True, **extra)


def _build_template(url: str, tokens_path: Path) -> None:
    upgrade(url)
    if os.environ.get("YINGJI_TEST_CREATE_ALL"):
        # Development only: tables of models not yet in the migration (CI never sets it;
        # tests/migrations fails while models and migration differ).
        from yingji.bootstrap import import_models
        from yingji.core.db import Base

        import_models()
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
    ctx = build_context(_settings(url), adapters=Adapters.fakes())
    try:
        baseline = district_mod.build(ctx)
    finally:
        ctx.engine.dispose()
    tokens_path.write_text(json.dumps({"tokens": baseline.tokens, "ids": baseline.ids}))


@pytest.fixture(scope="session", params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Return the engine this test runs on."""
    return str(request.param)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return {}


@pytest.fixture(scope="session")
def template(
    engine_name: str, _templates: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Build (once per engine) the migrated template database with the test district."""
    if engine_name in _templates:
        return dict(_templates[engine_name])
    base = tmp_path_factory.mktemp(f"tpl-{engine_name}")
    tokens_path = base / "tokens.json"
    if engine_name == "sqlite":
        path = base / "template.db"
        _build_template(f"sqlite:///{path}", tokens_path)
        info: dict[str, Any] = {"path": path}
    else:
        name = f"yingji_tpl_{_worker()}"
        try:
            _pg_admin_execute(
                f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
            )
        except Exception as exc:  # an unreachable server: fail in CI, skip on a laptop
            if IN_CI:
                pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
            pytest.skip(f"PostgreSQL unreachable: {exc}")
        _build_template(_pg_url(name), tokens_path)
        info = {"name": name}
    info.update(json.loads(tokens_path.read_text()))
    _templates[engine_name] = info
    return dict(info)


@pytest.fixture
def db_url(engine_name: str, template: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """Return the URL of a fresh copy of the template database for this test."""
    if engine_name == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(template["path"], path)
        yield f"sqlite:///{path}"
        return
    name = f"yingji_t_{_worker()}"
    _pg_admin_execute(
        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        f"CREATE DATABASE {name} TEMPLATE {template['name']}",
    )
    yield _pg_url(name)


@pytest.fixture
def clock() -> FixedClock:
    """Return a fixed clock at a known instant (tests move it explicitly)."""
    return FixedClock(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    """Return an application context on this test's database (wall clock)."""
    context = build_context(_settings(db_url), clock=SystemClock(), adapters=Adapters.fakes())
    yield context
    context.engine.dispose()


@pytest.fixture
def app(ctx: AppContext) -> Any:
    """Return the web application on this test's database."""
    return create_app(ctx=ctx)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """Return an unauthenticated test client."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tokens(template: dict[str, Any]) -> dict[str, str]:
    """Return bearer tokens of the test district's users by username."""
    return dict(template["tokens"])


@pytest.fixture
def ids(template: dict[str, Any]) -> dict[str, int]:
    """Return ids of baseline records (users, enterprises) by key."""
    return dict(template["ids"])


class Api:
    """A test client that acts as one of the test district's users."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **kw: Any) -> Any:
        """GET as this user."""
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        """POST as this user."""
        return self.client.post(url, headers=self.headers, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        """PATCH as this user."""
        return self.client.patch(url, headers=self.headers, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        """PUT as this user."""
        return self.client.put(url, headers=self.headers, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        """DELETE as this user."""
        return self.client.delete(url, headers=self.headers, **kw)


@pytest.fixture
def as_user(client: TestClient, tokens: dict[str, str]) -> Any:
    """Return a factory: ``as_user("town_a")`` → an Api acting as that user."""
    return lambda username: Api(client, tokens[username])
