"""Notify as the platform mounts it: deliveries over channels, inbox, responsible persons."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.notify import api, events, handlers, models, pages, rules, tasks

DOMAIN = Domain(
    package="yingji.notify",
    title="通知",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("notify", "yingji.notify"),),
    events=event_types(events),
    subscriptions=handlers.SUBSCRIPTIONS,
    jobs=tuple(tasks.JOBS),
    contributions=contribute(STATE_MACHINES, rules.MACHINE),
)
