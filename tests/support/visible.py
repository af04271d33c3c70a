"""What a person sees on a page: its visible text, and the raw values that must not be in it.

The display layer (``yingji.core.web.display``) turns enum codes into Chinese labels, numbers
into a sensible precision with their unit, and ids into names. This module is the check: it
extracts the text a browser would show (no scripts, styles, attributes or hidden inputs) and
finds the three kinds of leak issue 9 names: a raw enum code, an English field key
(``snake_case``) and a float printed with more than three decimals.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import html as lxml_html

import yingji

_INVISIBLE = ("script", "style", "template", "noscript", "head")
# Shown on purpose as machine text: a <code> element is a literal (a rule key, a JSON field an
# admin edits), and a <textarea> holds a value being edited, not a display.
_LITERAL = ("code", "textarea")
_TOKEN = re.compile(r"(?<![\w./:@-])[A-Za-z][A-Za-z0-9_]*(?![\w/:@-])")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
# A lowercase English word on a Chinese page is almost always a code that escaped its label
# (``rainfall``, ``open``); units and names people use are in ALLOWED_WORDS.
_WORD = re.compile(r"^[a-z]{3,}$")
# A figure followed by a degree sign is a coordinate (``coord`` filter), surveyed to 5 places.
_LONG_FLOAT = re.compile(r"(?<![\w.])\d+\.\d{4,}(?![\w.°])")

# ASCII words that are legitimately shown: units, standards, protocols and brand names, plus
# the enum codes that are also plain English words a page may print on purpose. Each entry
# says why; adding one here is a decision, not a way to silence the check.
ALLOWED_WORDS = frozenset(
    {
        # units
        "mm",
        "m",
        "km",
        "h",
        "min",
        "s",
        "ms",
        "kg",
        "t",
        "g",
        "L",
        "kPa",
        "MPa",
        "Pa",
        "ppm",
        "LEL",
        "mg",
        "kW",
        "kWh",
        "V",
        "A",
        "Hz",
        "dB",
        "pH",
        "NTU",
        "m3",
        "ha",
        # standards, formats and protocols people use by name
        "CAP",
        "OASIS",
        "GB",
        "AQ",
        "MQTT",
        "API",
        "JSON",
        "GeoJSON",
        "Excel",
        "Word",
        "PDF",
        "CSV",
        "XML",
        "Atom",
        "RSS",
        "URL",
        "ID",
        "IoT",
        "SMS",
        "GIS",
        "CSRF",
        "HTTP",
        "HTTPS",
        "xlsx",
        "docx",
        "json",
        "geojson",
        "csv",
        "xml",
        "atom",
        "OpenStreetMap",
        "Leaflet",
        "ECharts",
        "OSM",
        "WGS84",
        "GCJ",
        "CGCS2000",
        "EPSG",
        "TOTP",
        "yingji",
        "LEC",
        "LS",
        "MES",
        "HAZOP",
        "SIL",
        "SIS",
        "DCS",
        "SCADA",
        "GPS",
        "APP",
        "Web",
        "VR",
        "AR",
        "AI",
        "Bearer",
        "token",
        "Token",
    }
)


@lru_cache(maxsize=1)
def enum_codes() -> frozenset[str]:
    """Return every ASCII value of every ``str`` enum defined in the ``yingji`` package.

    These are the codes stored in the database; a page shows their labels, never them.
    """
    codes: set[str] = set()
    for info in pkgutil.walk_packages(yingji.__path__, "yingji."):
        if ".migrations." in info.name or info.name.endswith(".__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # pragma: no cover - an optional extra missing
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and issubclass(value, str)
                and value.__module__ == module.__name__
            ):
                codes.update(
                    str(m.value) for m in value if re.fullmatch(r"[A-Za-z_][\w]*", str(m.value))
                )
    return frozenset(codes - ALLOWED_WORDS)


def visible_text(page: str) -> str:
    """Return the text a browser would show for ``page`` (one line per text node)."""
    tree = lxml_html.fromstring(page)
    for bad in tree.xpath("|".join(f"//{tag}" for tag in (*_INVISIBLE, *_LITERAL))):
        bad.drop_tree()
    for hidden in tree.xpath("//*[@hidden] | //input[@type='hidden']"):
        hidden.drop_tree()
    parts = [t.strip() for t in tree.itertext()]
    # Placeholders and option labels are read, too; values and names are not.
    parts += [str(p) for p in tree.xpath("//@placeholder | //@title | //@aria-label")]
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Leak:
    """One raw value found in visible text, with the line it was on."""

    kind: str
    value: str
    line: str


def leaks(text: str, codes: frozenset[str] | None = None) -> list[Leak]:
    """Return the raw values in ``text``: enum codes, snake_case keys, floats > 3 decimals."""
    codes = enum_codes() if codes is None else codes
    found: list[Leak] = []
    for line in text.splitlines():
        for token in _TOKEN.findall(line):
            if token in ALLOWED_WORDS:
                continue
            if _SNAKE.match(token):
                found.append(Leak("field key", token, line[:120]))
            elif token in codes:
                found.append(Leak("enum code", token, line[:120]))
            elif _WORD.match(token):
                found.append(Leak("english word", token, line[:120]))
        for number in _LONG_FLOAT.findall(line):
            found.append(Leak("float", number, line[:120]))
    return found
