"""Monitoring fixtures: a gas detector and a rain gauge in town A, a gas detector in town B."""

from __future__ import annotations

import pytest

from support.district import POINT_A, POINT_B, TOWN_A, TOWN_B
from yingji.core.actor import system_actor
from yingji.core.web.context import AppContext
from yingji.monitoring import service
from yingji.monitoring.schemas import DeviceCreate


@pytest.fixture
def devices(ctx: AppContext) -> dict[str, int]:
    """Register the test devices; return their ids by code."""
    specs = [
        DeviceCreate(
            code="GAS-A1",
            name="罐区可燃气体探测器1",
            kind="combustible_gas",
            division_code=TOWN_A,
            longitude=POINT_A[0],
            latitude=POINT_A[1],
            interval_seconds=60,
        ),
        DeviceCreate(
            code="RAIN-A1",
            name="玉屏雨量站",
            kind="rain_gauge",
            division_code=TOWN_A,
            interval_seconds=300,
        ),
        DeviceCreate(
            code="GAS-B1",
            name="昌州可燃气体探测器",
            kind="combustible_gas",
            division_code=TOWN_B,
            longitude=POINT_B[0],
            latitude=POINT_B[1],
        ),
    ]
    out = {}
    with ctx.uow(system_actor("test")) as uow:
        for spec in specs:
            out[spec.code] = service.register_device(uow, spec).id
        uow.commit()
    return out
