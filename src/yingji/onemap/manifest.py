"""The one map and the home dashboard as the platform mounts them."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder
from yingji.onemap import pages

DOMAIN = Domain(
    package="yingji.onemap",
    title="一张图",
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("onemap", "yingji.onemap"),),
)
