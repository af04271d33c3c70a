"""Phone pages in headless Chromium at 375 px: the public report form (map pick, tracking
code) and a grid member's patrol (geolocation track upload, hazard report).

Runs against a live server on the SQLite copy only; the live server and the browser come
from tests/support/browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from support.browser import login, new_page
from yingji.patrols.models import Patrol, TrackPoint

pytestmark = pytest.mark.browser

PHONE_375 = {"width": 375, "height": 812}
HERE = {"longitude": 105.55, "latitude": 29.42}  # village A1, grid_a's village


@pytest.fixture
def phone(live_server: str, browser: Any) -> Iterator[Any]:
    """Return a 375 px wide page with geolocation granted at a point in village A1."""
    page = new_page(
        browser,
        PHONE_375,
        geolocation=HERE,
        permissions=["geolocation"],
        is_mobile=True,
        has_touch=True,
    )
    yield page
    page.context.close()


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_375["width"], f"page is {width}px wide on a {PHONE_375['width']}px phone"


def test_public_report_on_a_phone(live_server: str, phone: Any) -> None:
    page = phone
    page.goto(f"{live_server}/report")
    page.wait_for_selector("#pick-map[data-state=ready]")
    _fits(page)
    page.fill("#f-title", "小区车库堆放大量纸箱")
    page.click("#locate-me")
    page.wait_for_function("() => document.getElementById('f-longitude').value !== ''")
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
    login(page, live_server, "grid_a")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/patrols")
    _fits(page)
    page.click("#patrol-actions button[type=submit]")
    page.wait_for_url(f"{live_server}/patrols/*")
    _fits(page)
    # The first position is uploaded at once through the JSON API (cookie + CSRF header).
    page.wait_for_function("() => document.getElementById('point-count').textContent !== '0'")
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
    page.wait_for_function("() => document.getElementById('f-latitude').value !== ''")
    page.click("#grid-report-form button[type=submit]")
    page.wait_for_url(f"{live_server}/patrols/*")
    assert "上报成功" in page.inner_text(".flash")
