"""Composition root: picks adapters, registers models, event handlers, routers and pages.

The only module that knows every domain. Entry points call ``build_context`` and
``create_app``; tests call them with their own settings and clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware

from yingji import __version__
from yingji.adapters.storage import FileStorage
from yingji.core.clock import Clock, SystemClock
from yingji.core.db import make_engine, make_session_factory
from yingji.core.errors import DomainError
from yingji.core.events import EventRegistry
from yingji.core.jobs import JobRegistry
from yingji.core.notices import NoticeRequested
from yingji.core.web.context import AppContext
from yingji.core.web.problems import domain_problem, install_problem_handlers
from yingji.core.web.security import install_security_headers
from yingji.registry.spec import RegistrySpec
from yingji.settings import Settings, get_settings


def registries() -> list[RegistrySpec]:
    """Return every registry the platform serves, in navigation order."""
    from yingji.resources.shelters.registry import SHELTERS

    specs: list[RegistrySpec] = [SHELTERS]
    for module, name in _OPTIONAL_REGISTRIES:
        specs.extend(_load(module, name))
    return specs


# Registries added by their own domains; each module exposes a list or one spec.
_OPTIONAL_REGISTRIES: list[tuple[str, str]] = [
    ("yingji.enterprises.registry", "REGISTRIES"),
    ("yingji.resources.teams.registry", "REGISTRIES"),
    ("yingji.resources.supplies.registry", "REGISTRIES"),
    ("yingji.resources.experts.registry", "REGISTRIES"),
    ("yingji.resources.social_forces.registry", "REGISTRIES"),
    ("yingji.risks.points.registry", "REGISTRIES"),
    ("yingji.risks.major_hazards.registry", "REGISTRIES"),
]


def _load(module: str, name: str) -> list[Any]:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return []  # that domain is not installed in this build
        raise
    value = getattr(mod, name)
    return list(value) if isinstance(value, list | tuple) else [value]


def import_models() -> None:
    """Import every table module so the metadata is complete (migrations, tests)."""
    import yingji.accounts.models
    import yingji.core.audit
    import yingji.core.outbox
    import yingji.geo.models  # noqa: F401

    registries()
    for module in _EXTRA_MODEL_MODULES:
        _load_module(module)


_EXTRA_MODEL_MODULES = [
    "yingji.resources.supplies.models",
    "yingji.enterprises.models",
    "yingji.risks.points.models",
    "yingji.risks.major_hazards.models",
    "yingji.risks.hazards.models",
    "yingji.inspections.models",
    "yingji.patrols.models",
    "yingji.notify.models",
    "yingji.duty.models",
    "yingji.monitoring.models",
    "yingji.alarms.models",
    "yingji.early_warnings.models",
    "yingji.plans.models",
    "yingji.incidents.models",
    "yingji.incidents.dispatch.models",
    "yingji.incidents.evacuation.models",
    "yingji.incidents.disaster_reports.models",
    "yingji.incidents.review.models",
]

# Domains that react to other domains' events expose ``register(events)`` in these modules.
_HANDLER_MODULES = [
    "yingji.risks.hazards.handlers",
    "yingji.inspections.handlers",
    "yingji.patrols.handlers",
    "yingji.notify.handlers",
    "yingji.duty.handlers",
    "yingji.monitoring.handlers",
    "yingji.alarms.handlers",
    "yingji.early_warnings.handlers",
    "yingji.plans.handlers",
    "yingji.incidents.handlers",
    "yingji.incidents.dispatch.handlers",
    "yingji.incidents.disaster_reports.handlers",
    "yingji.incidents.review.handlers",
]

# Domains with periodic jobs expose ``JOBS: list[core.jobs.Job]`` in these modules.
_JOB_MODULES = [
    "yingji.risks.hazards.tasks",
    "yingji.inspections.tasks",
    "yingji.notify.tasks",
    "yingji.monitoring.tasks",
    "yingji.alarms.tasks",
    "yingji.early_warnings.tasks",
    "yingji.plans.tasks",
    "yingji.incidents.tasks",
    "yingji.incidents.disaster_reports.tasks",
]

# API routers (``routers`` list) and page routers (``routers`` list) of the later domains.
_API_MODULES = [
    "yingji.resources.supplies.api",
    "yingji.enterprises.api",
    "yingji.risks.points.api",
    "yingji.risks.major_hazards.api",
    "yingji.risks.hazards.api",
    "yingji.inspections.api",
    "yingji.patrols.api",
    "yingji.notify.api",
    "yingji.duty.api",
    "yingji.monitoring.api",
    "yingji.alarms.api",
    "yingji.early_warnings.api",
    "yingji.plans.api",
    "yingji.incidents.api",
    "yingji.incidents.dispatch.api",
    "yingji.incidents.evacuation.api",
    "yingji.incidents.disaster_reports.api",
    "yingji.incidents.review.api",
]
_PAGE_MODULES = [
    "yingji.risks.pages",
    "yingji.risks.hazards.pages",
    "yingji.inspections.pages",
    "yingji.patrols.pages",
    "yingji.notify.pages",
    "yingji.duty.pages",
    "yingji.monitoring.pages",
    "yingji.alarms.pages",
    "yingji.early_warnings.pages",
    "yingji.plans.pages",
    "yingji.incidents.pages",
    "yingji.incidents.dispatch.pages",
    "yingji.incidents.evacuation.pages",
    "yingji.incidents.disaster_reports.pages",
    "yingji.incidents.review.pages",
]


def _load_module(module: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if not (exc.name and module.startswith(exc.name)):
            raise


def register_handlers(events: EventRegistry) -> None:
    """Subscribe every domain's handlers to the events they react to."""
    from yingji.registry.events import RecordCreated, RecordRetired, RecordUpdated

    for event_type in (RecordCreated, RecordUpdated, RecordRetired):
        events.register_type(event_type)
    events.register_type(NoticeRequested)
    for module in _HANDLER_MODULES:
        for register in _load(module, "register"):
            register(events)


def register_jobs(jobs: JobRegistry) -> None:
    """Collect every domain's periodic jobs."""
    for module in _JOB_MODULES:
        for job in _load(module, "JOBS"):
            jobs.add(job)


def build_context(settings: Settings | None = None, *, clock: Clock | None = None) -> AppContext:
    """Wire engine, sessions, events and clock for one process."""
    settings = settings or get_settings()
    import_models()
    engine = make_engine(settings.database_url)
    events = EventRegistry()
    register_handlers(events)
    ctx = AppContext(
        engine=engine,
        session_factory=make_session_factory(engine),
        events=events,
        clock=clock or SystemClock(),
        settings=settings,
        inline_relay=settings.inline_relay,
        storage=FileStorage(Path(settings.storage_dir)),
    )
    register_jobs(ctx.jobs)
    return ctx


def create_app(settings: Settings | None = None, *, ctx: AppContext | None = None) -> FastAPI:
    """Return the web application (API under /api/v1, pages, static files)."""
    settings = settings or (ctx.settings if ctx else get_settings())
    settings.check()
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
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="yingji_session",
        same_site="lax",
        https_only=settings.session_cookie_secure,
        max_age=12 * 3600,
    )
    install_problem_handlers(app)
    install_security_headers(app, settings)
    _install_page_errors(app)
    _mount_routes(app)
    return app


def _mount_routes(app: FastAPI) -> None:
    from importlib.resources import files

    from yingji.accounts.api import router as accounts_router
    from yingji.geo.api import router as geo_router
    from yingji.registry.api import build_router

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

    app.include_router(accounts_router)
    app.include_router(geo_router)
    for spec in registries():
        app.include_router(build_router(spec))
    for router in _extra_routers():
        app.include_router(router)
    _mount_pages(app)
    static_dir = files("yingji.core.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")


def _extra_routers() -> list[Any]:
    routers: list[Any] = []
    for module in _API_MODULES:
        routers.extend(_load(module, "routers"))
    return routers


def _mount_pages(app: FastAPI) -> None:
    # Registry pages are built from the specs; the other page modules expose `routers`.
    try:
        from yingji.registry.pages import build_pages, install_error_page
    except ModuleNotFoundError:
        return
    install_error_page(app)
    for module in ("yingji.accounts.pages", "yingji.onemap.pages"):
        for router in _load(module, "routers"):
            app.include_router(router)
    for spec in registries():
        app.include_router(build_pages(spec))
    # After the registries, so the menu lists the ledger pages after 物资 and 储备库.
    for router in _load("yingji.resources.supplies.pages", "routers"):
        app.include_router(router)
    for module in _PAGE_MODULES:
        for router in _load(module, "routers"):
            app.include_router(router)


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


def find_enterprise_id(ctx: Any, credit_code: str) -> int | None:
    """Return the id of the enterprise with ``credit_code`` (for the CLI), or None."""
    try:
        from yingji.enterprises.queries import find_enterprise_id_by_credit_code
    except ModuleNotFoundError:
        return None
    with ctx.session_factory() as session:
        found: int | None = find_enterprise_id_by_credit_code(session, credit_code)
        return found
