"""Warnings over the API: compose → submit → approve → publish → update → lift, every CAP
message valid with the right references, four eyes, illegal transitions, scoping, audit,
dissemination through notify, validate / import, the public feed and CAP documents.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from support.district import TOWN_A, TOWN_B, VILLAGE_A1
from yingji.core.audit import AuditEntry
from yingji.core.clock import FixedClock
from yingji.early_warnings.caprules import CAP_NS, validate_cap
from yingji.early_warnings.rules import load_profile

BASE = "/api/v1/warnings"
NS = {"cap": CAP_NS}


@pytest.fixture
def timed(ctx: Any, clock: FixedClock) -> FixedClock:
    """Run the app on the fixed clock (2026-06-01 10:00 Beijing)."""
    ctx.clock = clock
    return clock


def _body(clock: FixedClock, **over: Any) -> dict[str, Any]:
    now = clock.now()
    body: dict[str, Any] = {
        "title": "昌元街道暴雨橙色预警",
        "signal": "rainstorm",
        "level": "orange",
        "division_codes": [TOWN_A],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=12)).isoformat(),
        "description": "预计未来 3 小时降雨量将达 50 毫米以上。",
        "measures": "停止户外作业，转移低洼地区人员。",
        "contact": "023-46731234",
        "channels": ["sms", "in_app"],
    }
    body.update(over)
    return body


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def _published(as_user: Any, clock: FixedClock, composer: str = "town_a", **over: Any) -> int:
    w = _ok(as_user(composer).post(BASE, json=_body(clock, **over)), 201)
    _ok(as_user(composer).post(f"{BASE}/{w['id']}/submit", json={}))
    _ok(as_user("bureau").post(f"{BASE}/{w['id']}/approve", json={"reason": "同意"}))
    _ok(as_user("duty").post(f"{BASE}/{w['id']}/publish", json={}))
    return int(w["id"])


def _cap(client: Any, url: str) -> bytes:
    r = client.get(url)  # public: no login
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/cap+xml")
    return bytes(r.content)


def test_full_lifecycle_exports_valid_cap_with_references(ctx, client, as_user, timed) -> None:
    warning_id = _published(as_user, timed)
    timed.advance(timedelta(minutes=30))
    _ok(
        as_user("bureau").post(
            f"{BASE}/{warning_id}/update", json={"level": "red", "reason": "雨势加强"}
        )
    )
    timed.advance(timedelta(hours=2))
    done = _ok(as_user("bureau").post(f"{BASE}/{warning_id}/lift", json={"reason": "降雨结束"}))
    assert done["state"] == "lifted"
    messages = done["messages"]
    assert [m["msg_type"] for m in messages] == ["Alert", "Update", "Cancel"]

    profile = load_profile(ctx.settings)
    keys: list[str] = []
    for message in messages:
        xml = _cap(client, message["cap_url"])
        report = validate_cap(xml, profile=profile, strict_cn=True)
        assert report.errors == [], report.errors
        assert report.warnings == [], report.warnings
        root = etree.fromstring(xml)
        references = root.findtext("cap:references", namespaces=NS)
        # Update and Cancel reference every earlier message, exactly as each was sent.
        assert (references.split() if references else []) == keys
        keys.append(f"{message['sender']},{message['identifier']},{message['sent']}")
        assert len(message["identifier"]) == 31
        assert message["sent"].endswith("+08:00")
    update = etree.fromstring(_cap(client, messages[1]["cap_url"]))
    assert update.findtext("cap:info/cap:severity", namespaces=NS) == "Extreme"
    cancel = etree.fromstring(_cap(client, messages[2]["cap_url"]))
    assert cancel.findtext("cap:info/cap:responseType", namespaces=NS) == "AllClear"
    assert [h["action"] for h in done["history"]] == [
        "compose",
        "submit",
        "approve",
        "publish",
        "update",
        "lift",
    ]


def test_publish_queues_deliveries_through_notify(ctx, as_user, timed, monkeypatch) -> None:
    from yingji.early_warnings import dissemination

    calls: list[dict[str, Any]] = []

    def fake(uow: Any, **kw: Any) -> int:
        calls.append(kw)
        return 7

    monkeypatch.setattr(dissemination, "queue_broadcast", fake)
    warning_id = _published(
        as_user,
        timed,
        polygon={
            "type": "Polygon",
            "coordinates": [[[105.5, 29.4], [105.55, 29.4], [105.55, 29.45], [105.5, 29.4]]],
        },
    )
    detail = _ok(as_user("town_a").get(f"{BASE}/{warning_id}"))
    assert detail["messages"][0]["queued"] == 7
    (call,) = calls
    assert call["warning_id"] == warning_id
    assert call["require_ack"] is True
    assert call["area"].division_codes == [TOWN_A]
    assert call["area"].polygon is not None
    assert call["channels"] == ["sms", "in_app"]
    assert "暴雨橙色预警" in call["subject"]
    _ok(as_user("bureau").post(f"{BASE}/{warning_id}/lift", json={}))
    assert calls[-1]["require_ack"] is False
    assert calls[-1]["seq"] == 2


def test_publish_with_real_notify_and_coverage(ctx, as_user, timed) -> None:
    person = {
        "name": "张村干",
        "phone": "13800000001",
        "role": "village_cadre",
        "division_code": VILLAGE_A1,
    }
    _ok(as_user("bureau").post("/api/v1/responsible-persons", json=person), 201)
    warning_id = _published(as_user, timed)
    detail = _ok(as_user("town_a").get(f"{BASE}/{warning_id}"))
    assert detail["messages"][0]["queued"] >= 1
    coverage = _ok(as_user("town_a").get(f"{BASE}/{warning_id}/coverage"))
    assert coverage["source_kind"] == "early_warning"
    assert coverage["source_id"] == str(warning_id)
    assert coverage["targeted"] >= 1
    assert coverage["ack_required"] >= 1
    assert VILLAGE_A1 in coverage["by_village"]
    preview = _ok(
        as_user("town_a").post(f"{BASE}/recipients/preview", json={"division_codes": [TOWN_A]})
    )
    assert set(preview) >= {"responsible_persons", "residents", "devices", "total", "by_village"}


def test_approver_must_not_be_submitter(as_user, timed) -> None:
    w = _ok(as_user("bureau").post(BASE, json=_body(timed)), 201)
    _ok(as_user("bureau").post(f"{BASE}/{w['id']}/submit", json={}))
    r = as_user("bureau").post(f"{BASE}/{w['id']}/approve", json={})
    assert r.status_code == 409
    assert "提交人" in r.json()["detail"]
    # A township officer may compose but never approve.
    assert as_user("town_a").post(f"{BASE}/{w['id']}/approve", json={}).status_code in {403, 404}
    r = as_user("town_a").post(BASE, json=_body(timed))
    town = r.json()["id"]
    _ok(as_user("town_a").post(f"{BASE}/{town}/submit", json={}))
    assert as_user("town_a").post(f"{BASE}/{town}/approve", json={}).status_code == 403
    _ok(as_user("duty").post(f"{BASE}/{w['id']}/approve", json={}))


# At each state (reached by the steps before it), the actions the table forbids there.
ILLEGAL = [
    ("draft", None, ("approve", "publish", "lift", "update")),
    ("submitted", "submit", ("submit", "publish", "lift")),
    ("approved", "approve", ("approve", "submit", "reject")),
    ("published", "publish", ("publish", "submit", "approve")),
    ("lifted", "lift", ("lift", "publish", "update")),
]


def test_illegal_transitions_are_409(as_user, timed) -> None:
    w = _ok(as_user("town_a").post(BASE, json=_body(timed)), 201)
    actors = {"submit": "town_a", "approve": "bureau", "publish": "duty", "lift": "bureau"}
    for state, step, illegal in ILLEGAL:
        if step:
            assert (
                _ok(as_user(actors[step]).post(f"{BASE}/{w['id']}/{step}", json={}))["state"]
                == state
            )
        for action in illegal:
            user = "bureau" if action != "submit" else "town_a"
            r = as_user(user).post(f"{BASE}/{w['id']}/{action}", json={"reason": "x"})
            assert r.status_code == 409, (state, action, r.text)
            assert r.json()["code"] == "illegal_transition"


def test_published_warning_is_not_edited_in_place(as_user, timed) -> None:
    warning_id = _published(as_user, timed)
    r = as_user("town_a").patch(f"{BASE}/{warning_id}", json={"title": "改标题"})
    assert r.status_code == 409


def test_reject_returns_draft_for_editing(as_user, timed) -> None:
    w = _ok(as_user("town_a").post(BASE, json=_body(timed)), 201)
    _ok(as_user("town_a").post(f"{BASE}/{w['id']}/submit", json={}))
    assert as_user("bureau").post(f"{BASE}/{w['id']}/reject", json={}).status_code == 422
    back = _ok(as_user("bureau").post(f"{BASE}/{w['id']}/reject", json={"reason": "区域不准确"}))
    assert back["state"] == "draft"
    edited = _ok(
        as_user("town_a").patch(f"{BASE}/{w['id']}", json={"division_codes": [VILLAGE_A1]})
    )
    assert edited["division_codes"] == [VILLAGE_A1]
    assert edited["division_code"] == VILLAGE_A1


def test_township_composes_for_its_township_only(as_user, timed) -> None:
    r = as_user("town_a").post(BASE, json=_body(timed, division_codes=[TOWN_B]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "division_codes"
    outside = {
        "type": "Polygon",
        "coordinates": [[[105.62, 29.41], [105.68, 29.41], [105.68, 29.48], [105.62, 29.41]]],
    }
    r = as_user("town_a").post(BASE, json=_body(timed, division_codes=[], polygon=outside))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "polygon"
    r = as_user("town_a").post(BASE, json=_body(timed, level="blue", signal="heat"))
    assert r.status_code == 422  # 高温 has no blue level


def test_scoping_other_township_gets_404(as_user, timed) -> None:
    w = _ok(as_user("town_a").post(BASE, json=_body(timed)), 201)
    wid = w["id"]
    assert as_user("town_b").get(f"{BASE}/{wid}").status_code == 404
    assert as_user("town_b").patch(f"{BASE}/{wid}", json={"title": "x"}).status_code == 404
    assert as_user("town_b").post(f"{BASE}/{wid}/submit", json={}).status_code == 404
    assert as_user("town_b").get(f"{BASE}/{wid}/coverage").status_code == 404
    assert wid not in [i["id"] for i in _ok(as_user("town_b").get(BASE))["items"]]
    assert wid in [i["id"] for i in _ok(as_user("town_a").get(BASE))["items"]]
    assert wid in [i["id"] for i in _ok(as_user("bureau").get(BASE))["items"]]
    # A district warning covers township A: visible there, but not theirs to change.
    district = _ok(
        as_user("bureau").post(BASE, json=_body(timed, division_codes=[TOWN_A, TOWN_B])), 201
    )
    assert district["division_code"] == "500153"
    assert as_user("town_a").get(f"{BASE}/{district['id']}").status_code == 200
    assert as_user("town_a").post(f"{BASE}/{district['id']}/submit", json={}).status_code == 403
    assert as_user("grid_a").get(f"{BASE}/{wid}").status_code == 200


def test_every_write_is_audited(ctx, as_user, timed) -> None:
    warning_id = _published(as_user, timed)
    with ctx.session_factory() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "warning", AuditEntry.entity_id == str(warning_id))
                .order_by(AuditEntry.id)
            )
        )
    assert actions == [
        "early_warnings.warning.compose",
        "early_warnings.warning.submit",
        "early_warnings.warning.approve",
        "early_warnings.warning.publish",
    ]


def test_failed_publish_writes_nothing(ctx, as_user, timed, monkeypatch) -> None:
    from yingji.early_warnings import dissemination

    w = _ok(as_user("town_a").post(BASE, json=_body(timed)), 201)
    _ok(as_user("town_a").post(f"{BASE}/{w['id']}/submit", json={}))
    _ok(as_user("bureau").post(f"{BASE}/{w['id']}/approve", json={}))

    def boom(uow: Any, **kw: Any) -> int:
        raise RuntimeError("gateway down")

    monkeypatch.setattr(dissemination, "queue_broadcast", boom)
    with pytest.raises(RuntimeError):
        as_user("duty").post(f"{BASE}/{w['id']}/publish", json={})
    detail = _ok(as_user("bureau").get(f"{BASE}/{w['id']}"))
    assert detail["state"] == "approved"
    assert detail["messages"] == []


# --- validate / import ---------------------------------------------------------------------------

FOREIGN_SENDER = "50000041600000"


def _foreign(
    identifier: str,
    msg_type: str = "Alert",
    references: str = "",
    level: str = "yellow",
    sent: str = "2026-06-01T09:30:00+08:00",
) -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    severity = {"yellow": "Moderate", "orange": "Severe", "red": "Extreme", "blue": "Minor"}[level]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>{FOREIGN_SENDER}</sender>
  <sent>{sent}</sent><status>Actual</status><msgType>{msg_type}</msgType>
  <scope>Public</scope>{refs}
  <info><language>zh-CN</language><category>Met</category><event>暴雨</event>
    <urgency>Expected</urgency><severity>{severity}</severity><certainty>Likely</certainty>
    <effective>2026-06-01T09:30:00+08:00</effective><expires>2026-06-02T09:30:00+08:00</expires>
    <senderName>重庆市气象台</senderName><headline>重庆市气象台发布暴雨预警</headline>
    <description>荣昌区将出现暴雨。</description>
    <parameter><valueName>WARNING_LEVEL</valueName><value>{level}</value></parameter>
    <area><areaDesc>荣昌区</areaDesc>
      <polygon>29.4,105.5 29.4,105.7 29.5,105.7 29.5,105.5 29.4,105.5</polygon>
      <geocode><valueName>GB/T2260</valueName><value>500153</value></geocode></area>
  </info>
</alert>""".encode()


XML = {"Content-Type": "application/xml"}


def _xml(api: Any, url: str, body: bytes) -> Any:
    return api.client.post(url, content=body, headers={**api.headers, **XML})


def test_validate_endpoint(as_user) -> None:
    api = as_user("duty")
    ok = _xml(api, f"{BASE}/validate", _foreign("CQ-1"))
    assert ok.status_code == 200
    assert ok.json()["valid"] is True
    bad = (
        _foreign("CQ-1")
        .replace(
            b"29.4,105.5 29.4,105.7 29.5,105.7 29.5,105.5 29.4,105.5",
            b"29.4,105.5 29.5,105.7 29.4,105.6",
        )
        .replace(b"<identifier>CQ-1", b"<identifier>CQ 1")
    )
    r = _xml(api, f"{BASE}/validate", bad)
    assert r.status_code == 422
    body = r.json()
    assert body["valid"] is False
    assert {(e["rule"], e["path"]) for e in body["errors"]} == {
        ("R8", "/alert/identifier[1]"),
        ("R46", "/alert/info[1]/area[1]/polygon[1]"),
    }
    assert all(e["message"] for e in body["errors"])
    assert (
        as_user("town_a").client.post(f"{BASE}/validate", content=bad, headers=XML).status_code
        == 401
    )


def test_import_is_idempotent_and_follows_updates(ctx, as_user, client) -> None:
    api = as_user("duty")
    first = _xml(api, f"{BASE}/import", _foreign("CQ-1"))
    assert first.status_code == 201, first.text
    warning_id = first.json()["warning_id"]
    again = _xml(api, f"{BASE}/import", _foreign("CQ-1"))
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    w = _ok(api.get(f"{BASE}/{warning_id}"))
    assert (w["origin"], w["state"], w["signal"], w["level"]) == (
        "imported",
        "published",
        "rainstorm",
        "yellow",
    )
    assert w["division_code"] == "500153"
    assert w["polygon"]["type"] == "Polygon"

    ref1 = f"{FOREIGN_SENDER},CQ-1,2026-06-01T09:30:00+08:00"
    upd = _foreign("CQ-2", "Update", ref1, level="orange", sent="2026-06-01T10:30:00+08:00")
    r = _xml(api, f"{BASE}/import", upd)
    assert r.status_code == 201
    assert r.json()["warning_id"] == warning_id
    assert r.json()["created"] is True
    assert _ok(api.get(f"{BASE}/{warning_id}"))["level"] == "orange"
    # A Cancel that references only the latest message of the chain is accepted under the
    # default (CAP 1.2 allows it); rule 18 then only advises.
    ref2 = f"{FOREIGN_SENDER},CQ-2,2026-06-01T10:30:00+08:00"
    partial = _foreign("CQ-3", "Cancel", ref2, sent="2026-06-01T11:00:00+08:00")
    r = _xml(api, f"{BASE}/import", partial)
    assert r.status_code == 201, r.text
    assert ("R18", "/alert/references[1]") in {(w["rule"], w["path"]) for w in r.json()["warnings"]}
    assert _ok(api.get(f"{BASE}/{warning_id}"))["state"] == "lifted"
    # Imported messages are served as received.
    assert client.get("/api/v1/cap/CQ-2.xml").content == upd
    # Another authority's warning is not ours to lift.
    assert api.post(f"{BASE}/{warning_id}/lift", json={}).status_code == 409


def test_strict_setting_refuses_a_cancel_that_references_only_the_latest(
    ctx, as_user, monkeypatch
) -> None:
    monkeypatch.setattr(ctx.settings, "warning_import_complete_references", True)
    api = as_user("duty")
    assert _xml(api, f"{BASE}/import", _foreign("CQ-1")).status_code == 201
    ref1 = f"{FOREIGN_SENDER},CQ-1,2026-06-01T09:30:00+08:00"
    upd = _foreign("CQ-2", "Update", ref1, level="orange", sent="2026-06-01T10:30:00+08:00")
    assert _xml(api, f"{BASE}/import", upd).status_code == 201
    ref2 = f"{FOREIGN_SENDER},CQ-2,2026-06-01T10:30:00+08:00"
    partial = _foreign("CQ-3", "Cancel", ref2, sent="2026-06-01T11:00:00+08:00")
    r = _xml(api, f"{BASE}/import", partial)
    assert r.status_code == 422
    assert [(e["rule"], e["path"]) for e in r.json()["errors"]] == [("R18", "/alert/references[1]")]
    full = _foreign("CQ-3", "Cancel", f"{ref1} {ref2}", sent="2026-06-01T11:00:00+08:00")
    assert _xml(api, f"{BASE}/import", full).status_code == 201


def test_import_rejects_invalid_with_every_rule(as_user) -> None:
    bad = _foreign("CQ 9").replace(b"<event>\xe6\x9a\xb4\xe9\x9b\xa8</event>", b"<event></event>")
    r = _xml(as_user("duty"), f"{BASE}/import", bad)
    assert r.status_code == 422
    assert {e["rule"] for e in r.json()["errors"]} == {"R8", "R27"}
    assert _xml(as_user("town_a"), f"{BASE}/import", _foreign("CQ-5")).status_code == 403


# --- public feed ----------------------------------------------------------------------------------


def test_public_atom_feed_links_each_cap_document(client, as_user, timed) -> None:
    warning_id = _published(as_user, timed)
    draft = _ok(as_user("town_a").post(BASE, json=_body(timed, title="草稿预警")), 201)
    r = client.get(f"{BASE}/feed.atom")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(r.content)
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", atom)
    assert len(entries) == 1
    assert feed.findtext("a:id", namespaces=atom)
    assert feed.findtext("a:updated", namespaces=atom)
    link = entries[0].find("a:link[@type='application/cap+xml']", atom)
    href = link.get("href")
    detail = _ok(as_user("bureau").get(f"{BASE}/{warning_id}"))
    assert href.endswith(detail["messages"][0]["cap_url"])
    assert client.get(href.replace("http://testserver", "")).status_code == 200
    assert "草稿预警" not in r.text
    assert draft["state"] == "draft"
    assert client.get("/api/v1/cap/nope.xml").status_code == 404


def test_identifier_taken_by_a_racing_publish_moves_to_the_next_number(
    ctx, as_user, timed, monkeypatch
) -> None:
    """Two publishes in one second: the unique identifier makes the second take n + 1."""
    from yingji.early_warnings import service as warning_service

    first = _published(as_user, timed)
    real = warning_service._next_identifier
    with ctx.session_factory() as session:
        taken = session.scalars(
            select(warning_service.WarningMessage.identifier).where(
                warning_service.WarningMessage.warning_id == first
            )
        ).one()
    calls: list[str] = []

    def stale(session: Any, profile: Any, sent: Any) -> str:
        # The first call answers as a transaction that has not yet seen the other commit.
        calls.append("x")
        return taken if len(calls) == 1 else real(session, profile, sent)

    monkeypatch.setattr(warning_service, "_next_identifier", stale)
    second = _published(as_user, timed, title="昌元街道大风预警", signal="gale", level="blue")
    with ctx.session_factory() as session:
        identifier = session.scalars(
            select(warning_service.WarningMessage.identifier).where(
                warning_service.WarningMessage.warning_id == second
            )
        ).one()
    assert identifier != taken
    assert identifier[:-1] == taken[:-1]  # same second, next number
    assert len(calls) == 2
