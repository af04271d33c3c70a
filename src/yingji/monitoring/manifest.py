"""Monitoring as the platform mounts it: devices, readings, rules, rejects."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import LABEL_TABLES, LabelTable, contribute
from yingji.monitoring import api, events, models, pages, rules, tasks

DOMAIN = Domain(
    package="yingji.monitoring",
    title="监测",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("monitoring", "yingji.monitoring"),),
    events=event_types(events),
    jobs=tuple(tasks.JOBS),
    contributions=(*contribute(LABEL_TABLES, LabelTable("metric", rules.METRIC_LABELS)),),
)
