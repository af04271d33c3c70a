"""Command line (Typer): ``db upgrade``, ``seed demo``, ``serve``, ``user create``, ``worker``,
``ingest``, ``docs state-machines``.

The commands and their options are a stable interface: scripts and integrators use them.
``YINGJI_DATABASE_URL`` selects the database for every command.
"""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any

import typer

from yingji.core.errors import DomainError
from yingji.core.web.context import AppContext

app = typer.Typer(help="应急 yingji 平台命令行", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="数据库 (database)", no_args_is_help=True)
seed_app = typer.Typer(help="数据初始化 (seed data)", no_args_is_help=True)
user_app = typer.Typer(help="用户 (users)", no_args_is_help=True)
docs_app = typer.Typer(help="文档生成 (generated docs)", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 (audit log)", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(user_app, name="user")
app.add_typer(docs_app, name="docs")
app.add_typer(audit_app, name="audit")


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from yingji.migrations.runner import upgrade
    from yingji.settings import get_settings

    upgrade(get_settings().database_url, revision)
    typer.echo(f"database upgraded to {revision}")


@seed_app.command("demo")
def seed_demo(
    users: Annotated[bool, typer.Option(help="also create the demo users")] = True,
) -> None:
    """Load the demo district (idempotent: running it again changes nothing)."""
    from yingji.settings import get_settings

    settings = get_settings()
    from yingji.bootstrap import build_context
    from yingji.demo.seed import seed_demo as run_seed

    if not settings.demo:  # refuse before touching the database
        _fail("yingji seed demo 只能在演示模式下运行：请设置 YINGJI_DEMO=true")
    ctx = build_context(settings)
    try:
        report = run_seed(settings, with_users=users, context=ctx)
    except DomainError as exc:
        _fail(exc.detail)
        return
    finally:
        ctx.engine.dispose()
    for line in report:
        typer.echo(line)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Serve the web application and API."""
    import uvicorn

    from yingji.settings import get_settings

    settings = get_settings()
    try:
        settings.check()
    except RuntimeError as exc:
        _fail(str(exc))
    if settings.demo and not _loopback(host):
        # Demo mode prints its passwords and seeds made-up people: never on a network.
        _fail(f"演示模式只能监听本机地址（127.0.0.1 / ::1），拒绝绑定 {host}")
    uvicorn.run(
        "yingji.entrypoints.web:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


def _loopback(host: str) -> bool:
    """Tell whether ``host`` names this machine only (localhost or a loopback address)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option("--role", help="admin, bureau_staff, duty_officer, ...")],
    division: Annotated[str | None, typer.Option("--division", help="division code")] = None,
    enterprise: Annotated[
        str | None,
        typer.Option(
            "--enterprise", help="统一社会信用代码 of the enterprise (enterprise_officer)"
        ),
    ] = None,
    display_name: Annotated[str | None, typer.Option("--name", help="display name")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user with a role and a scope."""
    from pydantic import ValidationError

    from yingji.accounts.references import USER_REFERENCES
    from yingji.accounts.rules import parse_role
    from yingji.accounts.schemas import UserCreate
    from yingji.accounts.service import create_user, password_policy
    from yingji.bootstrap import build_context
    from yingji.core.actor import system_actor

    if not password_stdin:
        _fail("the password must come from standard input: use --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        _fail("no password on standard input")
    try:
        role_value = parse_role(role)
    except ValueError as exc:
        _fail(str(exc))
        return
    ctx = build_context()
    enterprise_id: int | None = None
    if enterprise is not None:
        enterprise_id = _enterprise_id(ctx, enterprise)
    try:
        data = UserCreate(
            username=username,
            display_name=display_name or username,
            password=password,
            role=role_value,
            division_code=division,
            enterprise_id=enterprise_id,
        )
        with ctx.uow(system_actor("cli")) as uow:
            user = create_user(
                uow,
                data,
                district_code=ctx.settings.district_code,
                references=ctx.extensions.get(USER_REFERENCES),
                policy=password_policy(ctx.settings),
            )
            uow.commit()
    except ValidationError as exc:
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        return
    except DomainError as exc:
        reasons = "; ".join(f"{e.field}: {e.reason}" for e in exc.errors) or exc.detail
        _fail(f"{exc.detail}: {reasons}" if exc.errors else reasons)
        return
    typer.echo(f"created user {user.username} (id {user.id}, role {user.role})")


def _user_or_fail(ctx: AppContext, username: str) -> Any:
    from yingji.accounts.queries import find_user_by_username

    with ctx.session_factory() as session:
        user = find_user_by_username(session, username)
    if user is None:
        _fail(f"no user {username}")
    return user


@user_app.command("enrol-second-factor")
def user_enrol_second_factor(
    username: Annotated[str, typer.Argument(help="login name")],
) -> None:
    """Enrol a new TOTP secret for a user and print it once (for the user's authenticator app).

    For handing over an administrator account with no first-sign-in enrolment window.
    """
    from yingji.accounts import second_factor as totp
    from yingji.accounts.models import User
    from yingji.accounts.service import enrol_second_factor
    from yingji.bootstrap import build_context
    from yingji.core.actor import system_actor

    ctx = build_context()
    found = _user_or_fail(ctx, username)
    secret = totp.new_secret()
    with ctx.uow(system_actor("cli")) as uow:
        user = uow.session.get(User, found.id)
        assert user is not None
        enrol_second_factor(uow, user, secret, ctx.settings.secret_key)
        uow.commit()
    uri = totp.provisioning_uri(secret, username, ctx.settings.totp_issuer)
    typer.echo(f"secret: {totp.grouped(secret)}\notpauth URI: {uri}")


@user_app.command("reset-second-factor")
def user_reset_second_factor(
    username: Annotated[str, typer.Argument(help="login name")],
) -> None:
    """Remove a user's TOTP app (a lost phone) and end their sessions; they enrol again."""
    from yingji.accounts.models import User
    from yingji.accounts.service import reset_second_factor
    from yingji.bootstrap import build_context
    from yingji.core.actor import system_actor

    ctx = build_context()
    found = _user_or_fail(ctx, username)
    with ctx.uow(system_actor("cli")) as uow:
        user = uow.session.get(User, found.id)
        assert user is not None
        removed = reset_second_factor(uow, user)
        uow.commit()
    typer.echo(f"second factor of {username} {'removed' if removed else 'was not enrolled'}")


@user_app.command("totp-code")
def user_totp_code(username: Annotated[str, typer.Argument(help="login name")]) -> None:
    """Print a demo user's current TOTP code (demo mode only: the demo has no phones)."""
    from yingji.accounts import second_factor as totp
    from yingji.accounts.queries import second_factor_of
    from yingji.bootstrap import build_context

    ctx = build_context()
    if not ctx.settings.demo:
        _fail("totp-code works in demo mode only (YINGJI_DEMO=true)")
    user = _user_or_fail(ctx, username)
    with ctx.session_factory() as session:
        factor = second_factor_of(session, user.id)
    secret = totp.unseal(factor.secret_sealed, ctx.settings.secret_key) if factor else None
    if secret is None:
        _fail(f"{username} has no second factor enrolled")
        return
    typer.echo(totp.code_at(secret, ctx.clock.now()))


def _enterprise_id(ctx: AppContext, credit_code: str) -> int:
    from yingji.bootstrap import find_enterprise_id

    found = find_enterprise_id(ctx, credit_code)
    if found is None:
        _fail(f"no enterprise with 统一社会信用代码 {credit_code}")
        raise AssertionError  # unreachable: _fail exits
    return found


@app.command("worker")
def worker(
    once: Annotated[
        bool, typer.Option(help="relay what is pending, run every job, then exit")
    ] = False,
    interval: Annotated[float, typer.Option(help="seconds between polls")] = 1.0,
) -> None:
    """Relay outbox events to their handlers and run the periodic jobs (escalations, reminders)."""
    from yingji.bootstrap import build_context
    from yingji.core.privacy import install_log_masking

    install_log_masking()

    ctx = build_context()
    if once:
        done = ctx.relay_count()
        ran = ctx.jobs.run_all(ctx, ctx.clock.now())
        typer.echo(f"relayed {done} events; jobs: {ran}")
        return
    while True:
        done = ctx.relay_count()
        ran = ctx.jobs.run_due(ctx, ctx.clock.now(), time.monotonic())
        if done == 0 and not any(ran.values()):
            time.sleep(interval)


@app.command("ingest")
def ingest(
    host: Annotated[str, typer.Option(help="MQTT broker host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port")] = 1883,
    copy: Annotated[int, typer.Option(help="number of this copy (fixes its client id)")] = 0,
    client_id: Annotated[
        str | None, typer.Option(help="MQTT client id (default yingji-ingest-<host>-<copy>)")
    ] = None,
    group: Annotated[str, typer.Option(help="shared-subscription group")] = "yingji",
    topic_prefix: Annotated[str, typer.Option(help="topics are <prefix>/<device code>")] = (
        "yingji/telemetry"
    ),
    window: Annotated[int, typer.Option(help="unacknowledged messages in flight (max)")] = 2000,
    batch_messages: Annotated[int, typer.Option(help="messages per transaction (max)")] = 500,
    batch_wait: Annotated[float, typer.Option(help="seconds to wait to fill a batch")] = 0.05,
    session_expiry: Annotated[
        int, typer.Option(help="seconds the broker keeps this copy's session while it is down")
    ] = 24 * 3600,
    relay: Annotated[
        bool, typer.Option(help="also hand condition events to their handlers in-process")
    ] = False,
) -> None:
    """Consume MQTT telemetry (QoS 1, persistent session) into readings and alarm rules."""
    import logging

    from yingji.bootstrap import build_context
    from yingji.entrypoints.ingest import IngestOptions, default_client_id, run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from yingji.core.privacy import install_log_masking

    install_log_masking()
    ctx = build_context()
    # The worker relays by default; --relay saves a hop when no worker runs (embedded mode).
    ctx.inline_relay = relay
    options = IngestOptions(
        host=host,
        port=port,
        client_id=client_id or default_client_id(copy),
        group=group,
        topic_prefix=topic_prefix.rstrip("/"),
        window=window,
        batch_messages=batch_messages,
        batch_wait=batch_wait,
        session_expiry=session_expiry,
    )
    try:
        run(ctx, options)
    finally:
        ctx.engine.dispose()


@docs_app.command("state-machines")
def docs_state_machines(
    output: Annotated[str, typer.Option(help="file to write ('-' for stdout)")] = (
        "docs/state-machines.md"
    ),
) -> None:
    """Write the transition tables of every mounted state machine as Markdown."""
    from pathlib import Path

    from yingji.bootstrap import extensions
    from yingji.core.statemachine import STATE_MACHINES, render_markdown

    text = render_markdown(extensions().get(STATE_MACHINES))
    if output == "-":
        typer.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")


@audit_app.command("seal")
def audit_seal() -> None:
    """Seal the settled audit rows into the hash chain now (the worker does it every minute)."""
    from yingji.bootstrap import build_context
    from yingji.core import audit

    ctx = build_context()
    typer.echo(f"sealed {audit.seal_pending(ctx.session_factory, ctx.clock.now())}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 naming every break (tampering shows here)."""
    from yingji.bootstrap import build_context
    from yingji.core import audit

    ctx = build_context()
    with ctx.session_factory() as session:
        report = audit.verify(session)
    for problem in report.problems:
        typer.echo(f"审计链断裂：{problem}", err=True)
    if not report.intact:
        raise typer.Exit(1)
    typer.echo(f"审计链完整：已核验 {report.checked} 条封存记录")


def main() -> None:
    """Run the CLI."""
    app()
