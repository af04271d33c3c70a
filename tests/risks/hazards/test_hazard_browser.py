"""The rectification loop end to end in headless Chromium, by two users.

The enterprise officer reports a self-check finding with a photo, the township officer
confirms it and names the owner, the enterprise rectifies and submits with a photo, the
township accepts: the hazard is closed (销号) and the timeline shows every step.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from support.browser import login, new_page

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 900}


def _png(red: int) -> bytes:
    """Return a valid 8×8 one-colour PNG (so the page shows a real thumbnail)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([red, 80, 40]) * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _signed_in(browser: Any, base: str, username: str) -> Any:
    page = new_page(browser, VIEWPORT)
    login(page, base, username)
    page.wait_for_url(f"{base}/")
    return page


def _act(page: Any, action: str) -> None:
    page.click(f"#action-{action} button[type=submit]")
    page.wait_for_load_state()


def test_loop_report_confirm_rectify_accept_closed(
    live_server: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "site.png"
    photo.write_bytes(_png(200))
    after = tmp_path / "after.png"
    after.write_bytes(_png(20))
    ent = _signed_in(browser, live_server, "ent_a")
    ent.goto(f"{live_server}/hazards/new")
    ent.select_option("#f-source", "self_check")
    ent.select_option("#f-kind", "electrical")
    ent.fill("#f-title", "配电室电缆沟积水")
    ent.fill("#f-description", "雨后电缆沟积水约 10 厘米")
    ent.set_input_files("#f-photo", str(photo))
    ent.click("#report-form button[type=submit]")
    ent.wait_for_url(f"{live_server}/hazards/*")
    url = ent.url
    assert ent.locator("#hazard-state").inner_text() == "待确认"
    assert ent.locator("#photos img").count() == 1
    assert ent.locator("#action-confirm").count() == 0  # the enterprise does not confirm
    ent.screenshot(path=str(shots / "hazard-detail-reported.png"), full_page=True)

    town = _signed_in(browser, live_server, "town_a")
    town.goto(f"{live_server}/hazards")
    town.click("#hazard-list a:has-text('配电室电缆沟积水')")
    town.wait_for_url(url)
    town.select_option("#confirm-owner", label="ent_a")
    town.fill("#confirm-deadline", "2099-06-30")
    town.fill("#confirm-reason", "现场核实属实")
    _act(town, "confirm")
    assert town.locator("#hazard-state").inner_text() == "已确认"
    town.goto(f"{live_server}/hazards?all=1")
    town.screenshot(path=str(shots / "hazard-board.png"), full_page=True)
    town.goto(url)

    ent.goto(url)
    ent.fill("#start-reason", "已安排抽水并封堵进水口")
    _act(ent, "start")
    assert ent.locator("#hazard-state").inner_text() == "整改中"
    ent.set_input_files("#submit-photo", str(after))
    ent.fill("#submit-reason", "积水已清除，进水口已封堵")
    _act(ent, "submit")
    assert ent.locator("#hazard-state").inner_text() == "待验收"
    assert ent.locator("#action-accept").count() == 0

    town.goto(url)
    town.fill("#accept-reason", "复查合格，同意销号")
    _act(town, "accept")
    assert town.locator("#hazard-state").inner_text() == "已销号"
    photos = town.locator("#photos img")
    assert photos.count() == 2  # the report's and the rectification's
    assert photos.evaluate_all("els => els.every(el => el.complete && el.naturalWidth === 8)")
    assert "基准企业A" in town.inner_text("main")
    town.screenshot(path=str(shots / "hazard-detail-closed.png"), full_page=True)
    steps = town.locator("#timeline li")
    assert steps.count() == 5
    text = town.inner_text("#timeline")
    for word in ("上报", "确认", "开始整改", "提交验收", "验收销号", "ent_a", "town_a"):
        assert word in text
    town.goto(f"{live_server}/hazards?state=closed")
    assert town.locator("#hazard-list", has_text="配电室电缆沟积水").count() == 1
    town.goto(f"{live_server}/hazards/statistics")
    assert "100.0%" in town.inner_text("#hazard-stats")
    town.screenshot(path=str(shots / "hazard-statistics.png"), full_page=True)
    ent.context.close()
    town.context.close()
