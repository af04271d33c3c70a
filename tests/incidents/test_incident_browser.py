"""The intake form and incident page in headless Chromium (SQLite copy only).

Types follow the chosen category, a click on the map fills the coordinates, and the
incident page counts its reporting deadlines down.
"""

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

from support.district import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture
def server(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Serve the app on a free local port; return its base URL."""
    if engine_name != "sqlite":
        pytest.skip("browser tests run against the SQLite copy only")
    app = request.getfixturevalue("app")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
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


def test_intake_in_the_browser(server: str, tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("YINGJI_SCREENSHOT_DIR") or tmp_path)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page: Any = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="zh-CN"
        ).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{server}/login")
        page.fill("#username", "duty")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")
        page.goto(f"{server}/incidents/new")
        page.select_option("#f-category", "natural_disaster")
        assert page.input_value("#f-type") == "flood"  # the first natural-disaster type
        page.select_option("#f-category", "accident")
        page.select_option("#f-type", "hazmat")
        page.wait_for_selector("#incident-map[data-state=ready]")
        page.click("#incident-map")  # the centre: the district lies there
        assert page.input_value("#f-longitude") != ""
        page.fill("#f-title", "浏览器接报测试")
        page.fill("#f-deaths", "10")
        page.screenshot(path=str(shots / "incident-form.png"), full_page=True)
        page.click("#incident-form button[type=submit]")
        page.wait_for_url(f"{server}/incidents/*")
        assert "重大事故" in page.inner_text("h1"), page.inner_text("main")
        first = page.inner_text("#deadlines .countdown >> nth=0")
        page.wait_for_timeout(1200)
        assert page.inner_text("#deadlines .countdown >> nth=0") != first  # it ticks
        assert first.startswith("剩余")
        page.screenshot(path=str(shots / "incident-page.png"), full_page=True)
        page.goto(f"{server}/duty-desk")
        assert page.locator("#deadlines tbody tr").count() >= 1
        page.screenshot(path=str(shots / "duty-desk.png"), full_page=True)
        browser.close()
