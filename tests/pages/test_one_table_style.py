"""One table: every table in every template is the ``data_table`` macro of macros.html.

The macro gives all tables one style (``table.data``: the striped list, right-aligned figures,
a card per row on phones) and one scrolling wrapper. A raw ``<table`` anywhere else is how
the unstyled tables of 应急预案, 灾情报送 and 转移安置 came about, so it fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "yingji"
MACROS = SRC / "core" / "web" / "templates" / "macros.html"


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("templates/**/*.html") if p != MACROS)


def test_no_template_writes_a_raw_table():
    raw = [
        f"{p.relative_to(SRC)}:{n}"
        for p in _templates()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"<table\b", line)
    ]
    assert raw == [], "write tables with {% call data_table() %}:\n" + "\n".join(raw)


def test_the_macro_is_the_one_place_a_table_is_written():
    text = MACROS.read_text(encoding="utf-8")
    assert len(re.findall(r"<table\b", text)) == 1
    assert 'class="data' in text


def test_templates_that_call_the_macro_import_it():
    missing = [
        str(p.relative_to(SRC))
        for p in _templates()
        if "data_table(" in (t := p.read_text(encoding="utf-8"))
        and not re.search(r'{% from "macros.html" import [^%]*\bdata_table\b', t)
    ]
    assert missing == []
