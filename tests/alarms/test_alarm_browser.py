"""The alarm board in headless Chromium: a new alarm appears by itself (server-sent events),
and acknowledging from the board works. SQLite only, like the other browser tests."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from alarms.helpers import raise_one
from support.district import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Serve the app on a free local port in a thread; return its base URL."""
    if engine_name != "sqlite":
        pytest.skip("browser tests run against the SQLite copy only")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh`")
    app = request.getfixturevalue("app")
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_board_updates_live_and_acknowledges(
    ctx: Any, clock: Any, server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    ctx.clock = clock
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{server}/login?next=/alarms")
            page.fill("#username", "duty")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/alarms")
            page.wait_for_selector("#live-status:has-text('实时更新中')")
            assert page.locator("tr[data-alarm-id]").count() == 0
            # Monitoring raises an alarm: the board reloads itself and shows it.
            alarm_id = raise_one(ctx, clock.now(), device_name="实时探头", level="red")
            row = page.wait_for_selector(f"tr[data-alarm-id='{alarm_id}']")
            assert "实时探头" in row.inner_text()
            page.click(f"tr[data-alarm-id='{alarm_id}'] button:has-text('确认')")
            page.wait_for_selector(f"tr[data-alarm-id='{alarm_id}'][data-state=acknowledged]")
            shots = Path(os.environ.get("YINGJI_SCREENSHOT_DIR") or tmp_path)
            page.screenshot(path=str(shots / "alarm-board.png"), full_page=True)
            page.goto(f"{server}/alarms/{alarm_id}")
            page.screenshot(path=str(shots / "alarm-detail.png"), full_page=True)
        finally:
            browser.close()
