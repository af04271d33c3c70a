"""Issue 5 end to end in headless Chromium: intake → grade → activate a plan → dispatch a
team → team on scene → close → review (SQLite copy only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.browser import login, new_page
from support.district import POINT_A
from support.samples import rescue_team

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 900}


def _plan_and_team(as_user: Any) -> None:
    bureau = as_user("bureau")
    plan = bureau.post(
        "/api/v1/plans",
        json={
            "name": "危化品事故专项应急预案",
            "kind": "special",
            "version": {
                "levels": [{"level": 4, "criteria": {"event_types": ["hazmat"], "min_deaths": 1}}],
                "templates": [
                    {
                        "level": 4,
                        "action": "划定警戒区",
                        "role": "township_officer",
                        "deadline_minutes": 30,
                    }
                ],
            },
        },
    ).json()
    assert bureau.post(f"/api/v1/plans/{plan['id']}/publish").status_code == 200
    assert bureau.post("/api/v1/rescue-teams", json=rescue_team(POINT_A, "危化")).status_code == 201


def test_intake_to_review(live_server: str, browser: Any, as_user: Any, shots: Path) -> None:
    _plan_and_team(as_user)
    page = new_page(browser, VIEWPORT)
    try:
        login(page, live_server, "duty")
        page.wait_for_url(f"{live_server}/")
        # Intake with a place on the map; the grade comes from the casualties.
        page.goto(f"{live_server}/incidents/new")
        page.select_option("#f-category", "accident")
        page.select_option("#f-type", "hazmat")
        page.wait_for_selector("#incident-map[data-state=ready]")
        page.click("#incident-map")
        page.fill("#f-title", "储罐区危化品泄漏")
        page.fill("#f-deaths", "1")
        page.click("#incident-form button[type=submit]")
        page.wait_for_url(f"{live_server}/incidents/*")
        assert "一般事故" in page.inner_text("h1")
        incident_url = page.url
        # The command page: start the matched plan, send the recommended team.
        page.click("text=指挥处置")
        page.wait_for_url("**/response")
        page.click("#plans button:has-text('确认启动')")
        page.wait_for_selector("#tasks li:has-text('划定警戒区')")
        page.click("#dispatch button:has-text('调派')")
        for step in ("批准", "派出", "到场"):
            page.click(f"#orders button:has-text('{step}')")
            page.wait_for_load_state()
        assert page.inner_text("#orders .order-state") == "已到场"
        page.screenshot(path=str(shots / "incident-response.png"), full_page=True)
        # Close on the incident page, then review on the command page.
        page.goto(incident_url)
        page.fill("#close-reason", "险情排除")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("form[action$='/close'] button[type=submit]")
        page.wait_for_load_state()
        page.goto(incident_url + "/response")
        page.fill("#review input[name=summary]", "处置及时")
        page.click("#review button[type=submit]")
        page.wait_for_selector("#review a:has-text('下载复盘报告')")
        assert "分钟" in page.inner_text("#review")
    finally:
        page.context.close()
