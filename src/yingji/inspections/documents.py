"""Enforcement documents as .docx: built from the document's frozen content and the text in
``fixtures/documents.yaml`` with python-docx.

A document's content is fixed when it is issued (``EnforcementDocument.content``), so a
download months later shows exactly what was issued, whatever happened to the enterprise's
profile since. Numbers are allocated in ``service``; this module only lays out pages.
"""

from __future__ import annotations

import functools
import io
from importlib import resources
from typing import Any

import yaml
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

_PARTIES = (
    ("被检查单位", "enterprise_name"),
    ("统一社会信用代码", "credit_code"),
    ("地址", "address"),
    ("法定代表人", "legal_representative"),
    ("执法人员", "inspectors"),
)


@functools.cache
def document_texts() -> dict[str, Any]:
    """Return the document texts by type (shared and cached: do not mutate)."""
    path = resources.files("yingji.inspections").joinpath("fixtures", "documents.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("documents.yaml: top level must be a mapping")
    return data


class _Blank(dict[str, Any]):
    # A placeholder with no value prints as a dash rather than failing the whole document.
    def __missing__(self, key: str) -> str:
        return "—"


def _fill(text: str, content: dict[str, Any]) -> str:
    # A missing value prints as a dash; an empty optional sentence (e.g. requirements) as nothing.
    values = _Blank({k: ("—" if v is None else v) for k, v in content.items()})
    return text.format_map(values)


def _font(run: Any, size: float, *, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "SimSun"
    # East Asian text uses its own font slot in Word.
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def render_docx(doc_type: str, content: dict[str, Any]) -> bytes:
    """Return the .docx bytes of a document of ``doc_type`` with ``content``."""
    texts = document_texts()[doc_type]
    doc = Document()
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(str(content.get("authority", ""))), 16, bold=True)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(texts["title"]), 18, bold=True)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.add_run(str(content["number"])), 12)

    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, key in _PARTIES:
        cells = table.add_row().cells
        cells[0].text = label
        value = content.get(key)
        cells[1].text = "—" if value in (None, "") else str(value)

    for line in texts["body"]:
        if line.strip() == "{findings}":
            findings = content.get("findings") or ["（未发现问题）"]
            for i, finding in enumerate(findings, start=1):
                _font(doc.add_paragraph().add_run(f"{i}. {finding}"), 12)
            continue
        _font(doc.add_paragraph().add_run(_fill(line, content)), 12)
    closing = doc.add_paragraph()
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(closing.add_run(_fill(texts["closing"], content)), 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Return all text of a .docx (paragraphs and table cells), one line each (tests, search)."""
    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)
