"""Rescue team and equipment reads other domains need beyond the registry kit.

Registry lists and details go through the registry kit (``registry.queries``). What is here
serves dispatch: the district's teams and standby equipment with the sites they are based
at. These reads are unscoped: the command post dispatches across township lines, and who
may ask is decided by the incident, not by where a resource is registered.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.geo.models import Site
from yingji.resources.teams.models import Equipment, RescueTeam


def teams_with_sites(session: Session) -> list[tuple[RescueTeam, Site]]:
    """Return every unretired team with its base's site."""
    rows = session.execute(
        select(RescueTeam, Site)
        .join(Site, Site.id == RescueTeam.site_id)
        .where(RescueTeam.retired_at.is_(None))
    )
    return [(team, site) for team, site in rows]


def standby_equipment_with_sites(session: Session) -> list[tuple[Equipment, Site]]:
    """Return every unretired piece of equipment on standby with its site."""
    rows = session.execute(
        select(Equipment, Site)
        .join(Site, Site.id == Equipment.site_id)
        .where(Equipment.retired_at.is_(None), Equipment.status == "standby")
    )
    return [(equipment, site) for equipment, site in rows]


def team_points(session: Session, team_ids: Collection[int]) -> dict[int, tuple[float, float]]:
    """Return {team id: (longitude, latitude) of its base} for the given teams."""
    return {
        team_id: (lon, lat)
        for team_id, lon, lat in session.execute(
            select(RescueTeam.id, Site.longitude, Site.latitude)
            .join(Site, Site.id == RescueTeam.site_id)
            .where(RescueTeam.id.in_(set(team_ids)))
        )
    }
