"""Registry reads, always scoped by the acting user's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import division_filter, scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.core.pagination import Page, PageParams
from yingji.geo.models import Site
from yingji.geo.queries import division_names
from yingji.registry.privacy import mask_reads
from yingji.registry.spec import RegistrySpec
from yingji.settings import Settings

Row = tuple[Any, Site | None]


def division_column(spec: RegistrySpec) -> Any:
    """Return the column that holds a record's division (its site's, or its own)."""
    return Site.division_code if spec.sited else spec.model.division_code


def _base(spec: RegistrySpec, actor: Actor) -> Select[Any]:
    model = spec.model
    stmt = select(model, Site).join(Site, model.site_id == Site.id) if spec.sited else select(model)
    if not spec.scoped:
        return stmt  # reference data: check_readable alone decides who reads it
    enterprise_col = getattr(model, spec.enterprise_attr) if spec.enterprise_attr else None
    return stmt.where(scope_clause(actor, division_column(spec), enterprise_col))


def check_readable(spec: RegistrySpec, actor: Actor) -> None:
    """Refuse actors whose role may not read this registry at all."""
    if actor.is_system:
        return
    require_role(actor, spec.reader_roles, f"无权查看{spec.title}")


def _settings(session: Session) -> Settings | None:
    found = session.info.get("settings")
    return found if isinstance(found, Settings) else None


def scoped_select(
    spec: RegistrySpec,
    actor: Actor,
    filters: dict[str, Any] | None = None,
    *,
    include_retired: bool = False,
    settings: Settings | None = None,
) -> Select[Any]:
    """Return the scoped, filtered SELECT for a registry (rows: model[, site]).

    ``settings`` reach the registry's custom filters (a licence warning window, say).
    """
    check_readable(spec, actor)
    stmt = _base(spec, actor)
    if not include_retired:
        stmt = stmt.where(spec.model.retired_at.is_(None))
    for key, value in (filters or {}).items():
        if value is None or value == "":
            continue
        if key == "division_code":
            stmt = stmt.where(division_filter(division_column(spec), value))
        elif key == "q":
            like = f"%{value}%"
            stmt = stmt.where(or_(*[getattr(spec.model, a).like(like) for a in spec.search_attrs]))
        elif key in spec.filters:
            stmt = stmt.where(spec.filters[key](value, settings or Settings()))
        elif hasattr(spec.model, key):
            stmt = stmt.where(getattr(spec.model, key) == value)
    return stmt


def _rows(session: Session, spec: RegistrySpec, stmt: Select[Any]) -> list[Row]:
    if spec.sited:
        return [(r[0], r[1]) for r in session.execute(stmt)]
    return [(r, None) for r in session.scalars(stmt)]


def page_records(
    session: Session,
    spec: RegistrySpec,
    actor: Actor,
    params: PageParams,
    filters: dict[str, Any] | None = None,
    *,
    include_retired: bool = False,
) -> Page[Any]:
    """Return one page of the records the actor may see."""
    stmt = scoped_select(
        spec, actor, filters, include_retired=include_retired, settings=_settings(session)
    )
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    ordered = stmt.order_by(getattr(spec.model, spec.order_by), spec.model.id)
    rows = _rows(session, spec, ordered.offset(params.offset).limit(params.size))
    items = mask_reads(session, spec, actor, to_reads(session, spec, rows))
    return Page(items=items, total=total, page=params.page, size=params.size)


def iter_records(
    session: Session,
    spec: RegistrySpec,
    actor: Actor,
    filters: dict[str, Any] | None = None,
    *,
    include_retired: bool = False,
    chunk: int = 2000,
) -> Iterator[Any]:
    """Yield every visible record as its read schema (exports, GeoJSON), chunk by chunk.

    Personal fields are masked unless the actor may see them.
    """
    stmt = scoped_select(
        spec, actor, filters, include_retired=include_retired, settings=_settings(session)
    ).order_by(spec.model.id)
    last_id = 0
    while True:
        rows = _rows(session, spec, stmt.where(spec.model.id > last_id).limit(chunk))
        if not rows:
            return
        yield from mask_reads(session, spec, actor, to_reads(session, spec, rows))
        last_id = rows[-1][0].id


def get_row(session: Session, spec: RegistrySpec, actor: Actor, record_id: int) -> Row:
    """Return (record, site) if the actor may see it; otherwise NotFound (never 403)."""
    stmt = scoped_select(spec, actor, include_retired=True).where(spec.model.id == record_id)
    rows = _rows(session, spec, stmt)
    if not rows:
        raise NotFound(f"{spec.title}记录不存在")
    return rows[0]


def get_record(session: Session, spec: RegistrySpec, actor: Actor, record_id: int) -> Any:
    """Return the read schema of one record the actor may see (personal fields masked unless
    the actor may see them), or raise NotFound."""
    read = to_reads(session, spec, [get_row(session, spec, actor, record_id)])[0]
    return mask_reads(session, spec, actor, [read])[0]


def row_values(row: Any, site: Site | None) -> dict[str, Any]:
    """Return the record's column values merged with its location fields."""
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns}
    if site is not None:
        values.update(
            division_code=site.division_code,
            longitude=site.longitude,
            latitude=site.latitude,
            address=site.address,
        )
    return values


def to_reads(session: Session, spec: RegistrySpec, rows: Sequence[Row]) -> list[Any]:
    """Return the read schemas for rows (division names and extras in one query each)."""
    values = [row_values(row, site) for row, site in rows]
    names = division_names(session, [v["division_code"] for v in values])
    extras = spec.extra_read(session, [r for r, _ in rows]) if spec.extra_read else {}
    out = []
    for v in values:
        v["division_name"] = names.get(v["division_code"])
        v.update(extras.get(v["id"], {}))
        out.append(spec.read_schema.model_validate(v))
    return out
