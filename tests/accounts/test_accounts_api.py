"""Accounts: bearer tokens, throttling, roles and scopes, password hashing, the CLI."""

from __future__ import annotations

from typer.testing import CliRunner

from support.district import PASSWORD
from yingji.accounts.passwords import hash_password, verify_password


def token_for(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_password_flow_issues_a_working_token(client):
    r = token_for(client, "town_a")
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["username"], me["role"], me["division_code"]) == (
        "town_a",
        "township_officer",
        "500153001",
    )
    assert "password_hash" not in me


def test_wrong_password_is_401_and_throttled_after_five(client, ctx):
    for _ in range(ctx.settings.login_max_failures):
        assert token_for(client, "duty", "wrong-password-1").status_code == 401
    r = token_for(client, "duty")  # right password, but locked for the window
    assert r.status_code == 429
    assert "分钟后再试" in r.json()["detail"]


def test_unknown_user_and_bad_token(client):
    assert token_for(client, "nobody").status_code == 401
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_argon2id_hashes():
    h = hash_password("Secret-pass-1")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "Secret-pass-1")
    assert not verify_password(h, "Secret-pass-2")
    assert not verify_password(None, "anything")


def test_only_admin_manages_users(as_user):
    body = {
        "username": "new_town",
        "display_name": "新人",
        "password": "Another-pass-9",
        "role": "township_officer",
        "division_code": "500153002",
    }
    assert as_user("bureau").post("/api/v1/users", json=body).status_code == 403
    r = as_user("admin").post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    assert as_user("admin").post("/api/v1/users", json=body).status_code == 409


def test_role_scope_rules_are_422(as_user):
    admin = as_user("admin")
    base = {"display_name": "x", "password": "Another-pass-9"}
    cases = [
        ({"username": "t1", "role": "township_officer"}, "division_code"),
        ({"username": "t2", "role": "enterprise_officer"}, "enterprise_id"),
        ({"username": "t3", "role": "grid_member", "division_code": "500153001"}, "division_code"),
        ({"username": "t4", "role": "bureau_staff", "division_code": "110101"}, "division_code"),
        ({"username": "t5", "role": "bureau_staff", "password": "short"}, "password"),
        ({"username": "t6", "role": "pilot"}, "role"),
    ]
    for extra, field in cases:
        r = admin.post("/api/v1/users", json={**base, **extra})
        assert r.status_code == 422, (extra, r.text)
        assert field in {e["field"] for e in r.json()["errors"]}, (extra, r.json())


def _cli(ctx, monkeypatch, args, stdin):
    from yingji.entrypoints.cli import app
    from yingji.settings import get_settings

    monkeypatch.setenv("YINGJI_DATABASE_URL", ctx.settings.database_url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args, input=stdin)
    finally:
        get_settings.cache_clear()


def test_cli_user_create(ctx, monkeypatch, client):
    r = _cli(
        ctx,
        monkeypatch,
        [
            "user",
            "create",
            "zhang",
            "--role",
            "township_officer",
            "--division",
            "500153002",
            "--password-stdin",
        ],
        "Cli-password-1\n",
    )
    assert r.exit_code == 0, r.output
    assert "created user zhang" in r.output
    assert token_for(client, "zhang", "Cli-password-1").status_code == 200


def test_cli_user_create_errors_exit_non_zero(ctx, monkeypatch):
    r = _cli(
        ctx,
        monkeypatch,
        ["user", "create", "li", "--role", "captain", "--password-stdin"],
        "Cli-password-1\n",
    )
    assert r.exit_code != 0
    assert "unknown role" in r.output
    r = _cli(
        ctx,
        monkeypatch,
        ["user", "create", "li", "--role", "township_officer", "--password-stdin"],
        "Cli-password-1\n",
    )
    assert r.exit_code != 0
    assert "division_code" in r.output
    r = _cli(ctx, monkeypatch, ["user", "create", "li", "--role", "admin"], "")
    assert r.exit_code != 0
    assert "--password-stdin" in r.output


def test_departments_are_listed_for_signed_in_users(as_user, client, ctx):
    from yingji.accounts.service import ensure_department
    from yingji.core.actor import system_actor

    with ctx.uow(system_actor("t")) as uow:
        ensure_department(uow, "区应急管理局", "500153", kind="bureau")
        uow.commit()
    names = [d["name"] for d in as_user("grid_a").get("/api/v1/departments").json()]
    assert "区应急管理局" in names
    assert client.get("/api/v1/departments").status_code == 401
