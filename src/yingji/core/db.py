"""Database engine, sessions and the declarative base shared by every domain's models.

One model, two engines: SQLite (WAL) for the embedded default and PostgreSQL in production.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from yingji.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base; constraint names are deterministic so migrations are stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both engines (SQLite stores no zone itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Refuse naive datetimes: a time without a zone is a bug waiting to happen."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware datetime (core.clock)")
        from datetime import UTC

        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return aware UTC datetimes whatever the engine handed back."""
        if value is None:
            return None
        from datetime import UTC

        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine is SQLite (some statements differ: row locks, upserts)."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and IMMEDIATE writes."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and ":memory:" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred only).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock up front: two read-then-write transactions
        # (e.g. two issues of the last units of stock) then queue instead of one failing with
        # SQLITE_BUSY after both read the same balance.
        if conn.get_execution_options().get("yingji_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_session_factory(engine: Engine, settings: Settings | None = None) -> sessionmaker[Session]:
    """Return the session factory; objects stay readable after commit for the response.

    Every session carries the deployment's ``settings`` (``session_settings``), so read-side
    hooks that need a setting (a warning window, the time zone) receive it with the session
    they are handed instead of reading the environment.
    """
    info = {"settings": settings} if settings is not None else {}
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True, info=info)


def session_settings(session: Session) -> Settings:
    """Return the settings the session's factory was built with (bootstrap always sets them)."""
    settings = session.info.get("settings")
    if not isinstance(settings, Settings):
        raise RuntimeError("session built without settings (use bootstrap.build_context)")
    return settings
