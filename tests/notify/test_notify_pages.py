"""Notify pages: the dashboard (scoped, staff only), registers, the inbox and the 叫应 link."""

from __future__ import annotations

from sqlalchemy import select

from support.district import TOWN_A
from support.web import csrf_from, signed_in
from yingji.core.actor import system_actor
from yingji.notify import service
from yingji.notify.models import Acknowledgement
from yingji.notify.schemas import TargetArea


def _publish(ctx) -> None:
    with ctx.uow(system_actor("test")) as uow:
        service.queue_broadcast(
            uow,
            source_kind="warning",
            source_id="1",
            area=TargetArea(division_codes=[TOWN_A]),
            channels=["sms", "in_app"],
            subject="暴雨橙色预警",
            body="请做好防范",
            require_ack=True,
        )
        uow.commit()


def test_dashboard_is_scoped_and_staff_only(client, ctx, world) -> None:
    _publish(ctx)
    signed_in(client, "town_a")
    page = client.get("/notify/deliveries")
    assert page.status_code == 200
    assert "暴雨橙色预警" in page.text
    assert "叫应情况" in page.text
    assert "责任人a1_cadre" in page.text
    assert "模拟发送" in page.text
    assert client.get("/notify/deliveries?state=failed").status_code == 200
    assert client.get("/responsible-persons").status_code == 200
    assert client.get("/broadcast-devices").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    signed_in(client, "town_b")
    page = client.get("/notify/deliveries")
    assert page.status_code == 200
    assert "暴雨橙色预警" not in page.text


def test_dashboard_refuses_grid_members(client) -> None:
    signed_in(client, "grid_a")
    assert client.get("/notify/deliveries").status_code == 403


def test_inbox_acknowledges(client, ctx, world) -> None:
    _publish(ctx)
    csrf = signed_in(client, "grid_a")  # the user of person a1_cadre
    page = client.get("/notify/inbox")
    assert page.status_code == 200
    assert "确认收到（叫应）" in page.text
    with ctx.session_factory() as s:
        from yingji.notify.models import Delivery

        delivery_id = s.scalars(select(Delivery.id).where(Delivery.channel == "in_app")).one()
    r = client.post(
        f"/notify/inbox/{delivery_id}/ack", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert "已确认收到" in client.get("/notify/inbox").text


def test_ack_link_without_sign_in(client, ctx, world) -> None:
    _publish(ctx)
    with ctx.session_factory() as s:
        token = s.scalars(select(Acknowledgement.token)).first()
    page = client.get(f"/notify/ack/{token}")
    assert page.status_code == 200
    assert "我已收到" in page.text
    with ctx.session_factory() as s:
        assert s.scalars(select(Acknowledgement.acknowledged_at)).first() is None  # GET: no ack
    r = client.post(f"/notify/ack/{token}", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 200
    assert "已确认收到" in r.text
    assert client.get("/notify/ack/not-a-token").status_code == 404
