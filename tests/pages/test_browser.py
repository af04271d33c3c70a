"""Pages in headless Chromium against a live server: login, shelter form, list, map, phone.

The server is the real app under uvicorn on a free local port, on a SQLite copy of the test
district (the PostgreSQL run of these tests is skipped: the browser adds nothing there).
Chromium is Debian's (scripts/install-system-deps.sh); Playwright only drives it.
Screenshots go to the test's tmp dir, or to $YINGJI_SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from support.district import PASSWORD, POINT_A

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 860}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(engine_name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Serve the app on a free 127.0.0.1 port in a background thread; return its base URL."""
    if engine_name != "sqlite":
        pytest.skip("browser tests run against the SQLite copy only")
    app = request.getfixturevalue("app")  # only now: no PostgreSQL copy for a skipped test
    vendor = files("yingji.core.web") / "static" / "vendor" / "leaflet" / "leaflet.js"
    if not vendor.is_file():
        pytest.fail("static/vendor is missing: run `bash scripts/build-assets.sh` (make test does)")
    port = _free_port()
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Return headless Debian Chromium driven by Playwright (never `playwright install`)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Return the folder screenshots are saved in."""
    target = Path(os.environ.get("YINGJI_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def _page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(15_000)
    return context.new_page()


def _login(page: Any, base: str, username: str = "bureau", password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


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
    page = _page(browser, DESKTOP)
    _login(page, live_server)
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


def test_phone_layout_menu_and_cards(live_server, browser, shots):
    page = _page(browser, PHONE)
    _login(page, live_server)
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

    desktop = _page(browser, DESKTOP)
    _login(desktop, live_server)
    desktop.wait_for_url(f"{live_server}/")
    desktop.screenshot(path=str(shots / "desktop-home.png"), full_page=True)
    for name in ("shelters", "shelters/new", "map"):
        desktop.goto(f"{live_server}/{name}")
        if name == "map":
            _map_ready(desktop)
        desktop.screenshot(path=str(shots / f"desktop-{name.replace('/', '-')}.png"))
    desktop.context.close()


def test_wrong_password_shows_the_error(live_server, browser):
    page = _page(browser, DESKTOP)
    _login(page, live_server, password="not-the-password-1")
    assert page.locator(".login-box .errors").inner_text() == "用户名或密码错误"
    assert page.url.startswith(f"{live_server}/login")
    page.context.close()


def test_capacity_too_large_is_explained_next_to_the_field(live_server, browser, shots):
    page = _page(browser, DESKTOP)
    _login(page, live_server)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/shelters/new")
    _fill_shelter(page, "过载避难场所", "5000")
    page.click("#record-form button[type=submit]")
    error = page.locator("#field-capacity_persons .field-error")
    assert "超过有效面积" in error.inner_text()
    assert page.input_value("#f-name") == "过载避难场所"  # what was typed is kept
    page.screenshot(path=str(shots / "desktop-form-error.png"), full_page=True)
    page.context.close()
