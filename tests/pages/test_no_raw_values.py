"""Every menu page, for every demo role, reads in Chinese: no raw code, key or float artefact.

Generated from the running app: the demo district is seeded once, each demo user signs in, and
every link in that user's menu is opened, plus the first two records each list links to.
The visible text of each page (``support.visible``) must hold no stored enum code (``red``,
``ordinary``), no English field key (``division_code``), no stray English word (``rainfall``)
and no float printed with more than three decimals (``50.199999999999996``). A failure names
the page, the user and the line, so the fix is in the display layer (``core/web/display.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from support.visible import Leak, leaks, visible_text
from support.web import login
from yingji.bootstrap import create_app
from yingji.demo.people import DEMO_PASSWORD, DEMO_USERS
from yingji.demo.seed import seed_demo
from yingji.migrations.runner import upgrade
from yingji.settings import Settings

_NAV = re.compile(r"<nav\b.*?</nav>", re.S)
_LINK = re.compile(r'href="(/[^"#?]*)"')
_DETAIL = re.compile(r'href="(/[a-z][a-z/-]*/\d+)"')
# Not pages to read: signing out ends the session the rest of the walk needs.
_SKIP = frozenset({"/logout"})


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Return a client on a freshly seeded demo district (SQLite; the seed is engine-neutral)."""
    path: Path = tmp_path_factory.mktemp("raw-values") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    settings = Settings(database_url=url, demo=True)
    seed_demo(settings)
    with TestClient(create_app(settings)) as client:
        yield client


def _walk(client: TestClient, username: str) -> dict[str, list[Leak]]:
    client.cookies.clear()
    assert login(client, username, DEMO_PASSWORD).status_code == 303
    home = client.get("/")
    nav = _NAV.search(home.text)
    assert nav is not None, "the layout has no menu"
    pages = ["/", *sorted(set(_LINK.findall(nav.group(0))) - _SKIP)]
    found: dict[str, list[Leak]] = {}
    opened: set[str] = set()
    for url in pages:
        answer = client.get(url)
        assert answer.status_code == 200, f"{username} {url}: {answer.status_code}"
        opened.add(url)
        found[url] = leaks(visible_text(answer.text))
        if url == "/":
            continue
        details = [d for d in dict.fromkeys(_DETAIL.findall(answer.text)) if d not in opened]
        for detail in details[:2]:
            page = client.get(detail)
            assert page.status_code == 200, f"{username} {detail}: {page.status_code}"
            opened.add(detail)
            found[detail] = leaks(visible_text(page.text))
    assert len(opened) >= 2, f"{username} opened only {sorted(opened)}"
    return found


@pytest.mark.parametrize("username", [u.username for u in DEMO_USERS])
def test_menu_pages_show_no_raw_values(demo_client: TestClient, username: str) -> None:
    found = _walk(demo_client, username)
    problems = [
        f"{url}: {leak.kind} {leak.value!r} in {leak.line!r}"
        for url, items in found.items()
        for leak in items
    ]
    assert problems == [], f"{username} sees raw values:\n" + "\n".join(problems)


def test_the_check_catches_each_kind_of_leak() -> None:
    # The detector itself: each kind of leak is found, labelled text passes.
    page = (
        "<html><body><p>等级 red</p><p>division_code</p><p>降雨量 50.199999999999996 mm</p>"
        "<p>监测项 rainfall</p><p>红色 50.2 mm 东经 105.42730°</p><code>rain.key_x</code>"
        "<script>var a = 'red';</script><input type='hidden' value='ordinary'></body></html>"
    )
    kinds = sorted({(leak.kind, leak.value) for leak in leaks(visible_text(page))})
    assert kinds == [
        ("english word", "rainfall"),
        ("enum code", "red"),
        ("field key", "division_code"),
        ("float", "50.199999999999996"),
    ]
