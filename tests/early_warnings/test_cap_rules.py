"""CAP 1.2 validation: one invalid message per rule of cap.md §2.2 (and CN1–CN6), each
rejected (or warned about) with the right rule and element path; no database needed.
"""

from __future__ import annotations

import pytest

from yingji.early_warnings.caprules import validate_cap, xsd_path
from yingji.early_warnings.rules import CapProfile

PROFILE = CapProfile()
SENDER = PROFILE.sender_code
IDENT = f"{SENDER}_20260601100000_0"

INFO = """<info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <responseType>Prepare</responseType>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>CN-EVENT</valueName><value>11B03</value></eventCode>
    <effective>2026-06-01T10:00:00+08:00</effective>
    <onset>2026-06-01T10:00:00+08:00</onset>
    <expires>2026-06-02T10:00:00+08:00</expires>
    <senderName>荣昌区应急管理局</senderName>
    <headline>荣昌区应急管理局发布暴雨橙色预警</headline>
    <description>预计未来 3 小时降雨量将达 50 毫米以上。</description>
    <instruction>停止户外作业，转移低洼地区人员。</instruction>
    <web>https://yj.example.cn/warnings/1</web>
    <contact>023-12345678</contact>
    <parameter><valueName>WARNING_LEVEL</valueName><value>orange</value></parameter>
    <resource>
      <resourceDesc>预警图</resourceDesc>
      <mimeType>image/png</mimeType>
      <size>1024</size>
      <uri>https://yj.example.cn/maps/1.png</uri>
      <digest>da39a3ee5e6b4b0d3255bfef95601890afd80709</digest>
    </resource>
    <area>
      <areaDesc>昌元街道</areaDesc>
      <polygon>29.4,105.5 29.4,105.6 29.5,105.6 29.5,105.5 29.4,105.5</polygon>
      <circle>29.45,105.55 5</circle>
      <geocode><valueName>GB/T2260</valueName><value>500153001</value></geocode>
    </area>
  </info>"""

VALID = f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{IDENT}</identifier>
  <sender>{SENDER}</sender>
  <sent>2026-06-01T10:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <code>profile:CN:GB/T35965.1-2018</code>
  {INFO}
</alert>"""

REF = f"{SENDER},{SENDER}_20260601090000_0,2026-06-01T09:00:00+08:00"


def _sub(old: str, new: str, count: int = 1) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, count)


def _add_after(anchor: str, extra: str) -> str:
    return _sub(anchor, anchor + extra)


def test_xsd_comes_from_an_installed_package() -> None:
    path = xsd_path()
    assert path.is_file()
    assert "site-packages" in str(path) or "dist-packages" in str(path)


def test_base_message_is_valid_without_warnings() -> None:
    report = validate_cap(VALID.encode(), profile=PROFILE, strict_cn=True)
    assert report.errors == []
    assert report.warnings == []


# (rule, expected path, document) — every error row of cap.md §2.2, XSD-caught ones included.
ERRORS: list[tuple[str, str, str]] = [
    ("R1", "/alert", VALID.replace("cap:1.2", "cap:1.1")),
    ("R2", "/", "<alert</alert>"),
    (
        "R3",
        "/alert/info[1]/urgency[1]",
        _sub(
            "<event>暴雨</event>\n    <responseType>Prepare</responseType>\n"
            "    <urgency>Immediate</urgency>",
            "<urgency>Immediate</urgency><event>暴雨</event><responseType>Prepare</responseType>",
        ),
    ),
    ("R4", "/alert/scop[1]", _sub("<scope>Public</scope>", "<scop>Public</scop>")),
    (
        "R5",
        "/alert/sender[2]",
        _add_after(f"<sender>{SENDER}</sender>", f"<sender>{SENDER}</sender>"),
    ),
    ("R6", "/alert", _add_after("<scope>Public</scope>", "oops")),
    ("R7", "/alert/code[1]", _sub("<scope>Public</scope>", "")),
    (
        "R8",
        "/alert/identifier[1]",
        _sub(f"<identifier>{IDENT}</identifier>", "<identifier>ID 1</identifier>"),
    ),
    (
        "R8",
        "/alert/identifier[1]",
        _sub(f"<identifier>{IDENT}</identifier>", "<identifier>CN-1,</identifier>"),
    ),
    (
        "R8",
        "/alert/identifier[1]",
        _sub(f"<identifier>{IDENT}</identifier>", "<identifier></identifier>"),
    ),
    (
        "R9",
        "/alert/sender[1]",
        _sub(f"<sender>{SENDER}</sender>", "<sender>ops centre@x.cn</sender>"),
    ),
    ("R10", "/alert/status[1]", _sub("<status>Actual</status>", "<status>actual</status>")),
    ("R10", "/alert/msgType[1]", _sub("<msgType>Alert</msgType>", "<msgType>Updated</msgType>")),
    (
        "R11",
        "/alert/restriction[1]",
        _add_after("<scope>Public</scope>", "<restriction>staff only</restriction>"),
    ),
    ("R11", "/alert/scope[1]", _sub("<scope>Public</scope>", "<scope>Restricted</scope>")),
    ("R12", "/alert/scope[1]", _sub("<scope>Public</scope>", "<scope>Private</scope>")),
    (
        "R13",
        "/alert/addresses[1]",
        _sub(
            "<scope>Public</scope>",
            '<scope>Private</scope><addresses>"Fire Dept ops@x.cn</addresses>',
        ),
    ),
    ("R14", "/alert/references[1]", _add_after("</code>", "<references>x,y,z</references>")),
    ("R14", "/alert/references[1]", _add_after("</code>", "<references>x@y,ID-1</references>")),
    ("R14", "/alert/references[1]", _add_after("</code>", "<references/>")),
    (
        "R15",
        "/alert/references[1]",
        _sub("<msgType>Alert</msgType>", "<msgType>Update</msgType>").replace(
            "</code>", f"</code><references>{SENDER},{IDENT},2026-06-01T10:00:00+08:00</references>"
        ),
    ),
    ("R17", "/alert/msgType[1]", _sub("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>")),
    (
        "R21",
        "/alert/sent[1]",
        _sub("2026-06-01T10:00:00+08:00</sent>", "2026-06-01T10:00:00Z</sent>"),
    ),
    (
        "R21",
        "/alert/sent[1]",
        _sub("2026-06-01T10:00:00+08:00</sent>", "2026-06-01T10:00:00</sent>"),
    ),
    (
        "R21",
        "/alert/sent[1]",
        _sub("2026-06-01T10:00:00+08:00</sent>", "2026-06-01T10:00:00.5+08:00</sent>"),
    ),
    (
        "R21",
        "/alert/sent[1]",
        _sub("2026-06-01T10:00:00+08:00</sent>", "2026-13-01T10:00:00+08:00</sent>"),
    ),
    (
        "R25",
        "/alert",
        VALID[: VALID.index("<info>")] + "</alert>",
    ),
    (
        "R26",
        "/alert/info[1]/category[1]",
        _sub("<category>Met</category>", "<category>Weather</category>"),
    ),
    ("R27", "/alert/info[1]/event[1]", _sub("<event>暴雨</event>", "<event></event>")),
    ("R27", "/alert/info[1]/responseType[1]", _sub("<event>暴雨</event>", "")),
    ("R4", "/alert/myExt[1]", _add_after("<scope>Public</scope>", "<myExt/>")),
    ("R26", "/alert/info[1]/event[1]", _sub("<category>Met</category>", "")),
    (
        "R28",
        "/alert/info[1]/certainty[1]",
        _sub("<certainty>Likely</certainty>", "<certainty>Very Likely</certainty>"),
    ),
    (
        "R28",
        "/alert/info[1]/urgency[1]",
        _sub("<urgency>Immediate</urgency>", "<urgency></urgency>"),
    ),
    (
        "R29",
        "/alert/info[1]/responseType[1]",
        _sub("<responseType>Prepare</responseType>", "<responseType>Evacuation</responseType>"),
    ),
    (
        "R30",
        "/alert/info[1]/language[1]",
        _sub("<language>zh-CN</language>", "<language>zh_CN</language>"),
    ),
    ("R31", "/alert/info[2]/language[1]", _sub(INFO, INFO + INFO)),
    (
        "R32",
        "/alert/info[2]",
        _sub(
            INFO,
            INFO
            + INFO.replace("zh-CN", "en-US").replace(
                "<category>Met</category>", "<category>Geo</category>"
            ),
        ),
    ),
    (
        "R33",
        "/alert/info[1]/web[1]",
        _sub("<web>https://yj.example.cn/warnings/1</web>", "<web>see our website</web>"),
    ),
    (
        "R33",
        "/alert/info[1]/web[1]",
        _sub("<web>https://yj.example.cn/warnings/1</web>", "<web>/alerts/1</web>"),
    ),
    (
        "R34",
        "/alert/info[1]/eventCode[1]",
        _sub(
            "<eventCode><valueName>CN-EVENT</valueName><value>11B03</value></eventCode>",
            "<eventCode><valueName>SAME</valueName></eventCode>",
        ),
    ),
    ("R39", "/alert/info[1]/resource[1]/size[1]", _sub("<mimeType>image/png</mimeType>", "")),
    (
        "R40",
        "/alert/info[1]/resource[1]/mimeType[1]",
        _sub("<mimeType>image/png</mimeType>", "<mimeType>weird-type/png</mimeType>"),
    ),
    ("R41", "/alert/info[1]/resource[1]/size[1]", _sub("<size>1024</size>", "<size>big</size>")),
    (
        "R42",
        "/alert/info[1]/resource[1]/uri[1]",
        _sub("<uri>https://yj.example.cn/maps/1.png</uri>", "<uri>maps/area.png</uri>"),
    ),
    (
        "R42",
        "/alert/info[1]/resource[1]/uri[1]",
        _sub("<uri>https://yj.example.cn/maps/1.png</uri>", "<uri>http://exa mple.cn/a b</uri>"),
    ),
    (
        "R43",
        "/alert/info[1]/resource[1]/derefUri[1]",
        _add_after(
            "<uri>https://yj.example.cn/maps/1.png</uri>", "<derefUri>@@not-base64@@</derefUri>"
        ),
    ),
    ("R45", "/alert/info[1]/area[1]/polygon[1]", _sub("<areaDesc>昌元街道</areaDesc>", "")),
    *[
        (
            "R46",
            "/alert/info[1]/area[1]/polygon[1]",
            _sub("29.4,105.5 29.4,105.6 29.5,105.6 29.5,105.5 29.4,105.5", bad),
        )
        for bad in (
            "30,114 31,115 30,114",
            "30,114 31,115 31,114 30.5,113",
            "30,114 x,y 31,115 30,114",
            "30,114,0 31,115,0 31,114,0 30,114,0",
            "30.1,120.2, 30.2,120.3, 30.3,120.1, 30.1,120.2",
            "hello",
        )
    ],
    (
        "R47",
        "/alert/info[1]/area[1]/polygon[1]",
        _sub(
            "29.4,105.5 29.4,105.6 29.5,105.6 29.5,105.5 29.4,105.5", "95,200 30,114 31,115 95,200"
        ),
    ),
    (
        "R48",
        "/alert/info[1]/area[1]/polygon[1]",
        _sub("29.4,105.5 29.4,105.6 29.5,105.6 29.5,105.5 29.4,105.5", "0,0 1,1 1,0 0,1 0,0"),
    ),
    *[
        (
            "R50",
            "/alert/info[1]/area[1]/circle[1]",
            _sub("<circle>29.45,105.55 5</circle>", f"<circle>{bad}</circle>"),
        )
        for bad in ("around Wuhan", "30.5,114.3 -5", "30.5, 114.3 5", "39.9,116.4")
    ],
    (
        "R47",
        "/alert/info[1]/area[1]/circle[1]",
        _sub("<circle>29.45,105.55 5</circle>", "<circle>95,105 5</circle>"),
    ),
    (
        "R51",
        "/alert/info[1]/area[1]/ceiling[1]",
        _add_after("<circle>29.45,105.55 5</circle>", "<ceiling>100</ceiling>"),
    ),
    (
        "R51",
        "/alert/info[1]/area[1]/altitude[1]",
        _add_after("<circle>29.45,105.55 5</circle>", "<altitude>2</altitude><ceiling>1</ceiling>"),
    ),
    (
        "R51",
        "/alert/info[1]/area[1]/altitude[1]",
        _add_after("<circle>29.45,105.55 5</circle>", "<altitude>high</altitude>"),
    ),
    (
        "R52",
        "/alert/info[1]/area[1]",
        _sub(
            "<polygon>29.4,105.5 29.4,105.6 29.5,105.6 29.5,105.5 29.4,105.5</polygon>\n"
            "      <circle>29.45,105.55 5</circle>\n"
            "      <geocode><valueName>GB/T2260</valueName><value>500153001</value></geocode>",
            "",
        ),
    ),
    (
        "R54",
        "/alert/Signature[1]",
        _sub(
            "<code>profile:CN:GB/T35965.1-2018</code>",
            '<code>profile:CN:GB/T35965.1-2018</code><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>',
        ),
    ),
]

WARNINGS: list[tuple[str, str, str]] = [
    (
        "R16",
        "/alert/references[1]",
        _sub("<msgType>Alert</msgType>", "<msgType>Update</msgType>").replace(
            "</code>", f"</code><references>{SENDER},OLD-1,2027-01-01T00:00:00+08:00</references>"
        ),
    ),
    ("R17", "/alert/references[1]", _add_after("</code>", f"<references>{REF}</references>")),
    (
        "R20",
        "/alert/msgType[1]",
        _sub("<msgType>Alert</msgType>", "<msgType>Error</msgType>").replace(
            "</code>", f"</code><references>{REF}</references>"
        ),
    ),
    ("R20", "/alert/status[1]", _sub("<status>Actual</status>", "<status>Exercise</status>")),
    (
        "R22",
        "/alert/sent[1]",
        _sub("2026-06-01T10:00:00+08:00</sent>", "2026-06-01T02:00:00+00:00</sent>"),
    ),
    (
        "R23",
        "/alert/info[1]/expires[1]",
        _sub(
            "<effective>2026-06-01T10:00:00+08:00</effective>",
            "<effective>2026-06-03T10:00:00+08:00</effective>",
        ),
    ),
    ("R24", "/alert/info[1]/category[1]", _sub("<expires>2026-06-02T10:00:00+08:00</expires>", "")),
    (
        "R34",
        "/alert/info[1]/parameter[1]/value[1]",
        _sub("<value>orange</value>", "<value></value>"),
    ),
    (
        "R35",
        "/alert/info[1]/headline[1]",
        _sub(
            "<headline>荣昌区应急管理局发布暴雨橙色预警</headline>",
            f"<headline>{'暴' * 300}</headline>",
        ),
    ),
    (
        "R36",
        "/alert/info[1]/description[1]",
        _sub("预计未来 3 小时降雨量将达 50 毫米以上。", "&lt;b&gt;大雨&lt;/b&gt;"),
    ),
    (
        "R37",
        "/alert/info[1]/description[1]",
        _sub("预计未来 3 小时降雨量将达 50 毫米以上。", "荣昌区应急管理局发布暴雨橙色预警"),
    ),
    ("R38", "/alert/info[1]", _sub("<senderName>荣昌区应急管理局</senderName>", "")),
    (
        "R44",
        "/alert/info[1]/resource[1]/digest[1]",
        _sub("da39a3ee5e6b4b0d3255bfef95601890afd80709", "abc"),
    ),
    (
        "R49",
        "/alert/info[1]/area[1]/polygon[1]",
        _sub(
            "29.4,105.5 29.4,105.6 29.5,105.6 29.5,105.5 29.4,105.5",
            "116.4,39.9 116.5,39.9 116.5,40 116.4,39.9",
        ),
    ),
    (
        "R53",
        "/alert/info[1]/area[1]/polygon[1]",
        _sub("29.4,105.5 29.4,105.6 29.5,105.6 29.5,105.5 29.4,105.5", ""),
    ),
]

CN_ERRORS: list[tuple[str, str, str]] = [
    (
        "CN1",
        "/alert/identifier[1]",
        _sub(
            f"<identifier>{IDENT}</identifier>",
            f"<identifier>1{SENDER}_20260601100000_0</identifier>",
        ),
    ),
    (
        "CN3",
        "/alert/identifier[1]",
        _sub(
            f"<identifier>{IDENT}</identifier>",
            "<identifier>32000012300000_20260601100000_0</identifier>",
        ),
    ),
    (
        "CN4",
        "/alert/identifier[1]",
        _sub(
            f"<identifier>{IDENT}</identifier>",
            f"<identifier>{SENDER}_20261332250000_0</identifier>",
        ),
    ),
    (
        "CN4",
        "/alert/identifier[1]",
        _sub(
            f"<identifier>{IDENT}</identifier>",
            f"<identifier>{SENDER}_20260601110000_0</identifier>",
        ),
    ),
    (
        "CN5",
        "/alert/sent[1]",
        _sub("2026-06-01T10:00:00+08:00</sent>", "2026-06-01T02:00:00-00:00</sent>"),
    ),
    (
        "CN6",
        "/alert/info[1]/parameter[1]",
        _sub("<severity>Severe</severity>", "<severity>Minor</severity>"),
    ),
    (
        "CN6",
        "/alert/info[1]/parameter[1]/value[1]",
        _sub("<value>orange</value>", "<value>purple</value>"),
    ),
]


def _ids(cases: list[tuple[str, str, str]]) -> list[str]:
    return [f"{rule}-{n}" for n, (rule, _, _) in enumerate(cases)]


@pytest.mark.parametrize(("rule", "path", "doc"), ERRORS, ids=_ids(ERRORS))
def test_each_rule_rejects_with_its_path(rule: str, path: str, doc: str) -> None:
    report = validate_cap(doc.encode(), profile=PROFILE)
    assert not report.valid
    found = {(e.rule, e.path) for e in report.errors}
    assert (rule, path) in found, found


@pytest.mark.parametrize(("rule", "path", "doc"), WARNINGS, ids=_ids(WARNINGS))
def test_each_advisory_rule_warns_with_its_path(rule: str, path: str, doc: str) -> None:
    report = validate_cap(doc.encode(), profile=PROFILE)
    found = {(w.rule, w.path) for w in report.warnings}
    assert (rule, path) in found, (found, report.errors)


@pytest.mark.parametrize(("rule", "path", "doc"), CN_ERRORS, ids=_ids(CN_ERRORS))
def test_chinese_profile_rules_when_strict(rule: str, path: str, doc: str) -> None:
    strict = validate_cap(doc.encode(), profile=PROFILE, strict_cn=True)
    assert (rule, path) in {(e.rule, e.path) for e in strict.errors}
    lenient = validate_cap(doc.encode(), profile=PROFILE, strict_cn=False)
    assert not any(e.rule.startswith("CN") for e in lenient.errors)


def test_external_entities_are_not_resolved(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = VALID.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace("<event>暴雨</event>", "<event>&x;</event>")
    report = validate_cap(doc.encode(), profile=PROFILE)
    assert "TOP-SECRET" not in str([e.message for e in report.errors])
