"""The second factor (TOTP, RFC 6238) that 等保 2.0 三级 8.1.4.1 d asks of administrators.

Admins need one by default (``Settings.totp_required_roles``); the test district enrols its
admin with the shared test secret (tests/support/totp.py).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from support.district import PASSWORD
from support.totp import SECRET, code_for, next_code
from support.web import csrf_from, login
from yingji.accounts import second_factor as totp
from yingji.accounts.models import SecondFactor
from yingji.accounts.pages import SECOND_FACTOR_PATH
from yingji.accounts.queries import find_user_by_username
from yingji.accounts.service import enrol_second_factor
from yingji.bootstrap import create_app
from yingji.core.actor import system_actor
from yingji.core.audit import AuditEntry
from yingji.core.clock import FixedClock

NEW_ADMIN = {
    "username": "admin2",
    "display_name": "第二管理员",
    "password": "Second-admin-2026",
    "role": "admin",
}


@pytest.fixture
def timed(ctx):
    """An app on the test database whose clock the test moves."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(ctx=dataclasses.replace(ctx, clock=clock))
    with TestClient(app) as client:
        yield client, clock


def _password_step(client, username, password=PASSWORD):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/plans"},
        follow_redirects=False,
    )


def _code_step(client, code):
    token = csrf_from(client.get(SECOND_FACTOR_PATH).text)
    return client.post(
        SECOND_FACTOR_PATH, data={"code": code, "csrf_token": token}, follow_redirects=False
    )


def _signed_in(client) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def _actions(ctx, user_id):
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "accounts_user", AuditEntry.entity_id == str(user_id))
            .order_by(AuditEntry.id)
        )
        return list(rows)


def test_the_admin_needs_the_code_after_the_password(timed, ctx, ids):
    client, clock = timed
    first = _password_step(client, "admin")
    assert first.status_code == 303
    assert first.headers["location"] == SECOND_FACTOR_PATH
    assert not _signed_in(client), "the password alone must not open a session"
    wrong = _code_step(client, "000000" if code_for(clock.now()) != "000000" else "111111")
    assert wrong.status_code == 401
    assert "动态验证码错误" in wrong.text
    assert not _signed_in(client)
    right = _code_step(client, code_for(clock.now()))
    assert right.status_code == 303
    assert right.headers["location"] == "/plans", "the sign-in goes where it was going"
    assert _signed_in(client)
    actions = _actions(ctx, ids["user:admin"])
    assert actions[-3:] == [
        "accounts.user.login_password",
        "accounts.user.second_factor_failed",
        "accounts.user.login",
    ]


def test_a_code_is_accepted_once(timed):
    client, clock = timed
    code = code_for(clock.now())
    _password_step(client, "admin")
    assert _code_step(client, code).status_code == 303
    with TestClient(client.app) as other:
        _password_step(other, "admin")
        assert _code_step(other, code).status_code == 401, "a replayed code must be refused"
        clock.advance(timedelta(seconds=totp.STEP_SECONDS))
        assert _code_step(other, code_for(clock.now())).status_code == 303


def test_wrong_codes_lock_like_wrong_passwords(timed, ctx):
    client, clock = timed
    _password_step(client, "admin")
    bad = "000000" if code_for(clock.now()) != "000000" else "111111"
    for _ in range(ctx.settings.login_max_failures):
        assert _code_step(client, bad).status_code == 401
    locked = _code_step(client, code_for(clock.now()))
    assert locked.status_code == 429, "10⁶ codes must not be guessable at full speed"


def test_the_half_sign_in_expires(timed):
    client, clock = timed
    _password_step(client, "admin")
    clock.advance(timedelta(minutes=6))
    assert client.get(SECOND_FACTOR_PATH, follow_redirects=False).headers["location"] == "/login"
    assert _code_step_after_expiry(client, code_for(clock.now())) == "/login"
    assert not _signed_in(client)


def _code_step_after_expiry(client, code):
    token = csrf_from(client.get("/login").text)
    answer = client.post(
        SECOND_FACTOR_PATH, data={"code": code, "csrf_token": token}, follow_redirects=False
    )
    return answer.headers["location"]


def test_a_new_admin_enrols_at_the_first_sign_in(client, as_user, ctx):
    made = as_user("admin").post("/api/v1/users", json=NEW_ADMIN)
    assert made.status_code == 201, made.text
    _password_step(client, "admin2", NEW_ADMIN["password"])
    page = client.get(SECOND_FACTOR_PATH).text
    assert "<svg" in page
    assert "绑定动态验证码" in page
    secret = re.search(r'class="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    now = datetime.now(UTC)
    assert _code_step(client, totp.code_at(secret, now)).status_code == 303
    assert _signed_in(client)
    with ctx.session_factory() as session:
        user = find_user_by_username(session, "admin2")
        factor = session.scalar(select(SecondFactor).where(SecondFactor.user_id == user.id))
        assert factor.confirmed_at is not None
        assert secret not in factor.secret_sealed, "the secret is sealed at rest"
    with TestClient(client.app) as again:
        _password_step(again, "admin2", NEW_ADMIN["password"])
        second = again.get(SECOND_FACTOR_PATH).text
        assert "<svg" not in second, "an enrolled app is never shown again"


def test_other_roles_sign_in_in_one_step_unless_enrolled(client, ctx):
    assert login(client, "duty").headers["location"] == "/"
    with ctx.uow(system_actor("test")) as uow:
        duty = find_user_by_username(uow.session, "duty")
        enrol_second_factor(uow, duty, SECRET, ctx.settings.secret_key)
        uow.commit()
    with TestClient(client.app) as other:
        answer = _password_step(other, "duty")
        assert answer.headers["location"] == SECOND_FACTOR_PATH, "enrolling is never a no-op"


def test_required_roles_are_configuration(ctx):
    relaxed = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"totp_required_roles": frozenset()})
    )
    with TestClient(create_app(ctx=relaxed)) as client:
        with ctx.session_factory.begin() as session:
            session.execute(text("DELETE FROM accounts_second_factor"))
        assert _password_step(client, "admin").headers["location"] == "/plans"


def test_the_token_flow_asks_for_the_code(client, ctx, as_user):
    def token(username, password=PASSWORD, **extra):
        data = {"username": username, "password": password, **extra}
        return client.post("/api/v1/auth/token", data=data)

    missing = token("admin")
    assert missing.status_code == 401
    assert "totp" in missing.json()["detail"]
    assert token("admin", totp=next_code(ctx, "admin")).status_code == 200
    assert token("duty").status_code == 200
    as_user("admin").post("/api/v1/users", json=NEW_ADMIN)
    unenrolled = token("admin2", NEW_ADMIN["password"], totp="123456")
    assert unenrolled.status_code == 403
    assert "绑定" in unenrolled.json()["detail"]


def test_an_admin_resets_another_admins_factor(client, as_user, ctx, ids):
    made = as_user("admin").post("/api/v1/users", json=NEW_ADMIN).json()
    with ctx.uow(system_actor("test")) as uow:
        user = find_user_by_username(uow.session, "admin2")
        enrol_second_factor(uow, user, SECRET, ctx.settings.secret_key)
        uow.commit()
    own = as_user("admin").post(f"/api/v1/users/{ids['user:admin']}/second-factor/reset")
    assert own.status_code == 403
    assert (
        as_user("town_a").post(f"/api/v1/users/{made['id']}/second-factor/reset").status_code == 403
    )
    assert (
        as_user("admin").post(f"/api/v1/users/{made['id']}/second-factor/reset").status_code == 204
    )
    assert "accounts.second_factor.reset" in _actions(ctx, made["id"])
    _password_step(client, "admin2", NEW_ADMIN["password"])
    assert "<svg" in client.get(SECOND_FACTOR_PATH).text, "enrols a new app next time"


def _cli(ctx, monkeypatch, args, demo=False):
    from yingji.entrypoints.cli import app
    from yingji.settings import get_settings

    monkeypatch.setenv("YINGJI_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("YINGJI_DEMO", "true" if demo else "false")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()


def test_cli_enrols_resets_and_prints_demo_codes(ctx, monkeypatch):
    enrolled = _cli(ctx, monkeypatch, ["user", "enrol-second-factor", "duty"])
    assert enrolled.exit_code == 0, enrolled.output
    secret = enrolled.output.split("secret: ")[1].split("\n")[0].replace(" ", "")
    assert "otpauth://totp/" in enrolled.output
    refused = _cli(ctx, monkeypatch, ["user", "totp-code", "duty"])
    assert refused.exit_code != 0
    assert "demo mode only" in refused.output
    printed = _cli(ctx, monkeypatch, ["user", "totp-code", "duty"], demo=True)
    assert printed.exit_code == 0, printed.output
    now = datetime.now(UTC)
    nearby = {totp.code_at(secret, now + timedelta(seconds=d)) for d in (-30, 0, 30)}
    assert printed.output.strip() in nearby
    reset = _cli(ctx, monkeypatch, ["user", "reset-second-factor", "duty"])
    assert reset.exit_code == 0
    assert "removed" in reset.output
    unknown = _cli(ctx, monkeypatch, ["user", "reset-second-factor", "nobody"])
    assert unknown.exit_code != 0
    assert "no user nobody" in unknown.output
