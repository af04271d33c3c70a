"""The demo district's hazards: a handful in every state of the rectification loop,
including an overdue 重大隐患 under 挂牌督办 by the economy and information commission.

Built through the hazard service (audited, with their transition history). Each demo hazard
carries a ``demo:hazard:<n>`` source reference, so a second seed finds it and does nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from yingji.core.clock import local_today
from yingji.demo.people import DEMO_ENTERPRISE, ECONOMY
from yingji.demo.state import SeedState
from yingji.risks.hazards import service
from yingji.risks.hazards.models import Hazard
from yingji.risks.hazards.schemas import HazardActionRequest, HazardReport, RectificationPlan

# Actions from "reported" to each demo state.
_PATHS = {
    "reported": [],
    "rejected": ["reject"],
    "confirmed": ["confirm"],
    "rectifying": ["confirm", "start"],
    "submitted": ["confirm", "start", "submit"],
    "closed": ["confirm", "start", "submit", "accept"],
}
_REASONS = {
    "reject": "经核实不属于安全生产事故隐患",
    "confirm": "现场核实属实",
    "start": "已制定整改措施并落实责任人",
    "submit": "整改完成，申请验收",
    "accept": "复查合格，同意销号",
}


def _hazardous_enterprise(state: SeedState) -> str | None:
    for row in state.fixtures.section("enterprises"):
        if row.get("hazardous_chemicals") and row["name"] in state.enterprises:
            return str(row["name"])
    return None


def _public_place(state: SeedState) -> tuple[float, float]:
    lon, lat = state.fixtures.section("shelters")[0]["center"]
    return float(lon), float(lat)


def _plans(state: SeedState) -> list[dict[str, Any]]:
    today = local_today(state.uow.settings.timezone, state.uow.clock.now())
    ceramics = state.enterprises.get(DEMO_ENTERPRISE)
    chemicals = _hazardous_enterprise(state)
    lon, lat = _public_place(state)
    place = {"longitude": lon, "latitude": lat}
    out: list[dict[str, Any]] = [
        {
            "state": "reported",
            "report": {"source": "grid_patrol", "kind": "fire", "title": "商铺消防通道堆放杂物"}
            | {"description": "一楼消防通道堆放纸箱，影响疏散"}
            | place,
        },
        {
            "state": "rejected",
            "report": {"source": "public_report", "kind": "other", "title": "举报夜间施工噪音"}
            | place,
        },
    ]
    if ceramics is not None:
        out += [
            {
                "state": "rectifying",
                "report": {
                    "source": "self_check",
                    "kind": "equipment",
                    "title": "窑炉燃气管道阀门锈蚀",
                    "description": "2 号窑炉燃气支管阀门锈蚀，存在泄漏风险",
                    "enterprise_id": ceramics,
                },
                "deadline": today + timedelta(days=10),
            },
            {
                "state": "closed",
                "report": {
                    "source": "inspection",
                    "kind": "electrical",
                    "title": "成型车间配电箱未可靠接地",
                    "enterprise_id": ceramics,
                },
                "deadline": today - timedelta(days=3),
            },
        ]
    if chemicals is not None:
        enterprise_id = state.enterprises[chemicals]
        out += [
            {
                "state": "rectifying",
                "report": {
                    "source": "inspection",
                    "level": "major",
                    "kind": "hazmat",
                    "title": "储罐区可燃气体检测报警装置失效",
                    "description": "罐区 3 台可燃气体探测器长期故障未修复"
                    "（安监总管三〔2017〕121号 第十二项）",
                    "enterprise_id": enterprise_id,
                },
                # Overdue: the deadline passed and it is still being rectified.
                "deadline": today - timedelta(days=5),
                "plan": {
                    "measures": "更换全部失效探测器并接入 DCS 报警",
                    "responsible_person": "企业主要负责人",
                    "funds": "8 万元（企业安全生产费用）",
                    "time_limit": (today - timedelta(days=5)).isoformat(),
                    "contingency_plan": "罐区泄漏现场处置方案，每日人工巡检两次",
                },
                "supervise": ECONOMY,
            },
            {
                "state": "submitted",
                "report": {
                    "source": "self_check",
                    "kind": "hazmat",
                    "title": "危化品仓库通风设施故障",
                    "enterprise_id": enterprise_id,
                },
                "deadline": today + timedelta(days=2),
            },
        ]
    return out


def seed(state: SeedState) -> None:
    """Create the demo hazards that are not there yet and move each to its demo state."""
    tally = state.tally("hazards 隐患")
    session = state.uow.session
    for index, plan in enumerate(_plans(state), start=1):
        ref = f"demo:hazard:{index}"
        found = session.scalar(select(Hazard.id).where(Hazard.source_ref == ref))
        if found is not None:
            tally.existing += 1
            continue
        report = HazardReport.model_validate({**plan["report"], "source_ref": ref})
        hazard_id = service.report_hazard(state.uow, report)
        for action in _PATHS[plan["state"]]:
            request = HazardActionRequest(
                reason=_REASONS[action],
                deadline=plan.get("deadline") if action == "confirm" else None,
                plan=RectificationPlan.model_validate(plan["plan"])
                if action == "start" and "plan" in plan
                else None,
            )
            service.take_action(state.uow, hazard_id, action, request)
        department = state.departments.get(plan.get("supervise") or "")
        if department is not None:
            service.supervise_hazard(
                state.uow, hazard_id, department_id=department, note="挂牌督办，限期完成整改"
            )
        tally.created += 1
