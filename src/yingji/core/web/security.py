"""Security headers on every response: Content-Security-Policy and the browser hardening set.

The policy is the second line of defence behind output escaping (docs/security.md, "Output
safety"): pages load scripts only from this origin (``script-src 'self'``, no inline script,
no eval), so a name that slipped through unescaped cannot run as code. Page data reaches the
static scripts in ``data-`` attributes or ``<script type="application/json">`` blocks.

``style-src`` keeps ``'unsafe-inline'``: templates carry ``style="…"`` attributes (map heights,
widths) and ECharts renders its tooltips as HTML with inline ``style`` attributes, both of which
CSP would otherwise drop. Leaflet and ECharts also set styles through DOM properties, which
CSP never blocks. Inline styles cannot run code, so the trade is layout for no script risk.

``img-src`` allows this origin, ``data:`` (Leaflet's and ECharts' inline images) and the host of
the configured map tile server (``settings.map_tiles_url``).

The Swagger UI page (``/api/docs``) is FastAPI's: it loads its assets from a CDN and starts them
with an inline script, so it gets a policy of its own that allows exactly that; it shows the
API schema, never user data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yingji.settings import Settings

# FastAPI's Swagger UI pulls swagger-ui-dist from here (fastapi.openapi.docs defaults).
_SWAGGER_CDN = "https://cdn.jsdelivr.net"
_SWAGGER_FAVICON = "https://fastapi.tiangolo.com"

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def tile_source(tiles_url: str) -> str | None:
    """Return the CSP source expression that covers a Leaflet tile URL template, or None.

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``. A
    placeholder inside the leftmost host label widens that label to ``*`` (CSP allows a
    wildcard only there); a placeholder deeper in the host falls back to the scheme alone.
    A relative template (served by this origin) or an empty one needs no source.
    """
    parts = urlsplit(tiles_url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]  # never put credentials into a header
    host, sep, port = netloc.partition(":")
    if _PLACEHOLDER.search(port):
        port, sep = "", ""
    labels = host.split(".")
    if any(_PLACEHOLDER.search(label) for label in labels[1:]):
        return f"{parts.scheme}:"
    if _PLACEHOLDER.search(labels[0]):
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}{sep}{port}"


def _policy(directives: dict[str, Iterable[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def content_security_policy(settings: Settings) -> str:
    """Return the Content-Security-Policy of every page."""
    images = ["'self'", "data:"]
    tiles = tile_source(settings.map_tiles_url)
    if tiles:
        images.append(tiles)
    return _policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": images,
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
        }
    )


def docs_security_policy() -> str:
    """Return the policy of FastAPI's Swagger UI pages (CDN assets, one inline start script)."""
    return _policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'", "'unsafe-inline'", _SWAGGER_CDN],
            "style-src": ["'self'", "'unsafe-inline'", _SWAGGER_CDN],
            "img-src": ["'self'", "data:", _SWAGGER_FAVICON],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
        }
    )


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    """Return the headers (name, value) every ordinary response carries."""
    return [
        ("Content-Security-Policy", content_security_policy(settings)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response (a plain ASGI middleware).

    Plain ASGI rather than ``BaseHTTPMiddleware`` so server-sent-event streams (monitoring,
    alarms) pass through unbuffered. A header the route set itself is left as it is.
    """

    def __init__(
        self, app: ASGIApp, *, headers: list[tuple[str, str]], docs: dict[str, str]
    ) -> None:
        self.app = app
        self.headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]
        self.docs = {path: policy.encode("latin-1") for path, policy in docs.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.headers
        docs_policy = self.docs.get(scope.get("path", ""))
        if docs_policy is not None:
            wanted = [(n, docs_policy if n == b"content-security-policy" else v) for n, v in wanted]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                raw.extend((n, v) for n, v in wanted if n not in present)
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI, settings: Settings) -> None:
    """Send the Content-Security-Policy and the hardening headers on every response."""
    docs = {
        path: docs_security_policy()
        for path in (app.docs_url, app.swagger_ui_oauth2_redirect_url)
        if path
    }
    app.add_middleware(SecurityHeadersMiddleware, headers=security_headers(settings), docs=docs)
