"""Pages in headless Chromium against a live server: login, shelter form, list, map, phone.

The live server, the browser and the screenshot folder come from tests/support/browser.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from support.browser import DESKTOP, PHONE, login, new_page
from support.district import POINT_A
from support.samples import SAMPLES

pytestmark = pytest.mark.browser


def _fill_shelter(page: Any, name: str, capacity: str) -> None:
    page.fill("#f-name", name)
    page.select_option("#f-shelter_class", "emergency")
    page.fill("#f-effective_area_m2", "1000")
    page.fill("#f-capacity_persons", capacity)
    page.fill("#f-longitude", str(POINT_A[0]))
    page.fill("#f-latitude", str(POINT_A[1]))


def _map_ready(page: Any) -> None:
    page.wait_for_selector("#map[data-state=ready]")
    page.wait_for_timeout(800)  # let the zoom animation to the district finish (screenshots)


_MAP_POINTS = """() => {
  const found = [];
  window.yingjiMap.eachLayer((layer) => {
    const f = layer.feature;
    if (f && f.geometry && f.geometry.type === "Point") {
      const el = layer.getElement ? layer.getElement() : null;
      found.push({name: f.properties.name, drawn: !!(el && el.isConnected)});
    }
  });
  return found;
}"""


def test_create_a_shelter_and_find_it_in_the_list_and_on_the_map(live_server, browser):
    page = new_page(browser, DESKTOP)
    login(page, live_server, "bureau")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/shelters/new")
    # The map picker fills the coordinates on a click.
    page.wait_for_selector("#pick-map[data-state=ready]")
    page.click("#pick-map", position={"x": 150, "y": 120})
    assert page.input_value("#f-longitude") != ""
    _fill_shelter(page, "浏览器测试避难场所", "400")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(f"{live_server}/shelters/*")
    assert page.locator(".flash").inner_text() == "已保存"
    assert "玉屏社区" in page.inner_text("main")

    page.goto(f"{live_server}/shelters")
    assert page.locator("table.data", has_text="浏览器测试避难场所").count() == 1

    page.goto(f"{live_server}/map")
    page.wait_for_selector("#map[data-state=ready]")
    points = page.evaluate(_MAP_POINTS)
    assert {"name": "浏览器测试避难场所", "drawn": True} in points
    assert page.locator(".division-label", has_text="昌元街道").count() == 1
    page.context.close()


# Opens the popup of the point feature named ``name`` on the one map; returns its text.
_OPEN_POPUP = """(name) => {
  let text = null;
  window.yingjiMap.eachLayer((layer) => {
    const f = layer.feature;
    if (text === null && f && f.properties && f.properties.name === name && layer.openPopup) {
      layer.openPopup();
      text = layer.getPopup().getElement().innerText;
    }
  });
  return text;
}"""

# The same on the 四色图, whose markers are not GeoJSON layers: found by their tooltip text.
_OPEN_MARKER_POPUP = """(name) => {
  let text = null;
  window.yingjiMap.eachLayer((layer) => {
    const tip = layer.getTooltip ? layer.getTooltip() : null;
    const content = tip ? tip.getContent() : null;
    if (text === null && content && content.textContent === name && layer.getPopup()) {
      layer.openPopup();
      text = layer.getPopup().getElement().innerText;
    }
  });
  return text;
}"""


def test_risk_point_popup_on_the_map_reads_in_chinese(live_server, browser, as_user):
    bureau = as_user("bureau")
    point = bureau.post("/api/v1/risk-points", json=SAMPLES["risk-points"](POINT_A, "弹窗"))
    assert point.status_code == 201, point.text
    pid = point.json()["id"]
    graded = bureau.post(
        f"/api/v1/risk-points/{pid}/assessments",
        json={"method": "lec", "l": 0.1, "e": 0.5, "c": 1},
    )
    assert graded.status_code == 201, graded.text

    page = new_page(browser, DESKTOP)
    login(page, live_server, "bureau")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/map")
    page.wait_for_selector("#map[data-state=ready]")
    text = page.evaluate(_OPEN_POPUP, "风险点弹窗")
    assert text is not None
    flat = "".join(text.split())  # a row is a th and a td: innerText puts a tab between
    assert "风险点弹窗" in flat
    for row in ("风险点类型：", "风险等级：低风险", "风险值：0.05", "责任人：王强"):
        assert row in flat, text
    for key in ("registry", "division_code", "detail_url", "kind", "level", "score", "color"):
        assert key not in text, text
    link = page.locator(".leaflet-popup-content h3 a")
    assert link.get_attribute("href") == f"/risk-points/{pid}"

    # The 四色图 builds its popups from the same field labels.
    page.goto(f"{live_server}/risks/colour-map")
    page.wait_for_selector("#risk-map[data-state=ready]")
    text = page.evaluate(_OPEN_MARKER_POPUP, "风险点弹窗")
    assert text is not None
    flat = "".join(text.split())
    for row in ("风险等级：低风险", "风险值：0.05", "责任人：王强"):
        assert row in flat, text
    for key in ("registry", "division_code", "detail_url", "level", "score", "color"):
        assert key not in text, text
    page.context.close()


def test_phone_layout_menu_and_cards(live_server, browser, shots):
    page = new_page(browser, PHONE)
    login(page, live_server, "bureau")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/shelters/new")
    _fill_shelter(page, "手机避难场所", "300")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(f"{live_server}/shelters/*")
    page.screenshot(path=str(shots / "phone-detail.png"), full_page=True)

    page.goto(f"{live_server}/shelters")
    nav = page.locator("#app-nav")
    assert not nav.is_visible()
    page.click(".nav-toggle")
    assert nav.is_visible()
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    assert page.locator("#app-nav a[href='/shelters']").is_visible()
    page.screenshot(path=str(shots / "phone-menu.png"))
    page.click(".nav-toggle")
    assert not nav.is_visible()

    row = page.locator("table.data tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    assert page.locator("table.data thead").evaluate("el => el.offsetHeight") <= 1
    label = row.locator("td").first.evaluate("el => getComputedStyle(el, '::before').content")
    assert "名称" in label
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing forces sideways scrolling
    page.screenshot(path=str(shots / "phone-list.png"), full_page=True)

    page.goto(f"{live_server}/map")
    _map_ready(page)
    page.screenshot(path=str(shots / "phone-map.png"))
    page.context.close()

    desktop = new_page(browser, DESKTOP)
    login(desktop, live_server, "bureau")
    desktop.wait_for_url(f"{live_server}/")
    desktop.screenshot(path=str(shots / "desktop-home.png"), full_page=True)
    for name in ("shelters", "shelters/new", "map"):
        desktop.goto(f"{live_server}/{name}")
        if name == "map":
            _map_ready(desktop)
        desktop.screenshot(path=str(shots / f"desktop-{name.replace('/', '-')}.png"))
    desktop.context.close()


def test_wrong_password_shows_the_error(live_server, browser):
    page = new_page(browser, DESKTOP)
    login(page, live_server, "bureau", password="not-the-password-1")
    assert page.locator(".login-box .errors").inner_text() == "用户名或密码错误"
    assert page.url.startswith(f"{live_server}/login")
    page.context.close()


def test_capacity_too_large_is_explained_next_to_the_field(live_server, browser, shots):
    page = new_page(browser, DESKTOP)
    login(page, live_server, "bureau")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/shelters/new")
    _fill_shelter(page, "过载避难场所", "5000")
    page.click("#record-form button[type=submit]")
    error = page.locator("#field-capacity_persons .field-error")
    assert "超过有效面积" in error.inner_text()
    assert page.input_value("#f-name") == "过载避难场所"  # what was typed is kept
    page.screenshot(path=str(shots / "desktop-form-error.png"), full_page=True)
    page.context.close()
