"""Upgrade 0001 → 0002 on a populated database: incident losses keep their value and
then hold 4 decimal places of 万元 exactly (373.9228)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import create_engine, text

from yingji.migrations.runner import upgrade

_ROW = {
    "source": "duty",
    "category": "accident",
    "type": "mine",
    "title": "石膏矿坍塌",
    "description": "",
    "division_code": "500153001",
    "place": "",
    "unit_name": "",
    "reporter_name": "",
    "reporter_phone": "",
    "deaths": 1,
    "missing": 13,
    "trapped": 0,
    "serious_injuries": 0,
    "injuries": 0,
    "acute_poisoning": 0,
    "direct_loss_wan_yuan": 120.5,
    "grade": "major",
    "status": "open",
}


def test_upgrade_keeps_losses_and_holds_four_places(empty_url):
    upgrade(empty_url, "0001")
    engine = create_engine(empty_url.replace("postgresql://", "postgresql+psycopg://", 1))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    row = {**_ROW, "occurred_at": now, "received_at": now, "created_at": now, "updated_at": now}
    try:
        with engine.begin() as conn:
            names = ", ".join(row)
            values = ", ".join(f":{k}" for k in row)
            conn.execute(text(f"INSERT INTO incidents_incident ({names}) VALUES ({values})"), row)
        upgrade(empty_url, "0002")
        with engine.begin() as conn:
            kept = conn.execute(text("SELECT direct_loss_wan_yuan FROM incidents_incident"))
            assert Decimal(str(kept.scalar_one())) == Decimal("120.50")
            conn.execute(text("UPDATE incidents_incident SET direct_loss_wan_yuan = 373.9228"))
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT direct_loss_wan_yuan FROM incidents_incident"))
            assert Decimal(str(stored.scalar_one())) == Decimal("373.9228")
    finally:
        engine.dispose()
