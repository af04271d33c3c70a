"""The patrols domain's way into the hazard loop (risks.hazards, a lower layer).

Grid-member hazard reports and public reports become hazards through
``risks.hazards.service.report_hazard`` (idempotent by source and source_ref); a public
report near an open hazard of the same kind is linked to it instead
(``find_open_hazards_near``, which answers nearest first).
"""

from __future__ import annotations

from typing import Any

from yingji.core.uow import UnitOfWork
from yingji.risks.hazards.queries import find_open_hazards_near
from yingji.risks.hazards.schemas import HazardReport
from yingji.risks.hazards.service import report_hazard


def open_hazard_near(
    uow: UnitOfWork, *, longitude: float, latitude: float, radius_m: float, kind: str
) -> int | None:
    """Return the id of the nearest open hazard of ``kind`` within ``radius_m``, or None."""
    found = find_open_hazards_near(
        uow.session, longitude=longitude, latitude=latitude, radius_m=radius_m, kind=kind
    )
    return int(found[0].id) if found else None


def report(uow: UnitOfWork, **fields: Any) -> int:
    """Hand a hazard to the hazard loop; return its id (the first one for a repeat)."""
    return int(report_hazard(uow, HazardReport(**fields)))
