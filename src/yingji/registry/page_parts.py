"""Pieces the registry pages share: permissions, division choices, list filters, map setup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request

from yingji.accounts.schemas import has_role
from yingji.core.actor import Actor
from yingji.geo.queries import list_divisions
from yingji.registry.forms import FormField, form_fields
from yingji.registry.spec import RegistrySpec

PAGE_SIZE = 20
_BOOL_CHOICES = [("true", "是"), ("false", "否")]


def can_create(spec: RegistrySpec, actor: Actor) -> bool:
    """Tell whether the actor's role may create and import records of ``spec``."""
    roles = spec.creator_roles if spec.creator_roles is not None else spec.writer_roles
    return has_role(actor, roles)


def can_write(spec: RegistrySpec, actor: Actor) -> bool:
    """Tell whether the actor's role may change and retire records of ``spec``."""
    return has_role(actor, spec.writer_roles)


def can_retire(spec: RegistrySpec, actor: Actor) -> bool:
    """Tell whether the actor's role may retire records of ``spec``."""
    roles = getattr(spec, "retirer_roles", None) or spec.writer_roles
    return has_role(actor, roles)


def map_config(request: Request) -> dict[str, Any]:
    """Return the small maps' settings: tiles (may be empty), centre, zoom, boundaries."""
    settings = request.app.state.ctx.settings
    return {
        "tiles": settings.map_tiles_url,
        "center": settings.map_center,
        "zoom": settings.map_zoom,
        "divisions": "/api/v1/divisions.geojson?level=township",
    }


def division_choices(
    session: Session, actor: Actor, levels: tuple[str, ...] = ("township",)
) -> list[tuple[str, str]]:
    """Return (code, name) of the divisions of these levels inside the actor's jurisdiction."""
    rows = list_divisions(session, within=actor.division_code)
    indent = {"district": "", "township": "", "village": "　", "grid": "　　"}
    if len(levels) == 1:
        indent = {}
    return [(d.code, f"{indent.get(d.level, '')}{d.name}") for d in rows if d.level in levels]


def filter_fields(
    spec: RegistrySpec, session: Session, actor: Actor, query: Mapping[str, str]
) -> tuple[list[FormField], dict[str, Any], list[str]]:
    """Return the filter controls (filled from the query), the valid filters, and warnings."""
    fields = form_fields(spec, spec.filter_schema, location_last=False)
    for f in fields:
        f.required = False
        if f.name == "division_code":
            f.kind, f.choices = "select", division_choices(session, actor)
        elif f.kind == "checkbox":
            f.kind, f.choices = "select", list(_BOOL_CHOICES)
        elif f.kind not in ("select", "number", "date"):
            f.kind = "text"
        f.value = str(query.get(f.name) or "").strip()
    given = {f.name: f.value for f in fields if f.value}
    warnings: list[str] = []
    try:
        model = spec.filter_schema.model_validate(given)
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        labels = {f.name: f.label for f in fields}
        warnings = [f"筛选条件“{labels.get(b, b)}”无效，已忽略" for b in sorted(bad)]
        model = spec.filter_schema.model_validate({k: v for k, v in given.items() if k not in bad})
    values = {k: v for k, v in model.model_dump().items() if v not in (None, "", [])}
    return fields, values, warnings


def query_string(fields: list[FormField], **extra: Any) -> str:
    """Return the filters as a query string (for paging and the Excel export link)."""
    params = {f.name: f.value for f in fields if f.value}
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)
