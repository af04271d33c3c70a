"""The alarm board in headless Chromium: a new alarm appears by itself (server-sent events),
and acknowledging from the board works. SQLite only, like the other browser tests; the live
server and the browser come from tests/support/browser.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from alarms.helpers import raise_one
from support.browser import new_page
from support.district import PASSWORD

pytestmark = pytest.mark.browser


def test_board_updates_live_and_acknowledges(
    ctx: Any, clock: Any, live_server: str, browser: Any, shots: Path
) -> None:
    ctx.clock = clock
    page = new_page(browser, None)
    try:
        page.goto(f"{live_server}/login?next=/alarms")
        page.fill("#username", "duty")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/alarms")
        page.wait_for_selector("#live-status:has-text('实时更新中')")
        assert page.locator("tr[data-alarm-id]").count() == 0
        # Monitoring raises an alarm: the board reloads itself and shows it.
        alarm_id = raise_one(ctx, clock.now(), device_name="实时探头", level="red")
        row = page.wait_for_selector(f"tr[data-alarm-id='{alarm_id}']")
        assert "实时探头" in row.inner_text()
        page.click(f"tr[data-alarm-id='{alarm_id}'] button:has-text('确认')")
        page.wait_for_selector(f"tr[data-alarm-id='{alarm_id}'][data-state=acknowledged]")
        page.screenshot(path=str(shots / "alarm-board.png"), full_page=True)
        page.goto(f"{live_server}/alarms/{alarm_id}")
        page.screenshot(path=str(shots / "alarm-detail.png"), full_page=True)
    finally:
        page.context.close()
