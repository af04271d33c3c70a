"""Demo mode refuses to bind to a network address (issue 15 item 5): its passwords are printed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from yingji.entrypoints.cli import _loopback, app


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
    ],
)
def test_loopback(host, ok):
    assert _loopback(host) is ok


def test_demo_serve_on_all_interfaces_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("YINGJI_DEMO", "true")
    monkeypatch.setenv("YINGJI_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "演示模式只能监听本机地址" in result.output
