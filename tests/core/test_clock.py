"""The local-time helper: UTC stored, the configured zone shown and typed."""

from __future__ import annotations

from datetime import UTC, datetime

from yingji.core.clock import format_local, local_today, parse_local, to_local


def test_to_local_takes_naive_as_utc() -> None:
    moment = to_local(datetime(2026, 6, 1, 16, 30), "Asia/Shanghai")
    assert moment.isoformat() == "2026-06-02T00:30:00+08:00"


def test_format_local_and_today() -> None:
    at = datetime(2026, 6, 1, 16, 30, tzinfo=UTC)
    assert format_local(at, "Asia/Shanghai") == "2026-06-02 00:30"
    assert format_local(at, "Asia/Urumqi", "%H:%M") == "22:30"
    assert format_local(None, "Asia/Shanghai") == ""
    assert local_today("Asia/Shanghai", at).isoformat() == "2026-06-02"


def test_parse_local_reads_the_wall_clock() -> None:
    parsed = parse_local("2026-06-02T08:00", "Asia/Shanghai")
    assert parsed == datetime(2026, 6, 2, tzinfo=UTC)
    aware = parse_local("2026-06-02T08:00+00:00", "Asia/Shanghai")
    assert aware == datetime(2026, 6, 2, 8, tzinfo=UTC)
    assert parse_local("not a time", "Asia/Shanghai") is None
