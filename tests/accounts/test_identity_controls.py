"""Identity controls (GB/T 22239-2019 8.1.4.1): sessions that really end, revocable tokens,
throttling nobody else can trigger, the password policy and checked account references."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from support.district import PASSWORD
from support.web import csrf_from, login, signed_in
from yingji.bootstrap import create_app
from yingji.core.audit import AuditEntry
from yingji.core.clock import FixedClock
from yingji.settings import Settings


def token_for(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _signed_in_page(client: TestClient) -> int:
    return client.get("/", follow_redirects=False).status_code


def test_logout_ends_the_session_for_a_copied_cookie_too(app):
    with TestClient(app) as browser, TestClient(app) as thief:
        csrf = signed_in(browser, "duty")
        thief.cookies.update(browser.cookies)
        assert _signed_in_page(thief) == 200
        out = browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert thief.get("/", follow_redirects=False).headers["location"].startswith("/login")
        assert thief.get("/api/v1/me").status_code == 401


@pytest.fixture
def timed(ctx):
    """An app on the test database whose clock the test moves."""
    clock = FixedClock(datetime.now(UTC))
    app = create_app(ctx=dataclasses.replace(ctx, clock=clock))
    with TestClient(app) as client:
        yield client, clock


def test_an_idle_session_times_out_but_use_keeps_it_alive(timed, ctx):
    client, clock = timed
    signed_in(client, "duty")
    for _ in range(3):  # 3 × 20 min of steady use: never idle for 30 min
        clock.advance(timedelta(minutes=20))
        assert _signed_in_page(client) == 200
    clock.advance(timedelta(minutes=ctx.settings.session_idle_minutes + 1))
    assert _signed_in_page(client) == 303


def test_a_session_ends_at_its_maximum_age_however_busy(timed, ctx):
    client, clock = timed
    signed_in(client, "duty")
    steps = ctx.settings.session_max_hours * 3
    for _ in range(steps - 1):
        clock.advance(timedelta(minutes=20))
        assert _signed_in_page(client) == 200
    clock.advance(timedelta(minutes=21))
    assert _signed_in_page(client) == 303


def test_a_password_change_ends_sessions_and_tokens(app, ctx):
    from yingji.accounts.queries import find_user_by_username
    from yingji.accounts.service import set_password
    from yingji.core.actor import system_actor

    with TestClient(app) as browser:
        signed_in(browser, "town_a")
        token = token_for(browser, "town_a").json()["access_token"]
        with ctx.uow(system_actor("test")) as uow:
            user = find_user_by_username(uow.session, "town_a")
            assert user is not None
            set_password(uow, user, "Another-pass-2026")
            uow.commit()
        assert _signed_in_page(browser) == 303
        bearer = {"Authorization": f"Bearer {token}"}
        assert browser.get("/api/v1/me", headers=bearer).status_code == 401


def test_a_token_revokes_itself_and_unknown_tokens_are_no_error(client):
    token = token_for(client, "duty").json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert client.post("/api/v1/auth/revoke", headers=bearer).status_code == 204
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    other = token_for(client, "duty").json()["access_token"]
    headers = {"Authorization": f"Bearer {other}"}
    answer = client.post("/api/v1/auth/revoke", headers=headers, data={"token": "no-such"})
    assert answer.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_a_user_cannot_revoke_someone_elses_token(client):
    victim = token_for(client, "town_a").json()["access_token"]
    attacker = {"Authorization": f"Bearer {token_for(client, 'town_b').json()['access_token']}"}
    assert (
        client.post("/api/v1/auth/revoke", headers=attacker, data={"token": victim}).status_code
        == 204
    )
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {victim}"}).status_code == 200
    )


def test_an_admin_ends_all_access_of_a_user(app, as_user):
    with TestClient(app) as browser:
        signed_in(browser, "grid_a")
        token = token_for(browser, "grid_a").json()["access_token"]
        grid_id = browser.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()[
            "id"
        ]
        assert as_user("bureau").post(f"/api/v1/users/{grid_id}/revoke").status_code == 403
        assert as_user("admin").post("/api/v1/users/999999/revoke").status_code == 404
        assert as_user("admin").post(f"/api/v1/users/{grid_id}/revoke").status_code == 204
        assert _signed_in_page(browser) == 303
        bearer = {"Authorization": f"Bearer {token}"}
        assert browser.get("/api/v1/me", headers=bearer).status_code == 401


def test_failures_from_one_client_do_not_lock_the_account_elsewhere(app, ctx):
    with (
        TestClient(app, client=("203.0.113.9", 1)) as attacker,
        TestClient(app, client=("10.0.0.5", 1)) as duty_desk,
    ):
        for _ in range(ctx.settings.login_max_failures):
            assert token_for(attacker, "duty", "wrong-password-1").status_code == 401
        assert token_for(attacker, "duty").status_code == 429
        assert token_for(duty_desk, "duty").status_code == 200
        assert login(duty_desk, "duty").status_code == 303


def test_a_client_spraying_many_usernames_is_locked_as_a_whole(app, ctx):
    settings = ctx.settings
    limit = settings.login_max_failures * settings.login_client_failure_factor
    with TestClient(app, client=("198.51.100.7", 1)) as sprayer:
        for n in range(limit):
            assert token_for(sprayer, f"guess{n % 7}", "wrong-password-1").status_code == 401
        assert token_for(sprayer, "bureau").status_code == 429


def test_failed_logins_are_audited(client, ctx):
    token_for(client, "duty", "wrong-password-1")
    token_for(client, "nobody", "wrong-password-1")
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "accounts.user.login_failed")
        ).all()
    assert sorted(r.after["username"] for r in rows if r.after) == ["duty", "nobody"]
    assert {r.entity_id for r in rows} - {"unknown"}  # the known user is named by id


_NEW = {
    "username": "new_town",
    "display_name": "新人",
    "role": "township_officer",
    "division_code": "500153002",
}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-1", "至少 10 位"),
        ("onlyletterslong", "两类"),
        ("password12", "过于常见"),
        ("Password12", "过于常见"),
        ("new_town-2026", "用户名"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(as_user, password, reason):
    answer = as_user("admin").post("/api/v1/users", json={**_NEW, "password": password})
    assert answer.status_code == 422, answer.text
    fields = {e["field"]: e["reason"] for e in answer.json()["errors"]}
    assert reason in fields["password"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"division_code": "500153999"}, "division_code"),
        ({"department_id": 999999}, "department_id"),
        (
            {"role": "enterprise_officer", "division_code": None, "enterprise_id": 999999},
            "enterprise_id",
        ),
    ],
)
def test_accounts_must_name_existing_records(as_user, extra, field):
    body = {**_NEW, "password": "Another-pass-9", **extra}
    answer = as_user("admin").post("/api/v1/users", json=body)
    assert answer.status_code == 422, answer.text
    assert field in {e["field"] for e in answer.json()["errors"]}
    assert as_user("admin").get("/api/v1/users").json()[-1]["username"] != "new_town"


def test_the_session_cookie_is_secure_outside_demo_mode(app):
    assert Settings(demo=False).cookie_secure() is True
    assert Settings(demo=True).cookie_secure() is False
    assert Settings(demo=True, session_cookie_secure=True).cookie_secure() is True
    assert Settings(demo=False, session_cookie_secure=False).cookie_secure() is False


def test_the_login_page_still_rotates_a_planted_session(client):
    client.cookies.set("yingji_session", "planted")
    page = client.get("/login")
    assert csrf_from(page.text)
    assert login(client, "duty").status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200


def test_ended_sessions_and_tokens_are_deleted_not_just_flagged(app, ctx):
    from yingji.accounts.models import ApiToken, PageSession
    from yingji.accounts.tasks import prune_credentials

    with TestClient(app) as browser:
        csrf = signed_in(browser, "duty")
        live = token_for(browser, "duty").json()["access_token"]
        dead = token_for(browser, "duty").json()["access_token"]
        browser.post("/api/v1/auth/revoke", headers={"Authorization": f"Bearer {dead}"})
        browser.post("/logout", data={"csrf_token": csrf})
        signed_in(browser, "duty")
        with ctx.session_factory() as session:
            before = (
                len(session.scalars(select(PageSession)).all()),
                len(session.scalars(select(ApiToken)).all()),
            )
        assert prune_credentials(ctx, datetime.now(UTC)) == 2
        with ctx.session_factory() as session:
            after = (
                len(session.scalars(select(PageSession)).all()),
                len(session.scalars(select(ApiToken)).all()),
            )
        assert after == (before[0] - 1, before[1] - 1)
        assert _signed_in_page(browser) == 200
        assert (
            browser.get("/api/v1/me", headers={"Authorization": f"Bearer {live}"}).status_code
            == 200
        )


def test_an_admin_unlocks_a_locked_account(app, ctx, as_user):
    with TestClient(app, client=("203.0.113.7", 1)) as desk:
        for _ in range(ctx.settings.login_max_failures):
            assert token_for(desk, "duty", "wrong-password-1").status_code == 401
        assert token_for(desk, "duty").status_code == 429
        duty_id = as_user("duty").get("/api/v1/me").json()["id"]
        assert as_user("bureau").post(f"/api/v1/users/{duty_id}/unlock").status_code == 403
        assert as_user("admin").post(f"/api/v1/users/{duty_id}/unlock").status_code == 204
        assert token_for(desk, "duty").status_code == 200
    with ctx.session_factory() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "accounts.user.unlock")
        ).all()
    assert actions == ["accounts.user.unlock"]
