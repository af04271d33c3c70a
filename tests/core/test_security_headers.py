"""Security headers: every page route answers with the CSP and the hardening headers, pages
carry no inline script, and the tile host of the settings is allowed as an image source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from support.web import signed_in
from yingji.core.web.security import content_security_policy, tile_source
from yingji.settings import Settings

_PARAM = re.compile(r"\{[^}]+\}")
# An inline script: a <script> element without src whose type is not a JSON data block.
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def _get_paths(routes: Any, prefix: str = "") -> Iterator[str]:
    # Newer FastAPI keeps an included router as one lazy route holding the original router.
    for route in routes:
        if isinstance(route, APIRoute):
            if "GET" in route.methods:
                yield prefix + route.path
            continue
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _get_paths(inner.routes, prefix + (getattr(context, "prefix", "") or ""))


def _directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _assert_hardened(answer: Any, path: str) -> None:
    headers = answer.headers
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("referrer-policy") == "same-origin", path
    assert headers.get("x-frame-options") == "DENY", path
    policy = _directives(headers.get("content-security-policy", ""))
    assert policy.get("object-src") == ["'none'"], path
    assert policy.get("base-uri") == ["'self'"], path
    assert policy.get("frame-ancestors") == ["'none'"], path


def test_every_page_route_sends_the_policy_and_no_inline_script(app: Any, client: Any) -> None:
    signed_in(client, "bureau")
    paths = sorted({p for p in _get_paths(app.routes) if not p.startswith("/api/")})
    assert len(paths) > 50  # the walk found the pages (guards against a FastAPI change)
    html_pages = 0
    for path in paths:
        answer = client.get(_PARAM.sub("1", path), follow_redirects=False)
        assert answer.status_code < 500, (path, answer.status_code)
        _assert_hardened(answer, path)
        policy = _directives(answer.headers["content-security-policy"])
        assert policy["script-src"] == ["'self'"], path
        if answer.headers.get("content-type", "").startswith("text/html"):
            html_pages += 1
            for attrs in _SCRIPT.findall(answer.text):
                assert "src=" in attrs or "application/json" in attrs, (path, attrs)
            assert not re.search(r"\son[a-z]+\s*=", _tags(answer.text)), path
    assert html_pages > 50


def _tags(html: str) -> str:
    # Only the markup of tags: an event handler attribute would be inline script too.
    return " ".join(re.findall(r"<[a-zA-Z][^>]*>", html))


def test_login_error_and_static_responses_carry_the_headers(client: Any) -> None:
    for path in ("/login", "/no-such-page", "/static/js/app.js", "/api/v1/health"):
        _assert_hardened(client.get(path, follow_redirects=False), path)


def test_swagger_ui_gets_its_own_policy(client: Any) -> None:
    answer = client.get("/api/docs")
    assert answer.status_code == 200
    _assert_hardened(answer, "/api/docs")
    policy = _directives(answer.headers["content-security-policy"])
    assert "https://cdn.jsdelivr.net" in policy["script-src"]


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("http://tiles.bureau.local:8080/{z}/{x}/{y}.png", "http://tiles.bureau.local:8080"),
        ("https://t{s}.example.cn/tiles/{z}/{x}/{y}", "https://*.example.cn"),
        ("https://tiles.{s}.example.cn/{z}/{x}/{y}", "https:"),
        ("https://user:secret@tiles.example.cn/{z}/{x}/{y}", "https://tiles.example.cn"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_tile_source(template: str, source: str | None) -> None:
    assert tile_source(template) == source


def test_img_src_allows_the_configured_tile_host_and_data_uris() -> None:
    settings = Settings(
        database_url="sqlite://",
        demo=True,
        map_tiles_url="https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
    )
    images = _directives(content_security_policy(settings))["img-src"]
    assert images == ["'self'", "data:", "https://*.tile.openstreetmap.org"]
    assert _directives(content_security_policy(Settings(database_url="sqlite://", demo=True)))[
        "img-src"
    ] == ["'self'", "data:"]
