"""Inspection pages in headless Chromium: build the plan, draw with a published seed, follow a
drawn case to its page (desktop and phone). SQLite only; the live server and the browser come
from tests/support/browser.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.browser import DESKTOP, PHONE, login, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def server(engine_name: str, request: pytest.FixtureRequest) -> str:
    """Add the inspectors, fix the clock, then serve the app; return its base URL (SQLite)."""
    if engine_name != "sqlite":
        pytest.skip("browser tests run against the SQLite copy only")
    request.getfixturevalue("officers")
    request.getfixturevalue("fixed")
    return str(request.getfixturevalue("live_server"))


def test_plan_draw_and_case_in_the_browser(server: str, browser: Any, shots: Path) -> None:
    page = new_page(browser, DESKTOP)
    phone = None
    try:
        login(page, server, "bureau")
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
        phone = new_page(browser, PHONE)
        phone.context.add_cookies(page.context.cookies())
        phone.goto(page.url)
        phone.wait_for_selector("#finding-form")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400  # no sideways scrolling on a phone
        phone.screenshot(path=str(shots / "inspection-case-phone.png"), full_page=True)
    finally:
        if phone is not None:
            phone.context.close()
        page.context.close()
