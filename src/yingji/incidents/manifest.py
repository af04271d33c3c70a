"""Response as the platform mounts it: incidents, dispatch, evacuation, disaster reports and
reviews, and the duty desk's open incidents."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import LABEL_TABLES, contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.duty.sources import OPEN_ITEM_SOURCES, OpenItemSource
from yingji.incidents import api, events, handlers, models, pages, queries, rules, tasks
from yingji.incidents.disaster_reports import api as report_api
from yingji.incidents.disaster_reports import events as report_events
from yingji.incidents.disaster_reports import models as report_models
from yingji.incidents.disaster_reports import pages as report_pages
from yingji.incidents.disaster_reports import tasks as report_tasks
from yingji.incidents.dispatch import api as dispatch_api
from yingji.incidents.dispatch import events as dispatch_events
from yingji.incidents.dispatch import models as dispatch_models
from yingji.incidents.dispatch import pages as dispatch_pages
from yingji.incidents.dispatch import rules as dispatch_rules
from yingji.incidents.evacuation import api as evacuation_api
from yingji.incidents.evacuation import events as evacuation_events
from yingji.incidents.evacuation import models as evacuation_models
from yingji.incidents.evacuation import pages as evacuation_pages
from yingji.incidents.review import api as review_api
from yingji.incidents.review import models as review_models

DOMAIN = Domain(
    package="yingji.incidents",
    title="突发事件",
    models=(models, dispatch_models, evacuation_models, report_models, review_models),
    api_routers=(
        *api.routers,
        *dispatch_api.routers,
        *evacuation_api.routers,
        *report_api.routers,
        *review_api.routers,
    ),
    page_routers=(
        *pages.routers,
        *dispatch_pages.routers,
        *evacuation_pages.routers,
        *report_pages.routers,
    ),
    templates=(
        TemplateFolder("incidents", "yingji.incidents"),
        TemplateFolder("response", "yingji.incidents.dispatch"),
        TemplateFolder("evacuation", "yingji.incidents.evacuation"),
        TemplateFolder("disaster_reports", "yingji.incidents.disaster_reports"),
    ),
    events=(
        *event_types(events),
        *event_types(dispatch_events),
        *event_types(evacuation_events),
        *event_types(report_events),
    ),
    subscriptions=handlers.SUBSCRIPTIONS,
    jobs=(*tasks.JOBS, *report_tasks.JOBS),
    contributions=(
        *contribute(OPEN_ITEM_SOURCES, OpenItemSource("incidents", queries.open_items)),
        *contribute(LABEL_TABLES, *rules.LABELS),
        *contribute(
            STATE_MACHINES,
            rules.INCIDENT_MACHINE,
            rules.REPORT_MACHINE,
            rules.TASK_MACHINE,
            dispatch_rules.MACHINE,
        ),
    ),
)
