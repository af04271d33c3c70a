"""The accounts domain as the platform mounts it: users, tokens, sign-in pages."""

from __future__ import annotations

from yingji.accounts import api, models, pages
from yingji.core.composition import Domain, TemplateFolder

DOMAIN = Domain(
    package="yingji.accounts",
    title="账户",
    models=(models,),
    api_routers=(api.router,),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("accounts", "yingji.accounts"),),
)
