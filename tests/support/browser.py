"""Browser-test plugin: the one live server and the one Playwright browser of a test process.

Registered in tests/conftest.py (``pytest_plugins``). Every browser test uses these fixtures
instead of starting its own ``sync_playwright()``: Playwright's sync API runs an event loop
for as long as it is open, so a second ``sync_playwright()`` in the same process (two browser
files on one pytest-xdist worker) fails with "using Playwright Sync API inside the asyncio
loop". Here ``browser`` is session-scoped and is the only place that starts Playwright.

The server is the real app under uvicorn on a free local port, on a SQLite copy of the test
district (the PostgreSQL run of browser tests is skipped: the browser adds nothing there).
Chromium is Debian's (scripts/install-system-deps.sh); Playwright only drives it.
Screenshots go to the test's tmp dir, or to $YINGJI_SCREENSHOT_DIR when set.

Every page opened with ``new_page`` is watched (``PageWatch``): a Content-Security-Policy
violation or an uncaught script error fails the test that opened it, so a page script that
the policy blocks (an inline script, eval) cannot break a page silently.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from support.district import PASSWORD
from support.totp import code_for

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
    """Serve the app on a free 127.0.0.1 port in a background thread; return its base URL.

    SQLite only: on any other engine the test is skipped before a database copy is made.
    """
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
    """Return headless Debian Chromium driven by Playwright (never `playwright install`).

    One per test process: the only ``sync_playwright()`` of the test suite.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Return the folder screenshots are saved in ($YINGJI_SCREENSHOT_DIR or the tmp dir)."""
    target = Path(os.environ.get("YINGJI_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


# Runs in every document before its own scripts: CSP violations go to the test process.
_WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__yingjiViolation([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber,
                            e.sample].join(" | "));
});
"""


@dataclass
class PageWatch:
    """What went wrong in the pages of one browser context: CSP violations, script errors."""

    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Return the violations and uncaught errors seen so far."""
        return [f"CSP: {v}" for v in self.violations] + [f"JS: {e}" for e in self.errors]

    def take(self) -> list[str]:
        """Return the problems seen so far and forget them (a test that asserts on them
        itself; the end-of-test check then reports only what came later)."""
        found = self.problems()
        self.violations.clear()
        self.errors.clear()
        return found


_watches: list[PageWatch] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep the call phase's report on the item (``_pages_ran_clean`` reads it)."""
    report = yield
    if report.when == "call":
        item.yingji_call_passed = report.passed  # type: ignore[attr-defined]
    return report


@pytest.fixture(autouse=True)
def _pages_ran_clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test whose pages (opened with ``new_page``) hit a CSP violation or a JS error.

    Only a test that passed otherwise: a failed or xfailed one has already said what broke.
    """
    _watches.clear()
    yield
    problems = [p for w in _watches for p in w.problems()]
    _watches.clear()
    if problems and getattr(request.node, "yingji_call_passed", False):
        pytest.fail("the pages reported problems:\n" + "\n".join(problems))


def watch_of(page: Any) -> PageWatch:
    """Return the watch of a page opened with ``new_page``."""
    found: PageWatch = page.context.yingji_watch
    return found


def new_page(browser: Any, viewport: dict[str, int] | None, **context_kwargs: Any) -> Any:
    """Open a page in a new browser context (locale zh-CN, 15 s default timeout).

    ``viewport=None`` keeps Playwright's default size; ``context_kwargs`` go to
    ``browser.new_context`` (geolocation, permissions, is_mobile, ...). The caller closes the
    context: ``page.context.close()``. The context is watched (``watch_of``).
    """
    context_kwargs.setdefault("locale", "zh-CN")
    context = browser.new_context(viewport=viewport, **context_kwargs)
    context.set_default_timeout(15_000)
    watch = PageWatch()
    _watches.append(watch)
    context.yingji_watch = watch
    context.expose_binding("__yingjiViolation", lambda _source, text: watch.violations.append(text))
    context.add_init_script(_WATCH_SCRIPT)
    page = context.new_page()
    page.on("pageerror", lambda error: watch.errors.append(f"{page.url}: {error}"))
    return page


# Accounts of the test district and the demo with a TOTP app enrolled (the admins).
SECOND_FACTOR_USERS = frozenset({"admin"})


def login(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Submit the login form at ``{base}/login`` as ``username`` (does not wait for the result).

    For an account with a second factor (admins) it waits for the code form and types the
    code the test authenticator shows now (the live server runs on the wall clock).
    """
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    if username in SECOND_FACTOR_USERS:
        page.wait_for_url("**/login/second-factor")
        page.fill("#code", code_for(datetime.now(UTC)))
        page.click("button[type=submit]")
