"""The live device page in headless Chromium: the ECharts chart draws and SSE brings new data.

The live server and browser come from tests/support/browser.py (SQLite only).
"""

from __future__ import annotations

from typing import Any

import pytest

from monitoring.helpers import send
from support.browser import DESKTOP, login, new_page
from yingji.core.web.context import AppContext

pytestmark = pytest.mark.browser


def test_device_page_draws_the_chart_and_streams_new_readings(
    live_server: str, browser: Any, ctx: AppContext, devices: dict[str, int]
) -> None:
    send(ctx, "GAS-A1", {"metric": "gas", "value": 3.0})
    page = new_page(browser, DESKTOP)
    login(page, live_server, "bureau")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/monitoring/devices/{devices['GAS-A1']}")
    page.wait_for_selector("#reading-chart canvas")
    assert page.text_content('[data-latest="gas"]') == "可燃气体浓度：3"
    # A new reading arrives through the server-sent-event stream (polled every 2 s).
    send(ctx, "GAS-A1", {"metric": "gas", "value": 7.25})
    page.wait_for_function(
        "() => document.querySelector('[data-latest=\"gas\"]').textContent"
        " === '可燃气体浓度：7.25'",
        timeout=10_000,
    )
    page.goto(f"{live_server}/monitoring/devices")
    assert "GAS-A1" in page.text_content("#device-table")
    page.context.close()
