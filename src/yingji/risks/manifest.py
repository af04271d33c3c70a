"""Dual prevention as the platform mounts it: risk points, major hazards, the hazard loop."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import LABEL_TABLES, contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.core.uploads import UPLOAD_HOLDERS, UploadHolder
from yingji.registry.spec import REGISTRIES
from yingji.risks import pages
from yingji.risks.hazards import api as hazard_api
from yingji.risks.hazards import events as hazard_events
from yingji.risks.hazards import models as hazard_models
from yingji.risks.hazards import pages as hazard_pages
from yingji.risks.hazards import rules as hazard_rules
from yingji.risks.hazards import tasks as hazard_tasks
from yingji.risks.major_hazards import api as major_hazard_api
from yingji.risks.major_hazards import models as major_hazard_models
from yingji.risks.major_hazards import registry as major_hazards
from yingji.risks.points import api as point_api
from yingji.risks.points import events as point_events
from yingji.risks.points import models as point_models
from yingji.risks.points import registry as points
from yingji.risks.points import rules as point_rules

DOMAIN = Domain(
    package="yingji.risks",
    title="双重预防",
    models=(point_models, major_hazard_models, hazard_models),
    api_routers=(*point_api.routers, *major_hazard_api.routers, *hazard_api.routers),
    page_routers=(*pages.routers, *hazard_pages.routers),
    templates=(
        TemplateFolder("risks", "yingji.risks"),
        TemplateFolder("hazards", "yingji.risks.hazards"),
    ),
    events=(*event_types(point_events), *event_types(hazard_events)),
    jobs=tuple(hazard_tasks.JOBS),
    contributions=(
        *contribute(REGISTRIES, *points.REGISTRIES, *major_hazards.REGISTRIES),
        *contribute(STATE_MACHINES, hazard_rules.MACHINE),
        *contribute(LABEL_TABLES, *point_rules.LABELS),
        *contribute(
            UPLOAD_HOLDERS,
            UploadHolder(hazard_models.Hazard.photo_keys, is_list=True),
            UploadHolder(hazard_models.HazardTransition.photo_keys, is_list=True),
        ),
    ),
)
