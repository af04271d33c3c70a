"""Fixtures of the migration tests: an empty database on the engine under test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get(
    "YINGJI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg(statement: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def empty_url(engine_name: str, tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty database on the engine under test."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    name = f"yingji_m_{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}_{os.getpid()}"
    _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg(f"CREATE DATABASE {name}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
