"""The review report (复盘报告) as a .docx: incident, measures, timeline, problems."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from docx import Document

from yingji.core.clock import format_local
from yingji.incidents.review.schemas import ReviewRead

_MEASURE_LABELS = (
    ("minutes_to_first_report", "接报至首次上报（分钟）"),
    ("minutes_to_activation", "接报至启动预案（分钟）"),
    ("minutes_to_first_team_on_scene", "接报至首支队伍到场（分钟）"),
    ("tasks_total", "预案任务总数"),
    ("tasks_done", "已完成任务"),
    ("tasks_on_time", "按时完成任务"),
    ("deadlines_total", "上报时限总数"),
    ("deadlines_met_on_time", "按时上报"),
)


def review_docx(review: ReviewRead, timezone: str) -> bytes:
    """Return the review report document."""
    doc = Document()
    doc.add_heading(f"{review.incident_title} 复盘报告", level=1)
    doc.add_paragraph(review.summary or "（无总结）")
    doc.add_heading("一、响应时效与任务完成", level=2)
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "结果"
    for key, label in _MEASURE_LABELS:
        value = review.measures.get(key)
        row = table.add_row().cells
        row[0].text, row[1].text = label, "未发生" if value is None else str(value)
    doc.add_heading("二、处置过程", level=2)
    for entry in review.timeline:
        at = entry["at"]
        when = format_local(at, timezone, "%m-%d %H:%M") if isinstance(at, datetime) else at
        doc.add_paragraph(f"{when}  {entry['summary']}", style="List Bullet")
    doc.add_heading("三、发现的问题与整改", level=2)
    if not review.problems:
        doc.add_paragraph("无。")
    for problem in review.problems:
        doc.add_paragraph(
            f"{problem.description}（整改期限 {problem.deadline}，隐患编号 {problem.hazard_id}）",
            style="List Number",
        )
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
