"""Every CAP message the platform can build is valid: XSD, the §2.2 rules and the strict CN
profile, for every signal and level, Alert / Update / Cancel, any text and any drawn area.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.early_warnings.cap import from_xml, to_xml
from yingji.early_warnings.caprules import validate_cap
from yingji.early_warnings.models import Warning
from yingji.early_warnings.rules import (
    SIGNAL_TYPES,
    CapProfile,
    cap_datetime,
    cn_identifier,
    common_division,
    level_problem,
    load_profile,
    next_state,
)
from yingji.early_warnings.service import build_alert

PROFILE = CapProfile(web_base="https://yj.example.cn")
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _warning(**over: object) -> Warning:
    values: dict[str, object] = {
        "id": 1,
        "title": "暴雨预警",
        "signal": "rainstorm",
        "level": "orange",
        "issuer": "荣昌区应急管理局",
        "division_code": "500153001",
        "area_codes": ["500153001"],
        "area_polygon": None,
        "area_desc": "昌元街道",
        "starts_at": NOW,
        "ends_at": NOW + timedelta(hours=6),
        "description": "预计出现强降雨。",
        "measures": "注意防范。",
        "contact": "023-1",
        "channels": ["sms"],
        "state": "approved",
        "origin": "local",
        "cap_status": "Actual",
    }
    values.update(over)
    return Warning(**values)


def _export(w: Warning, msg_type: str, sent: datetime = NOW, n: int = 0) -> bytes:
    refs = (
        []
        if msg_type == "Alert"
        else [
            (
                PROFILE.sender_code,
                cn_identifier(PROFILE, NOW - timedelta(hours=1), 0),
                cap_datetime(NOW - timedelta(hours=1)),
            )
        ]
    )
    alert = build_alert(
        w,
        identifier=cn_identifier(PROFILE, sent, n),
        sent=cap_datetime(sent),
        msg_type=msg_type,
        references=refs,
        profile=PROFILE,
        note="解除" if msg_type == "Cancel" else None,
    )
    return to_xml(alert)


def _assert_clean(xml: bytes) -> None:
    report = validate_cap(xml, profile=PROFILE, strict_cn=True)
    assert report.errors == [], report.errors
    assert report.warnings == [], report.warnings


CASES = [
    (s.code, level, msg_type)
    for s in SIGNAL_TYPES
    for level in s.levels
    for msg_type in ("Alert", "Update", "Cancel")
]


@pytest.mark.parametrize(("signal", "level", "msg_type"), CASES)
def test_every_signal_level_and_message_type_exports_valid_cap(signal, level, msg_type) -> None:
    _assert_clean(_export(_warning(signal=signal, level=level), msg_type))


def test_lift_after_the_planned_end_still_expires_after_sent() -> None:
    late = NOW + timedelta(hours=10)
    _assert_clean(_export(_warning(), "Cancel", sent=late))


def test_round_trip_keeps_the_content() -> None:
    polygon = {
        "type": "Polygon",
        "coordinates": [[[105.5, 29.4], [105.6, 29.4], [105.6, 29.5], [105.5, 29.4]]],
    }
    xml = _export(_warning(area_polygon=polygon), "Alert")
    report = validate_cap(xml, profile=PROFILE, strict_cn=True)
    assert report.root is not None
    alert = from_xml(report.root)
    info = alert.infos[0]
    assert (alert.sender, alert.msg_type, info.event, info.severity) == (
        PROFILE.sender_code,
        "Alert",
        "暴雨",
        "Severe",
    )
    assert info.areas[0].polygons == ["29.4,105.5 29.4,105.6 29.5,105.6 29.4,105.5"]
    assert info.areas[0].geocodes == [("GB/T2260", "500153001")]
    assert info.parameters == [("WARNING_LEVEL", "orange")]
    assert info.web == f"https://yj.example.cn/api/v1/cap/{alert.identifier}.xml"


_text = st.text(max_size=300)
_coord = st.tuples(st.floats(105.0, 106.0), st.floats(29.0, 30.0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(min_size=1, max_size=200),
    description=_text,
    measures=_text,
    contact=st.text(max_size=200),
    corner=_coord,
    size=st.tuples(st.floats(0.001, 0.5), st.floats(0.001, 0.5)),
    multi=st.booleans(),
)
def test_any_text_and_drawn_area_exports_valid_cap(
    title, description, measures, contact, corner, size, multi
) -> None:
    (x, y), (dx, dy) = corner, size
    ring = [[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]]
    polygon: dict[str, object] = {"type": "Polygon", "coordinates": [ring]}
    if multi:
        shifted = [[px + 1, py] for px, py in ring]
        polygon = {"type": "MultiPolygon", "coordinates": [[ring], [shifted]]}
    w = _warning(
        title=title,
        description=description,
        measures=measures,
        contact=contact,
        area_polygon=polygon,
        area_codes=[],
    )
    report = validate_cap(_export(w, "Update"), profile=PROFILE, strict_cn=True)
    # Free text may draw advice (R36 markup, R37 repeated text); never an error.
    assert report.errors == [], report.errors


def test_identifier_and_datetime_follow_the_chinese_profile() -> None:
    identifier = cn_identifier(PROFILE, NOW, 3)
    assert identifier == f"{PROFILE.sender_code}_20260601100000_3"
    assert len(identifier) == 31
    assert cap_datetime(NOW) == "2026-06-01T10:00:00+08:00"
    with pytest.raises(ValueError, match="sequence"):
        cn_identifier(PROFILE, NOW, 10)


def test_profile_from_settings() -> None:
    class S:
        district_code = "500153"
        warning_sender_code = None
        warning_web_base = "https://yj.example.cn/"

    profile = load_profile(S())
    assert profile.sender_code == "50015300000000"
    assert profile.problem() is None
    assert profile.web_base == "https://yj.example.cn"
    assert CapProfile(sender_code="123").problem()


@pytest.mark.parametrize(
    ("state", "action", "to"),
    [
        ("draft", "submit", "submitted"),
        ("submitted", "approve", "approved"),
        ("submitted", "reject", "draft"),
        ("approved", "publish", "published"),
        ("published", "update", "published"),
        ("published", "lift", "lifted"),
        ("draft", "publish", None),
        ("submitted", "publish", None),
        ("lifted", "update", None),
        ("lifted", "lift", None),
        ("published", "edit", None),
    ],
)
def test_transition_table(state, action, to) -> None:
    assert next_state(state, action) == to


def test_levels_per_signal_and_common_division() -> None:
    assert level_problem("heat", "blue") is not None
    assert level_problem("rainstorm", "blue") is None
    assert level_problem("nope", "red") is not None
    assert common_division(["500153001001", "500153001002"]) == "500153001"
    assert common_division(["500153001", "500153002001"]) == "500153"
    assert common_division([]) is None
