"""Upgrade 0002 → 0003 on a populated database: users survive, and page sessions can be
stored (and are refused twice for the same id) afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from yingji.migrations.runner import upgrade


def test_upgrade_keeps_users_and_adds_page_sessions(empty_url):
    upgrade(empty_url, "0002")
    engine = create_engine(empty_url)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts_user (username, display_name, password_hash, role,"
                    " is_active, created_at) VALUES ('duty', '值班员', 'x', 'duty_officer',"
                    " true, :now)"
                ),
                {"now": now},
            )
        upgrade(empty_url, "0003")
        session_row = (
            "INSERT INTO accounts_page_session (user_id, token_hash, client, created_at,"
            " last_seen_at) SELECT id, :hash, '127.0.0.1', :now, :now FROM accounts_user"
        )
        with engine.begin() as conn:
            assert conn.execute(text("SELECT username FROM accounts_user")).scalar_one() == "duty"
            conn.execute(text(session_row), {"hash": "a" * 64, "now": now})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(session_row), {"hash": "a" * 64, "now": now})
    finally:
        engine.dispose()
