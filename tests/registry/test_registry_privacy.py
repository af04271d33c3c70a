"""Personal fields: masked for roles without the reveal right, revealed with an audit row."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from support.district import DISTRICT
from support.web import signed_in
from yingji.core.audit import AuditEntry
from yingji.core.privacy import mask_phone

BASE = "/api/v1/experts"
PHONE = "13812341234"
MASKED = "138****1234"


def _expert(as_user) -> int:
    body = {
        "name": "罗小林",
        "expertise": ["消防"],
        "title": "高级工程师",
        "phone": PHONE,
        "division_code": DISTRICT,
    }
    r = as_user("bureau").post(BASE, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _export_phones(response) -> list[str]:
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [
        str(c.value) for row in sheet.iter_rows() for c in row if c.value and "1234" in str(c.value)
    ]


def test_mask_phone_shapes():
    assert mask_phone(PHONE) == MASKED
    assert mask_phone("023-46781234") == "023-****1234"
    assert mask_phone("+8613812341234") == "+86138****1234"
    assert mask_phone("46781234") == "****1234"
    assert mask_phone("12345") == "12345"  # public service numbers stay
    assert mask_phone("") == ""


def test_township_officer_sees_masked_everywhere(as_user, client):
    eid = _expert(as_user)
    town = as_user("town_a")
    listed = town.get(BASE).json()["items"]
    assert [e["phone"] for e in listed if e["id"] == eid] == [MASKED]
    assert town.get(f"{BASE}/{eid}").json()["phone"] == MASKED
    assert _export_phones(town.get(f"{BASE}/export.xlsx")) == [MASKED]
    signed_in(client, "town_a")
    for url in ("/experts", f"/experts/{eid}"):
        page = client.get(url).text
        assert MASKED in page, url
        assert PHONE not in page, url


def test_bureau_sees_full_and_its_export_is_audited(as_user, ctx):
    eid = _expert(as_user)
    bureau = as_user("bureau")
    assert bureau.get(f"{BASE}/{eid}").json()["phone"] == PHONE
    assert _export_phones(bureau.get(f"{BASE}/export.xlsx")) == [PHONE]
    with ctx.session_factory() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "resources.expert.export"))
        assert [r.actor_name for r in rows] == ["bureau"]


def test_reveal_is_audited_and_refused_without_the_right(as_user, ctx):
    eid = _expert(as_user)
    url = f"{BASE}/{eid}/reveal"
    r = as_user("duty").get(url, params={"field": "phone", "purpose": "电话通知专家到场"})
    assert r.status_code == 200, r.text
    assert r.json()["value"] == PHONE
    with ctx.session_factory() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "resources.expert.reveal")
        ).one()
        assert (entry.actor_name, entry.entity_id, entry.reason) == (
            "duty",
            str(eid),
            "电话通知专家到场",
        )
        assert entry.after == {"field": "phone"}
    refused = as_user("town_a").get(url, params={"field": "phone", "purpose": "想看"})
    assert refused.status_code == 403, refused.text


def test_masked_value_sent_back_keeps_the_stored_phone(as_user):
    eid = _expert(as_user)
    town = as_user("town_a")
    r = town.patch(f"{BASE}/{eid}", json={"phone": MASKED})
    assert r.status_code in (403, 422), r.text  # never stored masked
    assert as_user("bureau").get(f"{BASE}/{eid}").json()["phone"] == PHONE


def test_every_registry_with_phones_declares_them_personal():
    from yingji.enterprises.registry import ENTERPRISES
    from yingji.notify.registry import RESPONSIBLE_PERSONS
    from yingji.resources.experts.registry import EXPERTS
    from yingji.resources.shelters.registry import SHELTERS
    from yingji.resources.social_forces.registry import SOCIAL_FORCES
    from yingji.resources.supplies.registry import WAREHOUSES
    from yingji.resources.teams.registry import RESCUE_TEAMS
    from yingji.risks.major_hazards.registry import MAJOR_HAZARDS
    from yingji.risks.points.registry import RISK_POINTS

    specs = [
        ENTERPRISES,
        RESPONSIBLE_PERSONS,
        EXPERTS,
        SHELTERS,
        SOCIAL_FORCES,
        WAREHOUSES,
        RESCUE_TEAMS,
        MAJOR_HAZARDS,
        RISK_POINTS,
    ]
    for spec in specs:
        phones = {n for n in spec.read_schema.model_fields if "phone" in n or n == "contacts"}
        assert phones, spec.name
        assert phones <= spec.personal_fields, spec.name


def test_masked_echoes_keep_stored_values():
    from yingji.enterprises.registry import ENTERPRISES
    from yingji.registry.privacy import drop_masked_echoes
    from yingji.resources.experts.registry import EXPERTS

    assert drop_masked_echoes(EXPERTS, {"phone": PHONE}, {"phone": MASKED, "name": "x"}) == {
        "name": "x"
    }
    assert drop_masked_echoes(EXPERTS, {"phone": PHONE}, {"phone": "13900001111"}) == {
        "phone": "13900001111"
    }
    stored = {
        "contacts": [{"name": "刘敏", "phone": PHONE}, {"name": "王强", "phone": "13900001111"}]
    }
    posted = {
        "contacts": [{"name": "刘敏", "phone": MASKED}, {"name": "新人", "phone": "13700002222"}]
    }
    assert drop_masked_echoes(ENTERPRISES, stored, posted) == {
        "contacts": [{"name": "刘敏", "phone": PHONE}, {"name": "新人", "phone": "13700002222"}]
    }
