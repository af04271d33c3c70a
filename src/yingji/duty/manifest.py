"""The duty desk as the platform mounts it: roster, hand-over, log."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder
from yingji.duty import api, models, pages

DOMAIN = Domain(
    package="yingji.duty",
    title="值班值守",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("duty", "yingji.duty"),),
)
