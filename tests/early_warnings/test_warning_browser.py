"""The composer in headless Chromium: pick a village, draw a polygon by clicks, see the live
recipient preview, save the draft and find it on its detail page with the drawn area.
"""

from __future__ import annotations

import pytest

from support.browser import DESKTOP, login, new_page

pytestmark = pytest.mark.browser


def test_compose_with_map_and_preview(live_server, browser, ctx, clock) -> None:
    ctx.clock = clock
    page = new_page(browser, DESKTOP)
    login(page, live_server, "town_a")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/warnings/new")
    page.wait_for_selector("#warning-map[data-state=ready]")
    page.wait_for_timeout(600)  # the map fits itself to the district's boundaries
    page.fill("#title", "浏览器编制的暴雨预警")
    page.check("input[name=division_codes][value='500153001001']")
    page.wait_for_function(
        "() => document.getElementById('preview-text').textContent.indexOf('共') === 0"
    )
    box = page.locator("#warning-map").bounding_box()
    page.click("#draw-start")
    # Corners inside township A (105.5–105.6 E, 29.4–29.5 N), placed where the map shows them.
    for lon, lat in ((105.52, 29.42), (105.58, 29.42), (105.58, 29.48), (105.52, 29.48)):
        p = page.evaluate(f"window.yingjiWarningMap.latLngToContainerPoint([{lat}, {lon}])")
        page.mouse.click(box["x"] + p["x"], box["y"] + p["y"])
    page.click("#draw-finish")
    assert '"Polygon"' in page.input_value("#polygon")
    page.click("#composer button[type=submit]")
    page.wait_for_url(f"{live_server}/warnings/*")
    assert "预警草稿已保存" in page.inner_text("main")
    assert page.locator("#warning-map").count() == 1
    page.context.close()
