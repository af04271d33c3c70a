"""Alarms as the platform mounts them: lifecycle, escalation, the duty desk's open alarms."""

from __future__ import annotations

from yingji.alarms import api, events, handlers, models, pages, queries, rules, tasks
from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.duty.sources import OPEN_ITEM_SOURCES, OpenItemSource

DOMAIN = Domain(
    package="yingji.alarms",
    title="报警",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("alarms", "yingji.alarms"),),
    events=event_types(events),
    subscriptions=handlers.SUBSCRIPTIONS,
    jobs=tuple(tasks.JOBS),
    contributions=(
        *contribute(OPEN_ITEM_SOURCES, OpenItemSource("alarms", queries.open_items)),
        *contribute(STATE_MACHINES, rules.MACHINE),
    ),
)
