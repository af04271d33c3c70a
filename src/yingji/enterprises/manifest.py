"""The enterprise registry (一企一档) as the platform mounts it."""

from __future__ import annotations

from yingji.core.composition import Domain
from yingji.core.extensions import contribute
from yingji.enterprises import api, models, registry
from yingji.registry.spec import REGISTRIES

DOMAIN = Domain(
    package="yingji.enterprises",
    title="企业",
    models=(models,),
    api_routers=tuple(api.routers),
    contributions=contribute(REGISTRIES, *registry.REGISTRIES),
)
