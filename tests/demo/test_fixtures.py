"""Invariants of the demo-district fixtures.

Files: geo/fixtures/demo_district.yaml and demo/fixtures/resources.yaml.

The fixtures are data, so these tests are the only guard against a typo in a code, a population
that no longer adds up, or a site dropped outside the district when someone edits them by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from yingji.resources.experts.rules import SUGGESTED_FIELDS
from yingji.resources.teams.rules import SUGGESTED_SPECIALTIES, TeamKind

SRC = Path(__file__).resolve().parents[2] / "src" / "yingji"
DISTRICT_FILE = SRC / "geo" / "fixtures" / "demo_district.yaml"
RESOURCES_FILE = SRC / "demo" / "fixtures" / "resources.yaml"
CATALOGUE_FILE = SRC / "resources" / "supplies" / "fixtures" / "catalogue.yaml"

# The fixtures may only use the labels the registries offer in their forms.
TEAM_KINDS = {kind.value for kind in TeamKind}
SPECIALTIES = set(SUGGESTED_SPECIALTIES)
EXPERT_FIELDS = set(SUGGESTED_FIELDS)
# m² of effective area per person; the brief's reading of regulations-safety.md §6.3.
PER_PERSON_M2 = {"emergency": 1, "short_term": 2, "long_term": 3}
# Seed 000 line 652: by 2025 at least 3 中长期, 7 短期 and 45 临时（紧急） shelters.
SHELTER_TARGETS = {"long_term": 3, "short_term": 7, "emergency": 45}
# Registries whose rows are sites: each has a township_code and a [lon, lat] center.
SITE_SECTIONS = (
    "enterprises",
    "rescue_teams",
    "social_forces",
    "warehouses",
    "shelters",
    "equipment",
)
MOBILE = re.compile(r"^1380000\d{4}$")  # 138 0000 xxxx: clearly fake
LANDLINE = re.compile(r"^023-0000\d{4}$")  # an 8-digit local number cannot start with 0


@cache
def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def district() -> dict[str, Any]:
    data: dict[str, Any] = _load(DISTRICT_FILE)
    return data


def resources() -> dict[str, Any]:
    data: dict[str, Any] = _load(RESOURCES_FILE)
    return data


def townships() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = district()["townships"]
    return result


def _point_in_polygon(pt: list[float], poly: list[list[float]]) -> bool:
    x, y = pt
    inside = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _all_centres() -> list[tuple[str, list[float]]]:
    out: list[tuple[str, list[float]]] = []
    for t in townships():
        out.append((t["name"], t["center"]))
        out.extend((f"{t['name']}{v['name']}", v["center"]) for v in t["villages"])
    for section in SITE_SECTIONS:
        out.extend((f"{section}: {row['name']}", row["center"]) for row in resources()[section])
    return out


# ------------------------------------------------------------------ district and townships


def test_district_header() -> None:
    d = district()["district"]
    assert d["code"] == "500153"
    assert d["name"] == "荣昌区"
    assert 600_000 < d["population"] < 750_000
    assert d["households"] == sum(t["households"] for t in townships())
    assert district()["notes"].strip()


def test_outline_is_a_counter_clockwise_ring_of_20_to_40_points() -> None:
    ring = district()["district"]["outline"]
    assert 20 <= len(ring) <= 40
    assert all(len(p) == 2 for p in ring)
    edges = zip(ring, ring[1:] + ring[:1], strict=True)
    area2 = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in edges)
    assert area2 > 0, "outline must be counter-clockwise"
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    assert min(lons) >= 105.25
    assert max(lons) <= 105.75
    assert min(lats) >= 29.2
    assert max(lats) <= 29.7


def test_21_townships_6_subdistricts_15_towns() -> None:
    ts = townships()
    assert len(ts) == 21
    assert len({t["name"] for t in ts}) == 21
    assert Counter(t["kind"] for t in ts) == {"subdistrict": 6, "town": 15}
    for t in ts:
        assert re.fullmatch(r"500153\d{3}", t["code"]), t["code"]
        assert t["name"].endswith("街道" if t["kind"] == "subdistrict" else "镇")
    assert len({t["code"] for t in ts}) == 21


def test_village_codes_nest_in_their_township() -> None:
    seen: set[str] = set()
    for t in townships():
        assert 4 <= len(t["villages"]) <= 8, t["name"]
        for v in t["villages"]:
            assert re.fullmatch(r"\d{12}", v["code"]), v["code"]
            assert v["code"].startswith(t["code"]), v["code"]
            assert v["code"] not in seen
            seen.add(v["code"])
            assert v["name"].endswith("社区" if t["kind"] == "subdistrict" else "村")
    assert 100 <= len(seen) <= 140


def test_populations_add_up() -> None:
    for t in townships():
        assert sum(v["population"] for v in t["villages"]) == t["population"], t["name"]
        assert sum(v["households"] for v in t["villages"]) == t["households"], t["name"]
        for v in t["villages"]:
            assert 0 < v["households"] < v["population"]
    total = sum(t["population"] for t in townships())
    assert abs(total - district()["district"]["population"]) <= 0.005 * total


def test_every_centre_lies_in_the_district() -> None:
    ring = district()["district"]["outline"]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    for label, (lon, lat) in _all_centres():
        assert min(lons) <= lon <= max(lons), label
        assert min(lats) <= lat <= max(lats), label
        assert _point_in_polygon([lon, lat], ring), label


# ------------------------------------------------------------------ resources


def test_every_township_and_village_reference_exists() -> None:
    codes = {t["code"] for t in townships()}
    villages = {v["code"]: t["code"] for t in townships() for v in t["villages"]}
    for section in SITE_SECTIONS:
        for row in resources()[section]:
            assert row["township_code"] in codes, f"{section}: {row['name']}"
            if "village_code" in row:
                assert villages[row["village_code"]] == row["township_code"], row["name"]


def test_names_are_unique_within_each_registry() -> None:
    for section, rows in resources().items():
        if section == "equipment":
            continue  # the same kind of vehicle can be held by several owners
        names = [row["name"] for row in rows]
        assert len(names) == len(set(names)), section


def test_enterprises() -> None:
    rows = resources()["enterprises"]
    assert 50 <= len(rows) <= 70
    for e in rows:
        assert e["credit_code"] == ""  # filled in by the seeding code
        assert re.fullmatch(r"\d{2}|\d{4}", e["industry_code"]), e["name"]
        assert e["scale"] in {"above", "below"}
        assert e["address"].startswith("重庆市荣昌区")
        # GB 18218-2018 major hazards are hazardous-chemical installations
        assert not e["major_hazard"] or e["hazardous_chemicals"], e["name"]
    assert 6 <= sum(e["hazardous_chemicals"] for e in rows) <= 12
    assert 3 <= sum(e["major_hazard"] for e in rows) <= 4


def test_rescue_teams_follow_the_seed_structure() -> None:
    teams = resources()["rescue_teams"]
    for team in teams:
        assert team["kind"] in TEAM_KINDS, team["name"]
        assert team["staffing"] in {"full_time", "part_time", "volunteer"}
        assert team["specialties"], team["name"]
        assert set(team["specialties"]) <= SPECIALTIES, team["name"]
        assert team["headcount"] > 0
        assert team["status"] == "standby"
        assert LANDLINE.fullmatch(team["on_duty_phone"]), team["name"]
    # 000:28 one district comprehensive team and 21 镇（街） teams; 004:84 7 专职 + 14 兼职
    suffixes = ("街道综合应急救援队", "镇综合应急救援队")
    township_teams = [t for t in teams if t["name"].endswith(suffixes)]
    expected = sorted(t["code"] for t in townships())
    assert sorted(t["township_code"] for t in township_teams) == expected
    assert Counter(t["staffing"] for t in township_teams) == {"full_time": 7, "part_time": 14}
    kinds = Counter(t["kind"] for t in teams)
    assert kinds["comprehensive"] == 22
    assert kinds["social"] == 13  # 000:28 13家社会应急救援队
    assert kinds["fire"] >= 1
    assert kinds["militia"] >= 1
    assert kinds["professional"] >= 5


def test_social_forces_match_the_social_teams() -> None:
    res = resources()
    social_teams = {t["name"]: t for t in res["rescue_teams"] if t["kind"] == "social"}
    forces = res["social_forces"]
    assert {f["name"] for f in forces} == set(social_teams)
    for f in forces:
        team = social_teams[f["name"]]
        assert f["specialties"] == team["specialties"]
        assert f["members"] == team["headcount"]
        assert f["township_code"] == team["township_code"]
        assert f["registration_no"]
        assert f["contact_person"]
        assert MOBILE.fullmatch(f["phone"])


def test_warehouses_and_stock() -> None:
    catalogue = {
        row["code"]: row["name"] for row in _load(CATALOGUE_FILE)["items"] if row["level"] == 4
    }
    rows = resources()["warehouses"]
    levels = Counter(w["level"] for w in rows)
    assert 1 <= levels["district"] <= 2
    assert levels["township"] == 21
    assert 10 <= levels["village"] <= 20
    assert {w["township_code"] for w in rows if w["level"] == "township"} == {
        t["code"] for t in townships()
    }
    for w in rows:
        assert ("village_code" in w) == (w["level"] == "village"), w["name"]
        assert MOBILE.fullmatch(w["phone"])
        assert w["stock"], w["name"]
        codes = [s["supply_code"] for s in w["stock"]]
        assert len(codes) == len(set(codes)), w["name"]
        for s in w["stock"]:
            assert catalogue.get(s["supply_code"]) == s["item_name"], s
            assert isinstance(s["quantity"], int)
            assert s["quantity"] > 0
            assert isinstance(s["batch"], str)
            assert s["expires_on"] is None or isinstance(s["expires_on"], dt.date)


def test_one_batch_has_one_expiry_date() -> None:
    # The stock ledger keeps one expiry per item batch across warehouses (a lot number is the
    # maker's), so the seed's receipts are refused if the fixture gives a batch two dates.
    expiry: dict[tuple[str, str], set[Any]] = {}
    for w in resources()["warehouses"]:
        for s in w["stock"]:
            expiry.setdefault((s["supply_code"], s["batch"]), set()).add(s["expires_on"])
    assert {key: dates for key, dates in expiry.items() if len(dates) > 1} == {}


def test_shelters_cover_all_classes_and_capacity_follows_area() -> None:
    rows = resources()["shelters"]
    classes = Counter(s["shelter_class"] for s in rows)
    assert set(classes) == set(PER_PERSON_M2)
    for cls, target in SHELTER_TARGETS.items():
        assert classes[cls] >= target, cls
    for s in rows:
        assert s["capacity_persons"] == s["effective_area_m2"] // PER_PERSON_M2[s["shelter_class"]]
        assert s["facilities"]
        assert s["status"] == "open"
        assert MOBILE.fullmatch(s["phone"])


def test_experts() -> None:
    rows = resources()["experts"]
    assert 25 <= len(rows) <= 35
    for e in rows:
        assert e["fields"], e["name"]
        assert set(e["fields"]) <= EXPERT_FIELDS, e["name"]
        assert isinstance(e["available"], bool)
        assert MOBILE.fullmatch(e["phone"])


def test_equipment_has_exactly_one_known_owner() -> None:
    teams = {t["name"] for t in resources()["rescue_teams"]}
    rows = resources()["equipment"]
    assert 30 <= len(rows) <= 50
    for e in rows:
        assert ("owner_team_name" in e) != ("owner_department" in e), e["name"]
        if "owner_team_name" in e:
            assert e["owner_team_name"] in teams, e["owner_team_name"]
        assert e["kind"]
        assert e["quantity"] > 0
        assert e["status"] == "standby"
