"""The command page's map in headless Chromium: the incident, its rescue rings and the
recommended team are drawn, and a marker's popup names what it is (SQLite copy only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.browser import DESKTOP, login, new_page
from support.district import POINT_A, POINT_B
from support.samples import rescue_team, shelter

pytestmark = pytest.mark.browser


def test_response_map_draws_rings_and_markers(
    live_server: str, browser: Any, as_user: Any, shots: Path
) -> None:
    bureau = as_user("bureau")
    assert bureau.post("/api/v1/rescue-teams", json=rescue_team(POINT_B, "乙")).status_code == 201
    assert bureau.post("/api/v1/shelters", json=shelter(POINT_A, "甲")).status_code == 201
    incident = as_user("duty").post(
        "/api/v1/incidents",
        json={
            "category": "accident",
            "type": "hazmat",
            "occurred_at": "2026-06-01T08:30:00+08:00",
            "longitude": POINT_A[0],
            "latitude": POINT_A[1],
            "title": "储罐泄漏",
        },
    )
    assert incident.status_code == 201, incident.text
    page = new_page(browser, DESKTOP)
    try:
        login(page, live_server, "duty")
        page.wait_for_url(f"{live_server}/")
        page.goto(f"{live_server}/incidents/{incident.json()['id']}/response")
        page.wait_for_selector("#response-map[data-state=ready]")
        assert "1 小时内可到达的救援队伍：1 支" in page.inner_text("#reach")
        # Three rings, the incident, the team and the shelter: SVG paths Leaflet can click.
        drawn = page.locator("#response-map path.leaflet-interactive").count()
        assert drawn >= 6
        # The incident sits in the middle of the rings; its marker is drawn on top.
        box = page.locator("#response-map").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector("#response-map .leaflet-popup-content:has-text('事发位置')")
        page.screenshot(path=str(shots / "incident-response-map.png"), full_page=True)
    finally:
        page.context.close()
