"""Inspection pages in headless Chromium: build the plan, draw with a published seed, follow a
drawn case to its page (desktop and phone). SQLite only, like tests/pages/test_browser.py."""

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
    """Serve the app on a free local port; return its base URL (SQLite only)."""
    if engine_name != "sqlite":
        pytest.skip("browser tests run against the SQLite copy only")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh`")
    request.getfixturevalue("officers")
    request.getfixturevalue("fixed")
    app = request.getfixturevalue("app")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    live = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not live.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(timeout=10)


def test_plan_draw_and_case_in_the_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("YINGJI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page: Any = browser.new_context(
                viewport={"width": 1366, "height": 860}, locale="zh-CN"
            ).new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{server}/login")
            page.fill("#username", "bureau")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/")
            page.goto(f"{server}/inspections/plan?year=2026")
            page.click("text=编制2026年度计划")
            page.wait_for_selector("text=双随机抽查库")
            page.goto(f"{server}/inspections/draws?year=2026")
            page.fill("#f-count", "2")
            page.fill("#f-seed", "browser-seed-01")
            page.click("#draw-form button[type=submit]")
            page.wait_for_selector("#draw-seed")
            assert page.inner_text("#draw-seed") == "browser-seed-01"
            assert "按公开种子重算结果一致" in page.content()
            page.screenshot(path=str(shots / "inspection-draw.png"), full_page=True)
            page.click("#draw-result a")
            page.wait_for_selector("#case-state")
            assert page.inner_text("#case-state") == "待检查"
            phone: Any = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN"
            ).new_page()
            phone.context.add_cookies(page.context.cookies())
            phone.goto(page.url)
            phone.wait_for_selector("#finding-form")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 400  # no sideways scrolling on a phone
            phone.screenshot(path=str(shots / "inspection-case-phone.png"), full_page=True)
        finally:
            browser.close()
