"""Helpers for page tests: sign in through the login form, read CSRF tokens from pages."""

from __future__ import annotations

import re
from typing import Any

from support.district import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def csrf_from(html: str) -> str:
    """Return the CSRF token of a page (hidden form field, else the meta tag)."""
    found = _CSRF.search(html) or _META.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(client: Any, username: str, password: str = PASSWORD, next_url: str = "/") -> Any:
    """Sign in through the form; return the (unfollowed) answer to the POST."""
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_url},
        follow_redirects=False,
    )


def signed_in(client: Any, username: str) -> str:
    """Sign ``client`` in as ``username``; return the session's CSRF token for forms."""
    answer = login(client, username)
    assert answer.status_code == 303, answer.text
    return csrf_from(client.get("/").text)
