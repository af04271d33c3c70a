"""The enterprise registry (一企一档) as the platform mounts it."""

from __future__ import annotations

from yingji.accounts.references import USER_REFERENCES, UserReference
from yingji.core.composition import Domain
from yingji.core.extensions import contribute
from yingji.enterprises import api, models, queries, registry
from yingji.registry.spec import REGISTRIES

DOMAIN = Domain(
    package="yingji.enterprises",
    title="企业",
    models=(models,),
    api_routers=tuple(api.routers),
    contributions=(
        *contribute(REGISTRIES, *registry.REGISTRIES),
        *contribute(
            USER_REFERENCES,
            UserReference("enterprise_id", queries.enterprise_exists, "企业不存在"),
        ),
    ),
)
