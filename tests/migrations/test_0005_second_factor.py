"""Upgrade 0004 → 0005 on a populated database: users survive, have no second factor yet
(so a required one is enrolled at the next sign-in), and one factor per user can be stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from yingji.migrations.runner import upgrade


def test_upgrade_keeps_users_and_adds_second_factors(empty_url):
    upgrade(empty_url, "0004")
    engine = create_engine(empty_url)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts_user (username, display_name, password_hash, role,"
                    " is_active, created_at) VALUES ('admin', '管理员', 'x', 'admin', true, :now)"
                ),
                {"now": now},
            )
        upgrade(empty_url, "0005")
        factor_row = (
            "INSERT INTO accounts_second_factor (user_id, secret_sealed, created_at,"
            " last_step) SELECT id, 'sealed', :now, 0 FROM accounts_user"
        )
        with engine.begin() as conn:
            assert conn.execute(text("SELECT username FROM accounts_user")).scalar_one() == "admin"
            assert conn.execute(text("SELECT count(*) FROM accounts_second_factor")).scalar() == 0
            conn.execute(text(factor_row), {"now": now})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(factor_row), {"now": now})
    finally:
        engine.dispose()
