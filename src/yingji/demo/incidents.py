"""The demo district's incidents: a hazardous-chemical accident being handled (its district
report counting down), a flood after heavy rain, and a closed road traffic accident.

Received through ``incidents.service`` with ``demo:`` external references, so re-running the
seed finds them instead of adding more.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from yingji.demo.state import SeedState
from yingji.incidents.queries import find_incident_id_by_ref
from yingji.incidents.schemas import IncidentCreate
from yingji.incidents.service import close_incident, intake_incident


def _centers(state: SeedState) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    hazmat = next(
        (row for row in state.fixtures.section("enterprises") if row.get("hazardous_chemicals")),
        None,
    )
    other = next((row for row in state.fixtures.section("enterprises") if row is not hazmat), None)
    return hazmat, other


def seed(state: SeedState) -> None:
    """Receive the demo incidents unless they are already there."""
    tally = state.tally("突发事件")
    uow = state.uow
    now = uow.clock.now()
    hazmat, other = _centers(state)
    cases: list[tuple[str, dict[str, Any], bool]] = []
    if hazmat is not None:
        lon, lat = hazmat["center"]
        cases.append(
            (
                "demo:incident:hazmat",
                {
                    "category": "accident",
                    "type": "hazmat",
                    "occurred_at": now - timedelta(minutes=40),
                    "title": f"{hazmat['name']}储罐区泄漏着火",
                    "description": "储罐区管线法兰泄漏引发火情，企业已启动现场处置方案。",
                    "longitude": float(lon),
                    "latitude": float(lat),
                    "enterprise_id": state.enterprises.get(hazmat["name"]),
                    "deaths": 1,
                    "serious_injuries": 3,
                    "injuries": 4,
                    "direct_loss_wan_yuan": Decimal("260"),
                    "reporter_name": "企业值班长",
                },
                False,
            )
        )
    if other is not None:
        lon, lat = other["center"]
        cases.append(
            (
                "demo:incident:flood",
                {
                    "category": "natural_disaster",
                    "type": "flood",
                    "occurred_at": now - timedelta(hours=3),
                    "title": "强降雨致低洼路段积水、部分房屋进水",
                    "longitude": float(lon) + 0.01,
                    "latitude": float(lat) + 0.01,
                    "trapped": 2,
                },
                False,
            )
        )
        cases.append(
            (
                "demo:incident:road",
                {
                    "category": "accident",
                    "type": "road_traffic",
                    "occurred_at": now - timedelta(days=3),
                    "title": "货车与面包车碰撞交通事故",
                    "longitude": float(lon) - 0.01,
                    "latitude": float(lat) - 0.01,
                    "deaths": 1,
                    "injuries": 3,
                    "direct_loss_wan_yuan": Decimal("35"),
                },
                True,
            )
        )
    for ref, payload, closed in cases:
        if find_incident_id_by_ref(uow.session, ref) is not None:
            tally.existing += 1
            continue
        data = IncidentCreate.model_validate({**payload, "external_ref": ref, "source": "api"})
        incident_id = intake_incident(uow, data)
        if closed:
            close_incident(uow, incident_id, reason="伤员已救治，现场已清理，事故调查移交交警部门")
        tally.created += 1
