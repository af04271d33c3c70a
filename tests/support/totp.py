"""The test district's authenticator app: the TOTP code an enrolled user would type now.

Admins need a second factor (``Settings.totp_required_roles``); the test district and the demo
enrol them with ``DEMO_TOTP_SECRET``. Like a person who waits for the next code after using
one, ``next_code`` returns the earliest code not yet accepted, so a test may sign the same
admin in more than once within one 30-second step (at most twice: the window is one step).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from yingji.accounts import second_factor as totp
from yingji.accounts.queries import find_user_by_username, second_factor_of
from yingji.demo.people import DEMO_TOTP_SECRET

SECRET = DEMO_TOTP_SECRET


def code_for(at: datetime) -> str:
    """Return the code of the shared test secret at ``at``."""
    return totp.code_at(SECRET, at)


def next_code(ctx: Any, username: str) -> str:
    """Return the first code at or after the app clock's step that the server has not used."""
    now = ctx.clock.now()
    with ctx.session_factory() as session:
        user = find_user_by_username(session, username)
        factor = second_factor_of(session, user.id) if user is not None else None
        last = factor.last_step if factor is not None else 0
    for ahead in range(totp.WINDOW + 1):
        at = now + timedelta(seconds=totp.STEP_SECONDS * ahead)
        if totp.step_of(at) > last:
            return code_for(at)
    raise AssertionError(f"{username}: every code of the window was used; move the clock")
