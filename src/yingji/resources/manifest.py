"""The resource registries (shelters, teams and equipment, supplies and warehouses with the
stock ledger, experts, social forces) as the platform mounts them."""

from __future__ import annotations

from yingji.core.composition import Domain, TemplateFolder, event_types
from yingji.core.extensions import contribute
from yingji.core.statemachine import STATE_MACHINES
from yingji.registry.spec import REGISTRIES
from yingji.resources.experts import models as expert_models
from yingji.resources.experts import registry as experts
from yingji.resources.shelters import models as shelter_models
from yingji.resources.shelters.registry import SHELTERS
from yingji.resources.social_forces import models as social_force_models
from yingji.resources.social_forces import registry as social_forces
from yingji.resources.supplies import api as supply_api
from yingji.resources.supplies import events as supply_events
from yingji.resources.supplies import models as supply_models
from yingji.resources.supplies import pages as supply_pages
from yingji.resources.supplies import registry as supplies
from yingji.resources.teams import models as team_models
from yingji.resources.teams import registry as teams
from yingji.resources.teams import rules as team_rules

DOMAIN = Domain(
    package="yingji.resources",
    title="应急资源",
    models=(
        shelter_models,
        team_models,
        supply_models,
        expert_models,
        social_force_models,
    ),
    api_routers=tuple(supply_api.routers),
    page_routers=tuple(supply_pages.routers),
    templates=(TemplateFolder("supplies", "yingji.resources.supplies"),),
    events=event_types(supply_events),
    contributions=(
        *contribute(
            REGISTRIES,
            SHELTERS,
            *teams.REGISTRIES,
            *supplies.REGISTRIES,
            *experts.REGISTRIES,
            *social_forces.REGISTRIES,
        ),
        *contribute(STATE_MACHINES, team_rules.TEAM_MACHINE),
    ),
)
