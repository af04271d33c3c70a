"""Phone pages in headless Chromium at 375 px: the public report form (map pick, tracking
code) and a grid member's patrol (geolocation track upload, hazard report).

Runs against a live server on the SQLite copy only, like tests/pages/test_browser.py.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from support.district import PASSWORD
from yingji.patrols.models import Patrol, TrackPoint

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"width": 375, "height": 812}
HERE = {"longitude": 105.55, "latitude": 29.42}  # village A1, grid_a's village


@pytest.fixture
def live_server(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Serve the app on a free local port in a background thread; return its base URL."""
    if engine_name != "sqlite":
        pytest.skip("browser tests run against the SQLite copy only")
    app = request.getfixturevalue("app")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Return headless Debian Chromium driven by Playwright (one per module)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(live_server: str, chromium: Any) -> Iterator[Any]:
    """Return a 375 px wide page with geolocation granted at a point in village A1."""
    context = chromium.new_context(
        viewport=PHONE,
        locale="zh-CN",
        geolocation=HERE,
        permissions=["geolocation"],
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"


def test_public_report_on_a_phone(live_server: str, phone: Any) -> None:
    page = phone
    page.goto(f"{live_server}/report")
    page.wait_for_selector("#pick-map[data-state=ready]")
    _fits(page)
    page.fill("#f-title", "小区车库堆放大量纸箱")
    page.click("#locate-me")
    page.wait_for_function("document.getElementById('f-longitude').value !== ''")
    assert abs(float(page.input_value("#f-longitude")) - HERE["longitude"]) < 1e-5
    page.click("#public-report-form button[type=submit]")
    code = page.locator("#tracking-code").inner_text()
    assert len(code) == 12
    _fits(page)
    page.goto(f"{live_server}/report/track?code={code}")
    assert "已受理" in page.inner_text("#track-result")
    _fits(page)


def test_grid_patrol_on_a_phone(live_server: str, phone: Any, ctx: Any) -> None:
    page = phone
    page.goto(f"{live_server}/login")
    page.fill("#username", "grid_a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/patrols")
    _fits(page)
    page.click("#patrol-actions button[type=submit]")
    page.wait_for_url(f"{live_server}/patrols/*")
    _fits(page)
    # The first position is uploaded at once through the JSON API (cookie + CSRF header).
    page.wait_for_function("document.getElementById('point-count').textContent !== '0'")
    with ctx.session_factory() as s:
        patrol = s.scalar(select(Patrol))
        assert patrol is not None
        assert patrol.point_count == 1
        point = s.scalar(select(TrackPoint))
        assert point is not None
        assert abs(point.latitude - HERE["latitude"]) < 1e-6
    page.fill("#f-item", "消防通道")
    page.select_option("#f-result", "anomaly")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#checks .badge-red")
    page.goto(f"{live_server}/grid-reports/new?report_type=event")
    page.wait_for_selector("#pick-map[data-state=ready]")
    _fits(page)
    page.select_option("#f-category", "flood")
    page.fill("#f-title", "路口积水")
    page.click("#locate-me")
    page.wait_for_function("document.getElementById('f-latitude').value !== ''")
    page.click("#grid-report-form button[type=submit]")
    page.wait_for_url(f"{live_server}/patrols/*")
    assert "上报成功" in page.inner_text(".flash")
