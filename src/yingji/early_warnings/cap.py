"""CAP 1.2 documents: build them from a warning, read them back from other authorities.

Plain dataclasses mirror the CAP elements this platform uses (alert → info → area); ``to_xml``
writes them in the schema's element order and ``from_xml`` reads any schema-valid message.
Be strict on emit, lenient on ingest (cap.md §2.3): we only ever write ``+08:00`` times.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from yingji.early_warnings.caprules import CAP_NS

_NS = {"cap": CAP_NS}


@dataclass
class CapArea:
    """One ``<area>``: description, polygons (CAP ``lat,lon`` text), circles, geocodes."""

    area_desc: str
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CapInfo:
    """One ``<info>`` block."""

    category: list[str]
    event: str
    urgency: str
    severity: str
    certainty: str
    language: str = "zh-CN"
    response_types: list[str] = field(default_factory=list)
    event_codes: list[tuple[str, str]] = field(default_factory=list)
    effective: str | None = None
    onset: str | None = None
    expires: str | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: list[tuple[str, str]] = field(default_factory=list)
    areas: list[CapArea] = field(default_factory=list)


@dataclass
class CapAlert:
    """One CAP ``<alert>`` message."""

    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    scope: str = "Public"
    source: str | None = None
    codes: list[str] = field(default_factory=list)
    note: str | None = None
    references: list[tuple[str, str, str]] = field(default_factory=list)
    infos: list[CapInfo] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        """Return the (sender, identifier, sent) triplet other messages reference it by."""
        return (self.sender, self.identifier, self.sent)


# Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; surrogates;
# U+FFFE/U+FFFF). Free text typed or pasted into the composer may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Return ``value`` without the characters XML 1.0 cannot represent."""
    return _NOT_XML.sub("", value)


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, f"{{{CAP_NS}}}{name}").text = xml_text(text)


def _pairs(parent: etree._Element, name: str, pairs: list[tuple[str, str]]) -> None:
    for value_name, value in pairs:
        node = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
        _add(node, "valueName", value_name)
        _add(node, "value", value)


def to_xml(alert: CapAlert) -> bytes:
    """Serialise ``alert`` as a CAP 1.2 document (UTF-8, XML declaration, schema order)."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    for name, value in (
        ("identifier", alert.identifier),
        ("sender", alert.sender),
        ("sent", alert.sent),
        ("status", alert.status),
        ("msgType", alert.msg_type),
        ("source", alert.source),
        ("scope", alert.scope),
    ):
        _add(root, name, value)
    for code in alert.codes:
        _add(root, "code", code)
    _add(root, "note", alert.note)
    if alert.references:
        _add(root, "references", " ".join(",".join(t) for t in alert.references))
    for info in alert.infos:
        node = etree.SubElement(root, f"{{{CAP_NS}}}info")
        _add(node, "language", info.language)
        for category in info.category:
            _add(node, "category", category)
        _add(node, "event", info.event)
        for response in info.response_types:
            _add(node, "responseType", response)
        for name, value in (
            ("urgency", info.urgency),
            ("severity", info.severity),
            ("certainty", info.certainty),
        ):
            _add(node, name, value)
        _pairs(node, "eventCode", info.event_codes)
        for name, value in (
            ("effective", info.effective),
            ("onset", info.onset),
            ("expires", info.expires),
            ("senderName", info.sender_name),
            ("headline", info.headline),
            ("description", info.description),
            ("instruction", info.instruction),
            ("web", info.web),
            ("contact", info.contact),
        ):
            _add(node, name, value)
        _pairs(node, "parameter", info.parameters)
        for area in info.areas:
            area_node = etree.SubElement(node, f"{{{CAP_NS}}}area")
            _add(area_node, "areaDesc", area.area_desc)
            for polygon in area.polygons:
                _add(area_node, "polygon", polygon)
            for circle in area.circles:
                _add(area_node, "circle", circle)
            _pairs(area_node, "geocode", area.geocodes)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _t(parent: etree._Element, name: str) -> str | None:
    node = parent.find(f"cap:{name}", _NS)
    if node is None:
        return None
    return (node.text or "").strip()


def _all(parent: etree._Element, name: str) -> list[str]:
    return [(n.text or "").strip() for n in parent.findall(f"cap:{name}", _NS)]


def _read_pairs(parent: etree._Element, name: str) -> list[tuple[str, str]]:
    return [
        (_t(n, "valueName") or "", _t(n, "value") or "") for n in parent.findall(f"cap:{name}", _NS)
    ]


def from_xml(root: etree._Element) -> CapAlert:
    """Read a schema-valid CAP 1.2 ``<alert>`` element into a CapAlert."""
    from yingji.early_warnings.caprules import parse_references

    references = parse_references(_t(root, "references") or "") or []
    infos = []
    for node in root.findall("cap:info", _NS):
        areas = [
            CapArea(
                area_desc=_t(a, "areaDesc") or "",
                polygons=[p for p in _all(a, "polygon") if p],
                circles=[c for c in _all(a, "circle") if c],
                geocodes=_read_pairs(a, "geocode"),
            )
            for a in node.findall("cap:area", _NS)
        ]
        infos.append(
            CapInfo(
                language=_t(node, "language") or "en-US",
                category=_all(node, "category"),
                event=_t(node, "event") or "",
                response_types=_all(node, "responseType"),
                urgency=_t(node, "urgency") or "Unknown",
                severity=_t(node, "severity") or "Unknown",
                certainty=_t(node, "certainty") or "Unknown",
                event_codes=_read_pairs(node, "eventCode"),
                effective=_t(node, "effective"),
                onset=_t(node, "onset"),
                expires=_t(node, "expires"),
                sender_name=_t(node, "senderName"),
                headline=_t(node, "headline"),
                description=_t(node, "description"),
                instruction=_t(node, "instruction"),
                web=_t(node, "web"),
                contact=_t(node, "contact"),
                parameters=_read_pairs(node, "parameter"),
                areas=areas,
            )
        )
    return CapAlert(
        identifier=_t(root, "identifier") or "",
        sender=_t(root, "sender") or "",
        sent=_t(root, "sent") or "",
        status=_t(root, "status") or "",
        msg_type=_t(root, "msgType") or "",
        scope=_t(root, "scope") or "",
        source=_t(root, "source"),
        codes=_all(root, "code"),
        note=_t(root, "note"),
        references=references,
        infos=infos,
    )


# --- the document's own encoding -----------------------------------------------------------------

_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]{0,39})["']""")


def document_encoding(raw: bytes) -> str:
    """Return the encoding a CAP document is written in, as its own bytes say.

    XML 1.0 Appendix F: a byte-order mark decides first, then the XML declaration's
    ``encoding``; without either the document is UTF-8. The name is what the document gives
    (``ISO-8859-1``, ``GB18030`` …), usable as the ``charset`` of the answer that serves it.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "UTF-8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    # UTF-16 without a mark: "<?" as two-byte units (Appendix F's 3C 00 3F 00 / 00 3C 00 3F).
    if raw.startswith(b"<\x00?\x00"):
        return "UTF-16LE"
    if raw.startswith(b"\x00<\x00?"):
        return "UTF-16BE"
    found = _DECLARED.match(raw[:200])
    return found.group(1).decode("ascii") if found else "UTF-8"


def decode_document(raw: bytes) -> str:
    """Return the text of a CAP document decoded with its own encoding (XML declaration kept).

    The text is for reading and comparing; the bytes stay the record (signatures and digests
    are over them).
    """
    encoding = document_encoding(raw)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        # libxml2 (iconv) knows encodings Python does not; the parsed tree read them.
        return raw.decode("utf-8", errors="replace")
    if codec == "utf-8":
        codec = "utf-8-sig"  # a UTF-8 byte-order mark is not text
    return raw.decode(codec, errors="replace")


# --- geometry: GeoJSON (lon, lat) ⇄ CAP polygon text (lat,lon) ---------------------------------


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def geojson_to_cap_polygons(geometry: dict[str, Any] | None) -> list[str]:
    """Return one CAP polygon per outer ring of a GeoJSON Polygon/MultiPolygon (holes dropped).

    CAP has no holes, so an area with a hole is published as its outer ring: the warning
    then reaches a little more than drawn, never less.
    """
    if not geometry:
        return []
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    out = []
    for polygon in polygons:
        if not polygon:
            continue
        ring = [(float(p[0]), float(p[1])) for p in polygon[0]]
        if ring and ring[0] != ring[-1]:
            ring.append(ring[0])
        out.append(" ".join(f"{_fmt(lat)},{_fmt(lon)}" for lon, lat in ring))
    return out


def cap_polygons_to_geojson(polygons: list[str]) -> dict[str, Any] | None:
    """Return a GeoJSON MultiPolygon (or Polygon) for CAP polygon texts; None when empty."""
    rings = []
    for text in polygons:
        ring = []
        for pair in text.split():
            lat, lon = pair.split(",")
            ring.append([float(lon), float(lat)])
        rings.append([ring])
    if not rings:
        return None
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}
