"""The public Atom index of current warnings (OASIS "CAP feeds" practice; cap.md §1.7).

Each entry links to its CAP document with ``type="application/cap+xml"`` (what Google's
and the IFRC hub's parsers look for); entry ids are the CAP identifiers, so an Update is a
new entry and no entry is ever rewritten in place (cap.md §2.2 rules 55–56).
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from yingji.early_warnings.models import Warning, WarningMessage
from yingji.early_warnings.queries import cap_url
from yingji.early_warnings.rules import LEVEL_LABELS, SIGNALS, cap_datetime

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def atom_feed(
    rows: list[tuple[Warning, WarningMessage]],
    *,
    base_url: str,
    title: str,
    author: str,
    now: datetime,
) -> bytes:
    """Return the Atom document listing ``rows`` (warning, latest message)."""
    base = base_url.rstrip("/")
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, "id", f"{base}/api/v1/warnings/feed.atom")
    _sub(feed, "title", title)
    _sub(feed, "updated", cap_datetime(max((m.sent_at for _, m in rows), default=now)))
    _sub(
        feed,
        "link",
        rel="self",
        href=f"{base}/api/v1/warnings/feed.atom",
        type="application/atom+xml",
    )
    author_node = _sub(feed, "author")
    _sub(author_node, "name", author)
    for warning, message in rows:
        signal = SIGNALS.get(warning.signal)
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:cap:{message.sender}:{message.identifier}")
        name = signal.name if signal else warning.signal
        headline = f"{name}{LEVEL_LABELS.get(warning.level, '')}预警：{warning.title}"
        if message.msg_type == "Cancel":
            headline = f"【已解除】{headline}"
        _sub(entry, "title", headline)
        _sub(entry, "updated", message.sent)
        _sub(entry, "published", message.sent)
        _sub(entry, "summary", warning.area_desc or warning.description[:200])
        _sub(
            entry,
            "link",
            rel="alternate",
            type=CAP_MEDIA_TYPE,
            href=f"{base}{cap_url(message.identifier)}",
        )
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))
