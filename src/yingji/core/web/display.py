"""The display layer: how stored values read on a page (labels, numbers, times).

Stored values are codes (``red``, ``ordinary``), floats from sensors (``50.199999999999996``)
and UTC instants. People read Chinese labels, numbers at a sensible precision with their unit,
and times in the deployment's zone. Domains keep each enum's labels next to the enum (in their
``rules.py``) and contribute them as :class:`~yingji.core.extensions.LabelTable` values to
``LABEL_TABLES`` in their manifest; bootstrap gathers them into one :class:`Labels` on the app,
and templates use the filters installed here:

- ``{{ a.level | label("alarm_level") }}`` → 红色
- ``{{ a.peak_value | num(a.unit) }}`` → 50.2 mm
- ``{{ r.longitude | coord(r.latitude) }}`` → 东经 105.42730°，北纬 29.36580°
- ``{{ a.raised_at | localtime }}`` → 2026-07-01 08:30 (``core.clock``; templates.py)

Map popups read the same labels: a registry's GeoJSON carries labelled values
(``registry.api.geojson_features``), its map layer names the popup rows in Chinese
(``registry.display.map_fields``), and the map scripts put both in with ``textContent``,
never as HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from jinja2 import Environment, pass_context

from yingji.core.extensions import LabelTable

#: Shown for a missing value, the same everywhere.
EMPTY = "—"
# Units written straight after the number (no space), as Chinese typesetting does.
_TIGHT_UNITS = frozenset({"%", "‰", "°", "℃", "°C", "元", "万元", "亿元", "人", "户", "个", "起"})


class Labels:
    """Every contributed label table by kind; unknown codes fall back to the code itself."""

    def __init__(self, tables: Iterable[LabelTable] = ()) -> None:
        self._by_kind: dict[str, dict[str, str]] = {}
        for table in tables:
            merged = self._by_kind.setdefault(table.kind, {})
            for code, text in table.labels.items():
                known = merged.get(str(code))
                if known is not None and known != text:
                    raise ValueError(f"label {table.kind}.{code}: {known!r} or {text!r}")
                merged[str(code)] = text

    def kinds(self) -> list[str]:
        """Return the kinds that have labels."""
        return sorted(self._by_kind)

    def table(self, kind: str) -> Mapping[str, str]:
        """Return the labels of ``kind`` (KeyError for an unknown kind: a template typo)."""
        return self._by_kind[kind]

    def label(self, value: object, *kinds: str) -> str:
        """Return the Chinese label of ``value``: the first of ``kinds`` that knows it.

        Several kinds serve a field that mixes code lists (a plan's event types are incident
        types or warning signals); an unknown code is returned as it is.
        """
        if value is None or value == "":
            return EMPTY
        code = str(getattr(value, "value", value))
        for kind in kinds:
            text = self.table(kind).get(code)
            if text is not None:
                return text
        return code


def format_number(value: object, unit: str = "", places: int = 2) -> str:
    """Return ``value`` rounded to at most ``places`` decimals (trailing zeros dropped).

    ``50.199999999999996`` with unit ``mm`` reads ``50.2 mm``; integers stay integers; ``None``
    reads ``—``. A unit such as ``%`` or ``元`` follows the number without a space.
    """
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool) or not isinstance(value, float | Decimal):
        text = str(value)  # integers, and anything that is not a number, as they are
    else:
        text = f"{float(value):.{max(places, 0)}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text == "-0":
            text = "0"
    if not unit:
        return text
    return f"{text}{unit}" if unit in _TIGHT_UNITS else f"{text} {unit}"


def format_coordinates(longitude: object, latitude: object, places: int = 5) -> str:
    """Return a point as people read it: ``东经 105.42730°，北纬 29.36580°``.

    Five decimals is about a metre, the precision a site is surveyed to; the degree sign
    marks the figures as coordinates rather than measurements.
    """
    if not isinstance(longitude, int | float | Decimal) or not isinstance(
        latitude, int | float | Decimal
    ):
        return EMPTY
    east = "东经" if float(longitude) >= 0 else "西经"
    north = "北纬" if float(latitude) >= 0 else "南纬"
    return f"{east} {abs(float(longitude)):.{places}f}°，{north} {abs(float(latitude)):.{places}f}°"


@pass_context
def _label_filter(context: Any, value: object, *kinds: str) -> str:
    """Jinja filter ``label``: the label of ``value`` in ``kinds``, from the app's tables."""
    request = context.get("request")
    labels: Labels | None = getattr(request.app.state, "labels", None) if request else None
    if labels is None:
        return EMPTY if value is None else str(getattr(value, "value", value))
    return labels.label(value, *kinds)


def install(env: Environment) -> None:
    """Add the display filters (``label``, ``num``, ``coord``) to ``env`` (idempotent)."""
    env.filters["label"] = _label_filter
    env.filters["num"] = format_number
    env.filters["coord"] = format_coordinates
