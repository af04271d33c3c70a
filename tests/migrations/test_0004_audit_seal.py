"""Upgrade 0003 → 0004 on a populated database: audit rows survive, can be sealed, and are
append-only afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from yingji.core import audit
from yingji.core.db import make_engine
from yingji.migrations.runner import upgrade


def test_upgrade_keeps_and_seals_the_existing_log(empty_url):
    upgrade(empty_url, "0003")
    engine = make_engine(empty_url)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            for n in range(3):
                conn.execute(
                    text(
                        "INSERT INTO core_audit_entry (at, actor_name, actor_role, action,"
                        " entity, entity_id) VALUES (:at, 'duty', 'duty_officer',"
                        " 'duty.log_entry.create', 'log_entry', :n)"
                    ),
                    {"at": at, "n": str(n)},
                )
        upgrade(empty_url, "0004")
        factory = sessionmaker(engine)
        assert audit.seal_pending(factory, at + timedelta(hours=1)) == 3
        with factory() as session:
            report = audit.verify(session)
        assert (report.intact, report.checked) == (True, 3)
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("DELETE FROM core_audit_entry"))
    finally:
        engine.dispose()
