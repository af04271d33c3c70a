"""Aggregates are scoped like lists (issue 15): a township officer's recipient counts and
delivery coverage hold only their own township; the warning preview is for composers."""

from __future__ import annotations

from typing import Any

from support.district import TOWN_A, TOWN_B

DISTRICT = "500153"


def _count(api: Any, url: str, codes: list[str]) -> Any:
    return api.post(url, json={"division_codes": codes})


def test_recipient_counts_hold_only_the_viewers_township(as_user, world):
    url = "/api/v1/notify/recipient-counts"
    bureau = _count(as_user("bureau"), url, [DISTRICT]).json()
    town_a = _count(as_user("town_a"), url, [DISTRICT]).json()
    town_b = _count(as_user("town_b"), url, [DISTRICT]).json()
    assert town_a["total"] > 0
    assert all(code.startswith(TOWN_A) for code in town_a["by_village"])
    assert all(code.startswith(TOWN_B) for code in town_b["by_village"])
    assert town_a["total"] + town_b["total"] <= bureau["total"]
    assert _count(as_user("town_b"), url, [TOWN_A]).json()["total"] == 0


def test_the_warning_preview_is_scoped_and_for_composers_only(as_user, world):
    url = "/api/v1/warnings/recipients/preview"
    assert _count(as_user("town_b"), url, [TOWN_A]).json()["total"] == 0
    assert _count(as_user("bureau"), url, [TOWN_A]).json()["total"] > 0
    assert _count(as_user("ent_a"), url, [TOWN_A]).status_code == 403
    assert _count(as_user("grid_a"), url, [TOWN_A]).status_code == 403


def test_delivery_coverage_holds_only_the_viewers_township(ctx, as_user, world):
    from yingji.core.actor import system_actor
    from yingji.notify import service
    from yingji.notify.schemas import TargetArea

    with ctx.uow(system_actor("test")) as uow:
        service.queue_broadcast(
            uow,
            source_kind="warning",
            source_id="9",
            area=TargetArea(division_codes=[DISTRICT]),
            channels=["sms"],
            subject="暴雨橙色预警",
            body="请做好防范",
            require_ack=False,
        )
        uow.commit()
    url = "/api/v1/notify/coverage?source_kind=warning&source_id=9"
    everything = as_user("bureau").get(url).json()
    town_b = as_user("town_b").get(url).json()
    assert everything["targeted"] > town_b["targeted"]
    assert all(code.startswith(TOWN_B) for code in town_b["by_village"])
