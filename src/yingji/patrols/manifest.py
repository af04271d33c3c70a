"""Grid patrols and public reports as the platform mounts them."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.core.uploads import UPLOAD_HOLDERS, UploadHolder
from yingji.patrols import api, events, handlers, models, pages, rules

DOMAIN = Domain(
    package="yingji.patrols",
    title="网格巡查",
    models=(models,),
    api_routers=tuple(api.routers),
    page_routers=tuple(pages.routers),
    templates=(TemplateFolder("patrols", "yingji.patrols"),),
    events=event_types(events),
    subscriptions=handlers.SUBSCRIPTIONS,
    contributions=(
        *contribute(STATE_MACHINES, rules.REPORT_MACHINE),
        *contribute(
            UPLOAD_HOLDERS,
            UploadHolder(models.PatrolCheck.photo_keys, is_list=True),
            UploadHolder(models.GridReport.photo_keys, is_list=True),
            UploadHolder(models.PublicReport.photo_keys, is_list=True),
        ),
    ),
)
