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

from yingji.early_warnings.caprules import IMPORT, MAX_FINDINGS, validate_cap
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
