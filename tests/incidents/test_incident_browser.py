"""The intake form and incident page in headless Chromium (SQLite copy only).

Types follow the chosen category, a click on the map fills the coordinates, and the
incident page counts its reporting deadlines down. The live server and the browser come
from tests/support/browser.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.browser import login, new_page

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 900}


def test_intake_in_the_browser(live_server: str, browser: Any, shots: Path) -> None:
    page = new_page(browser, VIEWPORT)
    try:
        login(page, live_server, "duty")
        page.wait_for_url(f"{live_server}/")
        page.goto(f"{live_server}/incidents/new")
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
        page.wait_for_url(f"{live_server}/incidents/*")
        assert "重大事故" in page.inner_text("h1"), page.inner_text("main")
        first = page.inner_text("#deadlines .countdown >> nth=0")
        page.wait_for_timeout(1200)
        assert page.inner_text("#deadlines .countdown >> nth=0") != first  # it ticks
        assert first.startswith("剩余")
        page.screenshot(path=str(shots / "incident-page.png"), full_page=True)
        page.goto(f"{live_server}/duty-desk")
        assert page.locator("#deadlines tbody tr").count() >= 1
        page.screenshot(path=str(shots / "duty-desk.png"), full_page=True)
    finally:
        page.context.close()
