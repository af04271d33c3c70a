"""The display layer: labels by kind, numbers at a sensible precision, coordinates."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from yingji.bootstrap import extensions
from yingji.core.extensions import LABEL_TABLES, LabelTable
from yingji.core.web.display import Labels, format_coordinates, format_number

SRC = Path(__file__).resolve().parents[2] / "src" / "yingji"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (50.199999999999996, "mm", "50.2 mm"),
        (3, "人", "3人"),
        (12.5, "%", "12.5%"),
        (Decimal("260.0000"), "", "260"),
        (Decimal("0.0000"), "万元", "0万元"),
        (-0.0001, "", "0"),
        (None, "mm", "—"),
        (True, "", "True"),
        (7, "", "7"),
    ],
)
def test_format_number(value, unit, shown):
    assert format_number(value, unit) == shown


def test_format_number_places():
    assert format_number(1.23456, places=3) == "1.235"
    assert format_number(1.5, places=0) == "2"


def test_format_coordinates():
    assert format_coordinates(105.4273, 29.3658) == "东经 105.42730°，北纬 29.36580°"
    assert format_coordinates(None, 29.0) == "—"


def test_labels_first_kind_that_knows_the_code_wins():
    labels = Labels([LabelTable("a", {"x": "甲"}), LabelTable("b", {"y": "乙"})])
    assert labels.label("y", "a", "b") == "乙"
    assert labels.label("z", "a", "b") == "z"
    assert labels.label(None, "a") == "—"


def test_labels_refuse_two_meanings_for_one_code():
    with pytest.raises(ValueError, match=r"a\.x"):
        Labels([LabelTable("a", {"x": "甲"}), LabelTable("a", {"x": "乙"})])


def test_unknown_kind_is_a_loud_error():
    with pytest.raises(KeyError):
        Labels([]).label("x", "nope")


def test_every_kind_a_template_names_is_contributed():
    # A misspelt kind in a template would otherwise fail only on the page that renders it.
    known = set(Labels(extensions().get(LABEL_TABLES)).kinds())
    used: set[tuple[str, str]] = set()
    for template in SRC.rglob("templates/**/*.html"):
        for call in re.findall(r"\|\s*label\(([^)]*)\)", template.read_text(encoding="utf-8")):
            for kind in re.findall(r"[\"']([a-z_]+)[\"']", call):
                used.add((template.name, kind))
    assert used, "no template uses the label filter"
    assert sorted(k for k in used if k[1] not in known) == []
