"""Emergency plans as the platform mounts them: library, editor, activation tasks, drills."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.core.uploads import UPLOAD_HOLDERS, UploadHolder
from yingji.plans import api, events, models, pages, rules, tasks

DOMAIN = Domain(
    package="yingji.plans",
    title="应急预案",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("plans", "yingji.plans"),),
    events=event_types(events),
    jobs=tuple(tasks.JOBS),
    contributions=(
        *contribute(STATE_MACHINES, rules.MACHINE),
        *contribute(UPLOAD_HOLDERS, UploadHolder(models.PlanTaskEvent.photo_key)),
    ),
)
