"""CAP import that real authorities can use (issue 15 item 7), over a corpus the team wrote in
the shapes real messages take (tests/early_warnings/corpus/): CAP 1.2 itself decides, the
project's profile only advises; empty optional elements are absent; several infos per
language; areas with only areaDesc; chains; conflicting re-sends; bounded findings.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from yingji.early_warnings.cap import decode_document, document_encoding
from yingji.early_warnings.caprules import IMPORT, MAX_FINDINGS, ValidationTimeout, validate_cap
from yingji.early_warnings.models import WarningMessage
from yingji.early_warnings.rules import CapProfile

CORPUS = Path(__file__).parent / "corpus"
BASE = "/api/v1/warnings"
XML = {"Content-Type": "application/xml"}
PROFILE = CapProfile()


def _doc(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def _import(api: Any, body: bytes) -> Any:
    return api.client.post(f"{BASE}/import", content=body, headers={**api.headers, **XML})


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xml")), ids=lambda p: p.stem)
def test_every_corpus_message_is_valid_cap_on_import(path: Path) -> None:
    report = validate_cap(path.read_bytes(), profile=PROFILE, mode=IMPORT)
    assert report.errors == []


def test_profile_rules_refuse_our_own_messages_but_only_advise_on_import() -> None:
    doc = _doc("areadesc_only.xml")
    produced = validate_cap(doc, profile=PROFILE, strict_cn=True)
    assert {f.rule for f in produced.errors} >= {"R52", "CN1"}
    imported = validate_cap(doc, profile=PROFILE, mode=IMPORT)
    assert imported.errors == []
    assert {f.rule for f in imported.warnings} >= {"R52", "CN1"}
    assert all(f.level == "warning" for f in imported.warnings)


def test_strict_import_keeps_the_chinese_profile_as_errors() -> None:
    report = validate_cap(_doc("areadesc_only.xml"), profile=PROFILE, strict_cn=True, mode=IMPORT)
    assert {f.rule for f in report.errors} == {"CN1"}
    assert "R52" in {f.rule for f in report.warnings}


def test_empty_optional_elements_count_as_absent_on_import_only() -> None:
    doc = _doc("empty_optional_elements.xml")
    produced = validate_cap(doc, profile=PROFILE)
    assert {f.rule for f in produced.errors} == {"R11", "R14", "R33"}
    imported = validate_cap(doc, profile=PROFILE, mode=IMPORT)
    assert imported.errors == []
    assert not {"R11", "R14", "R33"} & {f.rule for f in imported.warnings}


def test_spec_rules_still_refuse_on_import() -> None:
    bad = _doc("areadesc_and_geocode.xml").replace(
        b"<identifier>CORPUS-GEO-1", b"<identifier>CORPUS GEO-1"
    )
    report = validate_cap(bad, profile=PROFILE, mode=IMPORT)
    assert [(f.rule, f.path) for f in report.errors] == [("R8", "/alert/identifier[1]")]


@pytest.mark.parametrize(
    "name", ["empty_optional_elements.xml", "areadesc_only.xml", "areadesc_and_geocode.xml"]
)
def test_corpus_message_imports_with_profile_findings_as_warnings(as_user, name: str) -> None:
    api = as_user("duty")
    r = _import(api, _doc(name))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] is True
    assert "CN1" in {w["rule"] for w in body["warnings"]}
    assert body["warnings_total"] == len(body["warnings"])
    w = api.get(f"{BASE}/{body['warning_id']}").json()
    assert w["origin"] == "imported"


def test_area_with_only_area_desc_keeps_its_description(as_user) -> None:
    api = as_user("duty")
    r = _import(api, _doc("areadesc_only.xml"))
    assert r.status_code == 201, r.text
    w = api.get(f"{BASE}/{r.json()['warning_id']}").json()
    assert w["area_desc"] == "示例区西部山区"


def _flood(attributes: int = 0, elements: int = 0) -> bytes:
    doc = _doc("areadesc_and_geocode.xml")
    attrs = " ".join(f'a{i}="x"' for i in range(attributes))
    extra = "<junk/>" * elements
    return doc.replace(b"<scope>Public</scope>", f"<scope {attrs}>Public</scope>{extra}".encode())


def test_attribute_and_element_floods_are_refused_before_the_schema() -> None:
    for doc in (_flood(attributes=90_000), _flood(elements=30_000)):
        report = validate_cap(doc, profile=PROFILE, mode=IMPORT)
        assert [f.rule for f in report.errors] == ["LIMIT"]


def test_findings_returned_are_bounded_with_the_total(as_user) -> None:
    # 300 open polygons: 300 R46 errors, well below the element limit.
    bad = "<polygon>1,2 3,4</polygon>" * 300
    doc = _doc("areadesc_and_geocode.xml").replace(
        "<areaDesc>示例区</areaDesc>".encode(), f"<areaDesc>示例区</areaDesc>{bad}".encode()
    )
    r = _import(as_user("duty"), doc)
    assert r.status_code == 422
    body = r.json()
    assert len(body["errors"]) == MAX_FINDINGS
    assert body["total"] == 300


def test_several_infos_in_one_language_keep_all_their_areas(as_user, client) -> None:
    api = as_user("duty")
    doc = _doc("provincial_multi_county.xml")
    r = _import(api, doc)
    assert r.status_code == 201, r.text
    w = api.get(f"{BASE}/{r.json()['warning_id']}").json()
    assert w["division_codes"] == ["500151", "500152", "500153"]
    assert w["area_desc"] == "甲县、示例区、乙县"
    # The highest level of the infos is the warning's; every description is kept.
    assert w["level"] == "yellow"
    assert w["description"].split("\n") == [
        "甲县将出现暴雨。",
        "示例区将出现暴雨。",
        "乙县将出现暴雨。",
    ]
    # The message itself, with every info, is kept as received.
    assert client.get("/api/v1/cap/CORPUS-PROV-1.xml").content == doc


def test_two_infos_take_the_higher_level(as_user) -> None:
    api = as_user("duty")
    r = _import(api, _doc("two_infos_one_language.xml"))
    assert r.status_code == 201, r.text
    w = api.get(f"{BASE}/{r.json()['warning_id']}").json()
    assert w["level"] == "orange"
    assert w["division_codes"] == ["500153001", "500153002"]


def test_same_identifier_same_message_is_idempotent_different_content_is_409(as_user) -> None:
    api = as_user("duty")
    doc = _doc("areadesc_and_geocode.xml")
    first = _import(api, doc)
    assert first.status_code == 201, first.text
    again = _import(api, doc)
    assert again.status_code == 200
    assert again.json()["warning_id"] == first.json()["warning_id"]
    assert again.json()["created"] is False
    changed = doc.replace(b"<severity>Moderate</severity>", b"<severity>Severe</severity>").replace(
        "示例区将出现暴雨。".encode(), "示例区将出现大暴雨。".encode()
    )
    r = _import(api, changed)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "identifier_reused"
    assert "info[1]/severity" in r.json()["detail"]
    assert "info[1]/description" in r.json()["detail"]


def _chain(as_user: Any) -> tuple[Any, int]:
    api = as_user("duty")
    first = _import(api, _doc("chain_1_alert.xml"))
    assert first.status_code == 201, first.text
    update = _import(api, _doc("chain_2_update.xml"))
    assert update.status_code == 201, update.text
    assert update.json()["warning_id"] == first.json()["warning_id"]
    return api, int(first.json()["warning_id"])


def test_cancel_referencing_only_the_latest_message_lifts_under_the_default(as_user) -> None:
    api, warning_id = _chain(as_user)
    r = _import(api, _doc("chain_3_cancel_latest_only.xml"))
    assert r.status_code == 201, r.text
    assert r.json()["warning_id"] == warning_id
    assert "R18" in {w["rule"] for w in r.json()["warnings"]}
    assert api.get(f"{BASE}/{warning_id}").json()["state"] == "lifted"


def test_a_stale_cancel_that_skips_the_latest_message_is_still_refused(as_user) -> None:
    api, _ = _chain(as_user)
    # References only the first message: it was written before the Update it would undo.
    stale = _doc("chain_3_cancel_latest_only.xml").replace(
        b"CORPUS-CHAIN-2,2026-06-01T10:30:00", b"CORPUS-CHAIN-1,2026-06-01T09:30:00"
    )
    r = _import(api, stale)
    assert r.status_code == 422
    assert [e["rule"] for e in r.json()["errors"]] == ["R18"]


def test_a_flood_of_faulty_siblings_is_validated_quickly() -> None:
    # 19,000 open polygons under one area: each is a finding; locating them must stay linear.
    bad = "<polygon>1,2 3,4</polygon>" * 19_000
    doc = _doc("areadesc_and_geocode.xml").replace(
        "<areaDesc>示例区</areaDesc>".encode(), f"<areaDesc>示例区</areaDesc>{bad}".encode()
    )
    started = time.perf_counter()
    report = validate_cap(doc, profile=PROFILE, mode=IMPORT)
    assert time.perf_counter() - started < 2
    assert len(report.errors) == 19_000
    assert report.errors[-1].path == "/alert/info[1]/area[1]/polygon[19000]"


# --- original bytes (issue 15 §7.1) ---------------------------------------------------------------


def _predecessors(path: Path) -> list[Path]:
    # A chain's later messages reference the earlier ones: import those first.
    if not path.stem.startswith("chain_"):
        return []
    return [p for p in sorted(CORPUS.glob("chain_*.xml")) if p.name < path.name]


def _stored(ctx: Any, identifier: str) -> WarningMessage:
    with ctx.session_factory() as session:
        return session.scalars(
            select(WarningMessage).where(WarningMessage.identifier == identifier)
        ).one()


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xml")), ids=lambda p: p.stem)
def test_every_corpus_message_is_stored_and_served_byte_for_byte(
    ctx, as_user, client, path: Path
) -> None:
    api = as_user("duty")
    for earlier in _predecessors(path):
        assert _import(api, earlier.read_bytes()).status_code == 201
    doc = path.read_bytes()
    r = _import(api, doc)
    assert r.status_code == 201, r.text
    identifier = r.json()["identifier"]
    assert _stored(ctx, identifier).raw == doc
    served = client.get(f"/api/v1/cap/{identifier}.xml")
    assert served.content == doc
    assert (
        served.headers["content-type"] == f"application/cap+xml; charset={document_encoding(doc)}"
    )
    # The same bytes again are the same message (idempotent), whatever their encoding.
    again = _import(api, doc)
    assert (again.status_code, again.json()["created"]) == (200, False)


@pytest.mark.parametrize(
    ("name", "charset", "title", "area_desc"),
    [
        ("iso_8859_1.xml", "ISO-8859-1", "Alerte pluie forte - préfecture", "示例区"),
        ("utf16_bom.xml", "UTF-16", "示例市气象台发布暴雨黄色预警（Météo）", "示例区"),
        ("areadesc_and_geocode.xml", "UTF-8", "示例市气象台发布暴雨yellow预警", "示例区"),
    ],
)
def test_each_encoding_is_read_with_its_own_charset(
    ctx, as_user, client, name: str, charset: str, title: str, area_desc: str
) -> None:
    api = as_user("duty")
    doc = _doc(name)
    r = _import(api, doc)
    assert r.status_code == 201, r.text
    w = api.get(f"{BASE}/{r.json()['warning_id']}").json()
    assert (w["title"], w["area_desc"], w["signal"]) == (title, area_desc, "rainstorm")
    stored = _stored(ctx, r.json()["identifier"])
    assert stored.raw == doc
    # The text column is the same document decoded, not a UTF-8 misreading of it.
    assert title in stored.xml
    served = client.get(f"/api/v1/cap/{r.json()['identifier']}.xml")
    assert served.headers["content-type"] == f"application/cap+xml; charset={charset}"
    assert title in served.content.decode(charset)


def test_iso_8859_1_text_keeps_latin_letters_and_character_references() -> None:
    doc = _doc("iso_8859_1.xml")
    assert "é".encode("latin-1") in doc
    assert "é".encode() not in doc
    assert decode_document(doc).startswith('<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert "Service météorologique" in decode_document(doc)
    assert document_encoding(_doc("utf16_bom.xml")) == "UTF-16"
    assert document_encoding(b"<alert/>") == "UTF-8"
    assert document_encoding('<?xml version="1.0"?><a/>'.encode("utf-16-le")) == "UTF-16LE"


# --- other versions and namespaces (issue 15 §7.3) ------------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "says"),
    [
        ("urn:oasis:names:tc:emergency:cap:1.1", "这是 CAP 1.1 消息"),
        ("http://www.incident.com/cap/1.0", "这是 CAP 1.0 消息"),
        ("urn:example:alerts", "命名空间为 urn:example:alerts"),
    ],
)
def test_other_versions_and_namespaces_are_refused_with_the_reason(
    as_user, namespace: str, says: str
) -> None:
    doc = _doc("areadesc_and_geocode.xml").replace(
        b"urn:oasis:names:tc:emergency:cap:1.2", namespace.encode()
    )
    r = _import(as_user("duty"), doc)
    assert r.status_code == 422
    body = r.json()
    assert [e["rule"] for e in body["errors"]] == ["R1"]
    assert says in body["detail"]
    assert "只接受 CAP 1.2" in body["detail"] or "不是 CAP 1.2 消息" in body["detail"]


def test_a_root_without_namespace_is_named() -> None:
    doc = _doc("areadesc_and_geocode.xml").replace(
        b' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', b""
    )
    report = validate_cap(doc, profile=PROFILE, mode=IMPORT)
    assert [f.rule for f in report.errors] == ["R1"]
    assert "没有命名空间" in report.errors[0].message


# --- validation timeout (issue 15 §7.4) -----------------------------------------------------------


def _slow() -> bytes:
    # 19,000 faulty polygons: about a quarter of a second of rule work on this machine.
    bad = "<polygon>1,2 3,4</polygon>" * 19_000
    return _doc("areadesc_and_geocode.xml").replace(
        "<areaDesc>示例区</areaDesc>".encode(), f"<areaDesc>示例区</areaDesc>{bad}".encode()
    )


@pytest.mark.parametrize("endpoint", ["import", "validate"])
def test_validation_past_the_timeout_answers_422_at_once(
    ctx, as_user, monkeypatch, endpoint: str
) -> None:
    monkeypatch.setattr(ctx.settings, "warning_import_validation_timeout_seconds", 0.01)
    api = as_user("duty")
    # No wall-clock bound here (a loaded CI machine makes one flaky): the TIMEOUT finding is
    # produced only when the deadline fired before the rules finished.
    r = api.client.post(f"{BASE}/{endpoint}", content=_slow(), headers={**api.headers, **XML})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "cap_validation_timeout"
    assert [e["rule"] for e in body["errors"]] == ["TIMEOUT"]
    assert "校验超时" in body["detail"]
    assert api.get(BASE).json()["total"] == 0


def test_the_abandoned_worker_stops_at_its_deadline() -> None:
    with pytest.raises(ValidationTimeout):
        validate_cap(_slow(), profile=PROFILE, mode=IMPORT, deadline=time.monotonic() - 1)


def test_the_default_timeout_is_a_few_seconds(ctx) -> None:
    assert ctx.settings.warning_import_validation_timeout_seconds == 5.0
