"""Law-enforcement inspections as the platform mounts them."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.core.uploads import UPLOAD_HOLDERS, UploadHolder
from yingji.inspections import api, events, models, pages, rules, tasks

DOMAIN = Domain(
    package="yingji.inspections",
    title="执法检查",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("inspections", "yingji.inspections"),),
    events=event_types(events),
    jobs=tuple(tasks.JOBS),
    contributions=(
        *contribute(STATE_MACHINES, rules.MACHINE),
        *contribute(UPLOAD_HOLDERS, UploadHolder(models.Finding.photo_keys, is_list=True)),
    ),
)
