"""Report documents: a .docx of a 初报/续报/核报/补报 with the sections 493 第十二条 requires.

The document is rendered from the content frozen when the report was drafted, plus its
sign-off, so the same report always gives the same text.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from yingji.core.clock import format_local
from yingji.incidents.rules import REPORT_SECTIONS
from yingji.incidents.schemas import IncidentRead, ReportRead

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_report(
    report: ReportRead, incident: IncidentRead, *, issuer: str, timezone: str
) -> bytes:
    """Return the .docx bytes of ``report``."""
    doc = Document()
    heading = doc.add_heading(f"{incident.title}{report.title}", level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph()
    meta.add_run(f"报送单位：{issuer}    事件编号：{incident.id}    ")
    meta.add_run(f"事件类别：{incident.category_label}（{incident.type_label}）")
    if incident.grade_label:
        doc.add_paragraph(
            f"事故等级：{incident.grade_label}（依据《生产安全事故报告和调查处理条例》第三条）"
        )
    for key, title in REPORT_SECTIONS:
        doc.add_heading(title, level=2)
        doc.add_paragraph(report.content.get(key) or "无")
    doc.add_heading("伤亡情况统计", level=2)
    table = doc.add_table(rows=2, cols=7)
    table.style = "Table Grid"
    labels = ["死亡", "失踪", "被困", "重伤", "急性工业中毒", "其他受伤", "直接经济损失（万元）"]
    values = [
        incident.deaths,
        incident.missing,
        incident.trapped,
        incident.serious_injuries,
        incident.acute_poisoning,
        incident.injuries,
        incident.direct_loss_wan_yuan,
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        table.cell(0, i).text = label
        table.cell(1, i).text = str(value)
    doc.add_paragraph()
    drafted = format_local(report.drafted_at, timezone)
    doc.add_paragraph(f"拟稿：{report.drafted_by_name}（{drafted}）")
    if report.signed_at is not None:
        signed = format_local(report.signed_at, timezone)
        doc.add_paragraph(f"签发：{report.signed_by_name}（{signed}）")
    else:
        doc.add_paragraph("签发：（待签发，不得报送）")
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
