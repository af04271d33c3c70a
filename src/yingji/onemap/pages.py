"""Pages: the home dashboard (counts per registry) and the one map with every sited layer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import has_role
from yingji.core.actor import Actor
from yingji.core.pagination import PageParams
from yingji.core.web.nav import GROUPS, NavEntry, mark_nav
from yingji.geo.queries import boundary_sources
from yingji.registry.display import map_fields
from yingji.registry.pages import mounted_specs
from yingji.registry.queries import page_records
from yingji.registry.spec import RegistrySpec
from yingji.web.deps import PageActor, ReadSession

router = APIRouter(include_in_schema=False)

# Layer colours, in registry order: distinct on the light no-tiles background and on tiles.
PALETTE = ("#c8161d", "#1e8a4c", "#e66c00", "#1f6fd1", "#8e44ad", "#00838f", "#6d4c41", "#d81b60")


def _readable(request: Request, actor: Actor) -> list[RegistrySpec]:
    return [s for s in mounted_specs(request.app.routes) if has_role(actor, s.reader_roles)]


def map_layers(specs: list[RegistrySpec]) -> list[dict[str, Any]]:
    """Return map.js layer definitions for the sited registries, each with its own colour.

    ``fields`` names the popup rows in Chinese, ``[[property, label], ...]`` in the registry's
    list order (pairs, not an object: ``tojson`` sorts object keys); map.js shows only those,
    so bookkeeping keys (id, registry, division_code, detail_url) never reach a popup.
    """
    sited = [s for s in specs if s.sited]
    return [
        {
            "id": s.name,
            "name": s.title,
            "url": f"/api/v1/{s.name}.geojson",
            "color": PALETTE[i % len(PALETTE)],
            "fields": list(map_fields(s).items()),
        }
        for i, s in enumerate(sited)
    ]


@router.get("/")
def home(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the dashboard: how many records of each registry the user's scope holds."""
    one = PageParams(page=1, size=1)
    tiles: dict[str, list[dict[str, Any]]] = {}
    for spec in _readable(request, actor):
        total = page_records(session, spec, actor, one).total
        tiles.setdefault(spec.nav_group, []).append(
            {"title": spec.title, "url": f"/{spec.name}", "count": total}
        )
    groups = [(title, tiles[key]) for key, title in GROUPS if key in tiles]
    return render_page(request, actor, "onemap/home.html", {"title": "首页", "groups": groups})


def map_page(request: Request, actor: PageActor) -> Response:
    """Show the one map: division boundaries and one layer per sited registry."""
    settings = request.app.state.ctx.settings
    with request.app.state.ctx.session_factory() as session:
        sources = boundary_sources(session)
    context = {
        "title": "一张图",
        # Generated demo boundaries must never pass for surveyed ones.
        "demo_geometry": "demo" in sources,
        "tiles": settings.map_tiles_url,
        "center": settings.map_center,
        "zoom": settings.map_zoom,
        "layers": map_layers(_readable(request, actor)),
    }
    return render_page(request, actor, "onemap/map.html", context)


router.add_api_route(
    "/map", mark_nav(map_page, NavEntry("decision", "一张图", "/map")), methods=["GET"]
)

routers = [router]
