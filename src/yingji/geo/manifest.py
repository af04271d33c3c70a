"""The location backbone as the platform mounts it: divisions, grid cells, sites."""

from __future__ import annotations

from yingji.core.composition import Domain
from yingji.geo import api, models

DOMAIN = Domain(
    package="yingji.geo",
    title="行政区划",
    models=(models,),
    api_routers=(api.router,),
)
