"""Helpers for page tests: sign in through the login form, read CSRF tokens from pages."""

from __future__ import annotations

import re
from typing import Any

from support.district import PASSWORD
from support.totp import next_code
from yingji.accounts.pages import SECOND_FACTOR_PATH

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def csrf_from(html: str) -> str:
    """Return the CSRF token of a page (hidden form field, else the meta tag)."""
    found = _CSRF.search(html) or _META.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(client: Any, username: str, password: str = PASSWORD, next_url: str = "/") -> Any:
    """Sign in through the form; return the (unfollowed) answer to the last POST.

    When the account needs a second factor (admins), the TOTP step is completed too, with
    the code the test district's authenticator shows on the app's clock.
    """
    token = csrf_from(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_url},
        follow_redirects=False,
    )
    if answer.status_code != 303 or answer.headers["location"] != SECOND_FACTOR_PATH:
        return answer
    step = csrf_from(client.get(SECOND_FACTOR_PATH).text)
    code = next_code(client.app.state.ctx, username)
    return client.post(
        SECOND_FACTOR_PATH,
        data={"code": code, "csrf_token": step},
        follow_redirects=False,
    )


def signed_in(client: Any, username: str) -> str:
    """Sign ``client`` in as ``username``; return the session's CSRF token for forms."""
    answer = login(client, username)
    assert answer.status_code == 303, answer.text
    return csrf_from(client.get("/").text)
