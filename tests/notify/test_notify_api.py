"""Notify through the API: registers (scoping, Excel import, audit), broadcasts, deliveries,
coverage, the inbox and acknowledgement by link."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from support.district import TOWN_A, VILLAGE_A1, VILLAGE_B1
from yingji.core.audit import AuditEntry
from yingji.notify import tasks

PERSONS = "/api/v1/responsible-persons"
DEVICES = "/api/v1/broadcast-devices"
N = "/api/v1/notify"


def person(division: str = VILLAGE_A1, **extra: Any) -> dict[str, Any]:
    body = {"name": "刘春梅", "phone": "13800001234", "role": "village_cadre"}
    body.update(division_code=division, **extra)
    return body


def test_person_register_is_scoped_and_audited(as_user, ctx) -> None:
    town_a, town_b = as_user("town_a"), as_user("town_b")
    r = town_a.post(PERSONS, json=person())
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    chief = town_a.post(PERSONS, json=person(TOWN_A, name="王镇长", role="township_cadre"))
    assert chief.status_code == 201
    r = town_a.patch(f"{PERSONS}/{pid}", json={"superior_id": chief.json()["id"]})
    assert r.status_code == 200, r.text
    # Another township: 404 on read, update and retire; absent from its list.
    assert town_b.get(f"{PERSONS}/{pid}").status_code == 404
    assert town_b.patch(f"{PERSONS}/{pid}", json={"name": "x"}).status_code == 404
    assert town_b.post(f"{PERSONS}/{pid}/retire", json={"reason": "x"}).status_code == 404
    assert town_b.get(PERSONS).json()["total"] == 0
    assert town_a.get(PERSONS).json()["total"] == 2
    assert as_user("bureau").get(PERSONS).json()["total"] == 2
    # A township may not register persons outside its jurisdiction.
    assert town_a.post(PERSONS, json=person(VILLAGE_B1)).status_code == 422
    # Superior must exist and not be the person themselves.
    r = town_a.patch(f"{PERSONS}/{pid}", json={"superior_id": pid})
    assert r.status_code == 422
    with ctx.session_factory() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "notify_responsible_person")
        ).all()
    assert actions == [
        "notify.responsible_person.create",
        "notify.responsible_person.create",
        "notify.responsible_person.update",
    ]


def test_person_register_excel_import(as_user) -> None:
    api = as_user("bureau")
    r = api.get(f"{PERSONS}/template.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws is not None
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["姓名*", "手机号码*", "责任类别*"]
    ws.append(["张三", "13800002222", "网格员", None, "500153001002"])
    ws.append(["李四", "13800003333", "包保责任人", "主要负责人", "500153002"])
    out = io.BytesIO()
    wb.save(out)
    files = {"file": ("persons.xlsx", out.getvalue(), "application/octet-stream")}
    r = api.post(f"{PERSONS}/import", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 3  # the template's example row and the two added
    roles = {p["name"]: p["role"] for p in api.get(PERSONS).json()["items"]}
    assert roles["张三"] == "grid_member"
    assert roles["李四"] == "accountable_person"


def test_device_register_is_scoped(as_user) -> None:
    body = {
        "code": "LS-1",
        "name": "玉屏1号大喇叭",
        "kind": "loudspeaker",
        "division_code": VILLAGE_A1,
    }
    r = as_user("town_a").post(DEVICES, json=body)
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    assert as_user("town_b").get(f"{DEVICES}/{did}").status_code == 404
    assert as_user("town_b").get(DEVICES).json()["total"] == 0
    assert as_user("town_a").post(DEVICES, json=body).status_code == 422  # code taken


def test_broadcast_deliveries_coverage_and_inbox(as_user, ctx, world, fixed, ids) -> None:
    town_a, town_b, bureau = as_user("town_a"), as_user("town_b"), as_user("bureau")
    area = {"division_codes": [TOWN_A]}
    r = bureau.post(f"{N}/recipient-counts", json=area)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 8
    body = {
        "source_kind": "warning",
        "source_id": "7",
        "area": area,
        "channels": ["sms", "in_app"],
        "subject": "暴雨橙色预警",
        "body": "未来3小时有暴雨",
        "require_ack": True,
    }
    assert as_user("grid_a").post(f"{N}/broadcasts", json=body).status_code == 403
    r = bureau.post(f"{N}/broadcasts", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["queued"] == 4 + 3 + 1
    assert bureau.post(f"{N}/broadcasts", json=body).json()["queued"] == 0

    listed = town_a.get(f"{N}/deliveries", params={"size": 50}).json()
    assert listed["total"] == 8
    one = listed["items"][0]["id"]
    assert town_a.get(f"{N}/deliveries/{one}").status_code == 200
    assert town_b.get(f"{N}/deliveries/{one}").status_code == 404
    assert town_b.get(f"{N}/deliveries").json()["total"] == 0
    assert len(town_a.get(f"{N}/acknowledgements").json()) == 3
    assert town_b.get(f"{N}/acknowledgements").json() == []

    tasks.dispatch_deliveries(ctx, fixed.now())
    cover = bureau.get(f"{N}/coverage", params={"source_kind": "warning", "source_id": "7"})
    assert cover.json()["delivered"] == 8
    assert cover.json()["ack_required"] == 3

    # The cadre (user grid_a) sees the message in the inbox and acknowledges it there.
    grid = as_user("grid_a")
    inbox = grid.get(f"{N}/inbox").json()
    assert [i["subject"] for i in inbox] == ["暴雨橙色预警"]
    r = grid.post(f"{N}/acknowledgements", json={"delivery_id": inbox[0]["delivery_id"]})
    assert r.status_code == 204, r.text
    # Somebody else's delivery is not theirs to acknowledge.
    r = town_a.post(f"{N}/acknowledgements", json={"delivery_id": inbox[0]["delivery_id"]})
    assert r.status_code == 404
    # The SMS link works without signing in; a wrong token is 404.
    acks = bureau.get(f"{N}/acknowledgements").json()
    assert sum(1 for a in acks if a["acknowledged_at"]) == 1
    with ctx.session_factory() as s:
        from yingji.notify.models import Acknowledgement

        token = s.scalars(
            select(Acknowledgement.token).where(Acknowledgement.acknowledged_at.is_(None))
        ).first()
    assert token
    client = grid.client
    assert client.post(f"{N}/ack/{token}").status_code == 204
    assert client.post(f"{N}/ack/nope").status_code == 404
    cover = bureau.get(f"{N}/coverage", params={"source_kind": "warning", "source_id": "7"})
    assert cover.json()["acknowledged"] == 2
    assert as_user("grid_a").get(f"{N}/coverage", params=cover.json()).status_code == 403
