"""Shelter reads other domains need beyond the registry kit.

Registry lists and details go through the registry kit (``registry.queries``). What is here
serves evacuation planning and the command map: open shelters with their sites, district-wide
(people cross township lines to reach a shelter, so these reads are unscoped).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.geo.models import Site
from yingji.resources.shelters.models import Shelter
from yingji.resources.shelters.rules import ShelterStatus


def open_shelters_with_sites(
    session: Session,
    classes: Sequence[str] | None = None,
    *,
    with_room: bool = False,
) -> list[tuple[Shelter, Site]]:
    """Return the open, unretired shelters with their sites, by id.

    ``classes`` limits them to those shelter classes; ``with_room`` keeps only those with a
    positive capacity.
    """
    query = (
        select(Shelter, Site)
        .join(Site, Site.id == Shelter.site_id)
        .where(Shelter.retired_at.is_(None), Shelter.status == ShelterStatus.OPEN.value)
        .order_by(Shelter.id)
    )
    if with_room:
        query = query.where(Shelter.capacity_persons > 0)
    if classes:
        query = query.where(Shelter.shelter_class.in_(list(classes)))
    return [(shelter, site) for shelter, site in session.execute(query)]
