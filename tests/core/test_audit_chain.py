"""The audit log is append-only and sealed in a hash chain (GB/T 22239-2019 8.1.4.3 c)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from yingji.core import audit
from yingji.core.actor import system_actor


def _write(ctx, n: int) -> None:
    for i in range(n):
        with ctx.uow(system_actor("test")) as uow:
            uow.audit("test.thing.poke", "thing", i, after={"n": i, "名称": "测试"})
            uow.commit()


def _seal(ctx) -> int:
    return audit.seal_pending(ctx.session_factory, ctx.clock.now() + timedelta(minutes=5))


def test_settled_rows_are_sealed_once_and_the_chain_verifies(ctx):
    baseline = _seal(ctx)  # what the test district's set-up wrote
    _write(ctx, 3)
    assert audit.seal_pending(ctx.session_factory, ctx.clock.now()) == 0  # not settled yet
    assert _seal(ctx) == 3
    assert _seal(ctx) == 0
    _write(ctx, 2)
    assert _seal(ctx) == 2
    with ctx.session_factory() as session:
        report = audit.verify(session)
    assert report.intact, report.problems
    assert report.checked == baseline + 5


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_audit_entry SET actor_name = 'someone else'",
        "DELETE FROM core_audit_entry",
        "UPDATE core_audit_seal SET hash = 'x'",
        "DELETE FROM core_audit_seal",
    ],
)
def test_the_log_and_its_seals_refuse_change(ctx, statement):
    _write(ctx, 1)
    _seal(ctx)
    with pytest.raises(DBAPIError, match="append-only"), ctx.engine.begin() as conn:
        conn.execute(text(statement))


def test_tampering_below_the_triggers_shows_in_verify(ctx, engine_name):
    _write(ctx, 3)
    _seal(ctx)
    # Someone with the database's owner rights drops the guard and edits a row.
    with ctx.engine.begin() as conn:
        if engine_name == "postgresql":
            conn.execute(text("ALTER TABLE core_audit_entry DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER core_audit_entry_no_update"))
        conn.execute(
            text(
                "UPDATE core_audit_entry SET actor_name = 'mallory'"
                " WHERE id = (SELECT max(id) FROM core_audit_entry)"
            )
        )
    with ctx.session_factory() as session:
        report = audit.verify(session)
    assert not report.intact
    assert any("不一致" in p for p in report.problems)


def test_the_cli_verifies_and_fails_loudly(ctx, monkeypatch):
    from yingji.entrypoints.cli import app

    _write(ctx, 2)
    _seal(ctx)
    monkeypatch.setenv("YINGJI_DATABASE_URL", str(ctx.engine.url.render_as_string(False)))
    monkeypatch.setenv("YINGJI_DEMO", "true")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "审计链完整" in result.output
