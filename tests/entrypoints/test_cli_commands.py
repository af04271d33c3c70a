"""CLI: db upgrade on an empty database, the worker relays, settings refuse demo secrets."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from yingji.entrypoints.cli import app
from yingji.settings import Settings, get_settings


@pytest.fixture
def env_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("YINGJI_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_db_upgrade_creates_every_table(env_db):
    r = CliRunner().invoke(app, ["db", "upgrade"])
    assert r.exit_code == 0, r.output
    tables = set(inspect(create_engine(env_db)).get_table_names())
    assert {
        "accounts_user",
        "geo_division",
        "geo_site",
        "core_audit_entry",
        "core_outbox_message",
        "resources_shelter",
    } <= tables
    # idempotent
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0


def test_worker_once_relays_pending_events(env_db):
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    r = CliRunner().invoke(app, ["worker", "--once"])
    assert r.exit_code == 0, r.output
    assert "relayed 0 events" in r.output


def test_demo_secret_is_refused_outside_demo_mode():
    with pytest.raises(RuntimeError, match="YINGJI_SECRET_KEY"):
        Settings(demo=False).check()
    Settings(demo=True).check()
    Settings(demo=False, secret_key="x" * 40).check()


def test_serve_refuses_without_secret(env_db, monkeypatch):
    monkeypatch.delenv("YINGJI_DEMO", raising=False)
    r = CliRunner().invoke(app, ["serve"])
    assert r.exit_code == 1
    assert "YINGJI_SECRET_KEY" in r.output
