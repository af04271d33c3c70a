"""Composition root: builds the context and the app from the domains' manifests.

The only module that imports the manifests. ``DOMAINS`` lists them in menu order; the
context gets every domain's event types, subscriptions, jobs and extension-point
contributions, the app every domain's routers and template folders. It is also the only
place that chooses adapters (``Adapters.from_settings``; tests pass ``Adapters.fakes()``).
Entry points call ``build_context`` and ``create_app``; tests call them with their own
settings, clock and adapters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError
from starlette.middleware.sessions import SessionMiddleware

import yingji
from yingji import __version__
from yingji.accounts import manifest as accounts
from yingji.adapters.bundle import Adapters
from yingji.alarms import manifest as alarms
from yingji.core import audit, outbox, uploads
from yingji.core.actor import SYSTEM_ACTOR_NAMES, system_actor
from yingji.core.clock import Clock, SystemClock
from yingji.core.composition import Domain, TemplateFolder
from yingji.core.db import make_engine, make_session_factory
from yingji.core.errors import DomainError
from yingji.core.events import EventRegistry
from yingji.core.extensions import LABEL_TABLES, Extensions, LabelTable, contribute
from yingji.core.jobs import Job
from yingji.core.notices import NoticeRequested
from yingji.core.privacy import install_log_masking
from yingji.core.web.body_limit import RequestSizeLimit
from yingji.core.web.context import AppContext
from yingji.core.web.display import Labels
from yingji.core.web.problems import (
    domain_problem,
    install_problem_handlers,
    out_of_range,
    request_json,
)
from yingji.core.web.security import install_security_headers
from yingji.core.web.templates import register_templates
from yingji.core.web.text_guard import ControlCharacterGuard
from yingji.duty import manifest as duty
from yingji.early_warnings import manifest as early_warnings
from yingji.enterprises import manifest as enterprises
from yingji.geo import manifest as geo
from yingji.incidents import manifest as incidents
from yingji.inspections import manifest as inspections
from yingji.monitoring import manifest as monitoring
from yingji.notify import manifest as notify
from yingji.onemap import manifest as onemap
from yingji.patrols import manifest as patrols
from yingji.plans import manifest as plans
from yingji.registry.api import build_router
from yingji.registry.events import RecordCreated, RecordRetired, RecordUpdated
from yingji.registry.pages import build_pages, install_error_page
from yingji.registry.spec import REGISTRIES, RegistrySpec
from yingji.resources import manifest as resources
from yingji.risks import manifest as risks
from yingji.settings import Settings, get_settings


def _prune_outbox(ctx: AppContext, now: datetime) -> int:
    """Delete relayed outbox rows older than ``outbox_retention_days`` (the retention job)."""
    keep = timedelta(days=ctx.settings.outbox_retention_days)
    return outbox.prune_handled(ctx.session_factory, now - keep)


def _seal_audit(ctx: AppContext, now: datetime) -> int:
    """Seal the settled audit rows into the hash chain (``core.audit.seal_pending``)."""
    return audit.seal_pending(ctx.session_factory, now)


def _expire_uploads(ctx: AppContext, now: datetime) -> int:
    """Delete uploads no record named within ``upload_unattached_hours`` (core.uploads)."""
    before = now - timedelta(hours=ctx.settings.upload_unattached_hours)
    holders = ctx.extensions.get(uploads.UPLOAD_HOLDERS)
    with ctx.uow(system_actor("uploads")) as uow:
        deleted = uploads.expire_unattached(uow, ctx.storage, holders, before)
        uow.commit()
    return deleted


# What the platform itself adds (the kit's tables, events, templates and jobs).
PLATFORM = Domain(
    package="yingji.core",
    title="平台",
    models=(audit, outbox),
    templates=(TemplateFolder("registry", "yingji.registry"),),
    events=(RecordCreated, RecordUpdated, RecordRetired, NoticeRequested),
    jobs=(
        Job("core.prune_outbox", 3600, _prune_outbox),
        Job("core.seal_audit", 60, _seal_audit),
        Job("core.expire_uploads", 3600, _expire_uploads),
    ),
    contributions=contribute(LABEL_TABLES, LabelTable("system_actor", SYSTEM_ACTOR_NAMES)),
)

# Every domain the platform mounts, in menu order (within each of the five menu groups).
DOMAINS: tuple[Domain, ...] = (
    accounts.DOMAIN,
    geo.DOMAIN,
    onemap.DOMAIN,
    resources.DOMAIN,
    enterprises.DOMAIN,
    risks.DOMAIN,
    inspections.DOMAIN,
    patrols.DOMAIN,
    notify.DOMAIN,
    duty.DOMAIN,
    monitoring.DOMAIN,
    alarms.DOMAIN,
    early_warnings.DOMAIN,
    plans.DOMAIN,
    incidents.DOMAIN,
)


def _all(domains: tuple[Domain, ...]) -> Iterator[Domain]:
    yield PLATFORM
    yield from domains


def registries(domains: tuple[Domain, ...] = DOMAINS) -> list[RegistrySpec]:
    """Return every registry the platform serves, in navigation order."""
    return extensions(domains).get(REGISTRIES)


def extensions(domains: tuple[Domain, ...] = DOMAINS) -> Extensions:
    """Return every contribution of ``domains`` to the extension points."""
    return Extensions(item for domain in _all(domains) for item in domain.contributions)


# Packages that have an api.py or pages.py but are kits, not domains: they build routes for
# the domains that use them and are mounted through those domains' manifests.
KIT_PACKAGES = frozenset({"yingji.registry"})
_ROOT = Path(yingji.__file__).parent


def _package_dir(package: str) -> Path:
    return _ROOT.joinpath(*package.split(".")[1:])


def composition_problems(domains: tuple[Domain, ...] = DOMAINS) -> list[str]:
    """Return what is wrong with ``domains`` as a composition (empty when all is well).

    A package with an ``api.py`` or ``pages.py`` that no domain covers, a domain whose
    package does not exist, a subscription to an event type no domain publishes, a template
    folder that is missing or mounted twice: each is a domain silently half-mounted.
    """
    problems: list[str] = []
    mounted = list(_all(domains))
    for domain in mounted:
        if not (_package_dir(domain.package) / "__init__.py").is_file():
            problems.append(f"domain {domain.package!r}: no such package")
    for edge in sorted({*_ROOT.rglob("api.py"), *_ROOT.rglob("pages.py")}):
        package = ".".join(("yingji", *edge.parent.relative_to(_ROOT).parts))
        if package in KIT_PACKAGES or any(d.covers(package) for d in mounted):
            continue
        problems.append(f"{package} has {edge.name} but is in no manifest of DOMAINS")
    published = {t for d in mounted for t in d.events}
    for domain in mounted:
        for sub in domain.subscriptions:
            if sub.event not in published:
                problems.append(
                    f"{domain.package}: {sub.name} subscribes to {sub.event.name}, "
                    "which no domain in DOMAINS publishes"
                )
    prefixes: dict[str, str] = {}
    for domain in mounted:
        for folder in domain.templates:
            if not (_package_dir(folder.package) / "templates").is_dir():
                problems.append(f"{domain.package}: no templates folder in {folder.package}")
            if prefixes.setdefault(folder.prefix, folder.package) != folder.package:
                problems.append(f"template prefix {folder.prefix!r} is used twice")
    return problems


def import_models() -> None:
    """Make the metadata complete (migrations, tests): the manifests import every table."""
    # Importing this module imported every manifest and through it every models module.


def register_handlers(events: EventRegistry, domains: tuple[Domain, ...] = DOMAINS) -> None:
    """Register every domain's event types and subscribe its handlers."""
    for domain in _all(domains):
        for event_type in domain.events:
            events.register_type(event_type)
        for sub in domain.subscriptions:
            events.subscribe(sub.event, sub.handler, sub.name)


def build_context(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    adapters: Adapters | None = None,
    domains: tuple[Domain, ...] = DOMAINS,
) -> AppContext:
    """Wire engine, sessions, events, jobs, adapters and extensions for one process."""
    settings = settings or get_settings()
    problems = composition_problems(domains)
    if problems:
        raise RuntimeError("the domains do not compose:\n  " + "\n  ".join(problems))
    engine = make_engine(settings.database_url)
    events = EventRegistry()
    register_handlers(events, domains)
    ctx = AppContext(
        engine=engine,
        session_factory=make_session_factory(engine, settings),
        events=events,
        clock=clock or SystemClock(),
        settings=settings,
        adapters=adapters or Adapters.from_settings(settings),
        inline_relay=settings.inline_relay,
        extensions=extensions(domains),
    )
    for domain in _all(domains):
        for job in domain.jobs:
            ctx.jobs.add(job)
    return ctx


def create_app(settings: Settings | None = None, *, ctx: AppContext | None = None) -> FastAPI:
    """Return the web application (API under /api/v1, pages, static files)."""
    settings = settings or (ctx.settings if ctx else get_settings())
    settings.check()
    install_log_masking()
    ctx = ctx or build_context(settings)
    app = FastAPI(
        title="应急 yingji API",
        version=__version__,
        description="智慧应急平台接口。认证：POST /api/v1/auth/token 获取 Bearer 令牌。",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.ctx = ctx
    app.state.labels = Labels(ctx.extensions.get(LABEL_TABLES))
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="yingji_session",
        same_site="lax",
        https_only=settings.cookie_secure(),
        # The cookie outlives nothing: the server-side session decides (accounts.PageSession).
        max_age=settings.session_max_hours * 3600,
    )
    install_problem_handlers(app)
    app.add_middleware(ControlCharacterGuard)
    # Outside the text guard, so an oversize body is refused before anything reads it.
    app.add_middleware(RequestSizeLimit, max_bytes=settings.upload_request_max_bytes)
    install_security_headers(app, settings)
    _install_page_errors(app)
    install_error_page(app)
    _mount_routes(app, ctx)
    return app


def _mount_routes(app: FastAPI, ctx: AppContext) -> None:
    @app.get("/api/v1/health", tags=["系统"], summary="健康检查（无需登录）")
    def health(request: Request) -> dict[str, Any]:
        ctx: AppContext = request.app.state.ctx
        try:
            with ctx.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            database = "ok"
        except Exception:  # the health check reports, it does not raise
            database = "unavailable"
        status = "ok" if database == "ok" else "degraded"
        return {
            "status": status,
            "version": __version__,
            "database": database,
            "engine": ctx.engine.dialect.name,
        }

    for domain in _all(DOMAINS):
        for folder in domain.templates:
            register_templates(folder.prefix, folder.package)
        # A domain's registries first: their /<name>/{id} routes come before the domain's
        # own routes under the same prefix, as they always have.
        specs = [
            c.value
            for c in domain.contributions
            if c.point is REGISTRIES and isinstance(c.value, RegistrySpec)
        ]
        for spec in specs:
            app.include_router(build_router(spec))
        for router in domain.api_routers:
            app.include_router(router)
        for spec in specs:
            app.include_router(build_pages(spec))
        for router in domain.page_routers:
            app.include_router(router)
    app.mount(
        "/static", StaticFiles(directory=str(_ROOT / "core" / "web" / "static")), name="static"
    )


def _install_page_errors(app: FastAPI) -> None:
    # Pages get HTML (or a redirect to login), the API keeps problem+json.
    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if request.url.path.startswith("/api/"):
            return domain_problem(request, exc)
        if exc.status == 401:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        renderer = getattr(app.state, "render_error", None)
        if renderer is not None:
            rendered: Response = renderer(request, exc)
            return rendered
        return Response(
            f"{exc.title}: {exc.detail}",
            status_code=exc.status,
            media_type="text/plain; charset=utf-8",
        )

    app.add_exception_handler(DomainError, domain_error)

    async def data_error(request: Request, exc: Exception) -> Response:
        # A value the engine cannot store (an id beyond 64 bits, a PostgreSQL "data
        # exception") is the client's bad input: 422 naming the field, never a 500.
        if isinstance(exc, DBAPIError) and not _is_data_exception(exc):
            raise exc
        return await domain_error(request, out_of_range(request, await request_json(request)))

    app.add_exception_handler(OverflowError, data_error)
    app.add_exception_handler(DataError, data_error)


def _is_data_exception(exc: DBAPIError) -> bool:
    """Tell whether a driver error is SQLSTATE class 22 (data exception) or SQLite overflow."""
    code = getattr(exc.orig, "sqlstate", None) or ""
    return code.startswith("22") or isinstance(exc.orig, OverflowError)


def find_enterprise_id(ctx: AppContext, credit_code: str) -> int | None:
    """Return the id of the enterprise with ``credit_code`` (for the CLI), or None."""
    from yingji.enterprises.queries import find_enterprise_id_by_credit_code

    with ctx.session_factory() as session:
        found: int | None = find_enterprise_id_by_credit_code(session, credit_code)
        return found
