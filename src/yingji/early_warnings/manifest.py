"""Early warnings as the platform mounts them: composing, approval, CAP 1.2, the feed."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import LABEL_TABLES, contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.early_warnings import api, events, models, pages, rules

DOMAIN = Domain(
    package="yingji.early_warnings",
    title="预警发布",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("early_warnings", "yingji.early_warnings"),),
    events=event_types(events),
    contributions=(
        *contribute(LABEL_TABLES, *rules.LABELS),
        *contribute(STATE_MACHINES, rules.MACHINE),
    ),
)
