"""The demo district's emergency plans: the overall plan, flood and hazardous-chemical
special plans, each published with levels and task templates, and a drill history that
leaves one plan overdue for its drill (so the library shows the flag).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from yingji.demo.people import (
    EMERGENCY_BUREAU,
    FIRE_BRIGADE,
    HEALTH,
    TRANSPORT,
    WATER,
    WEATHER,
)
from yingji.demo.state import SeedState
from yingji.plans.models import Drill, EmergencyPlan
from yingji.plans.schemas import DrillIn, PlanCreate
from yingji.plans.service import create_plan, publish_version, record_drill


def _plans(dept: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "name": "重庆市荣昌区突发事件总体应急预案",
            "kind": "overall",
            "filing_number": "荣府办发〔2024〕12号",
            "filing_authority": "重庆市荣昌区人民政府",
            "version": {
                "summary": "全区突发事件应对的总纲。",
                "levels": [
                    {"level": 4, "criteria": {"min_deaths": 1}},
                    {"level": 3, "criteria": {"min_deaths": 3, "min_grade": "large"}},
                    {"level": 2, "criteria": {"min_deaths": 10, "min_grade": "major"}},
                ],
                "templates": [
                    {
                        "level": 4,
                        "action": "值班室核实情况，30 分钟内报区委区政府",
                        "role": "duty_officer",
                        "deadline_minutes": 30,
                    },
                    {
                        "level": 4,
                        "action": "属地镇街组织先期处置",
                        "role": "township_officer",
                        "deadline_minutes": 30,
                    },
                    {
                        "level": 3,
                        "action": "成立区现场指挥部",
                        "department_id": dept[EMERGENCY_BUREAU],
                        "deadline_minutes": 60,
                    },
                    {
                        "level": 3,
                        "action": "组织医疗救治",
                        "department_id": dept[HEALTH],
                        "deadline_minutes": 45,
                    },
                    {
                        "level": 2,
                        "action": "请求市级支援",
                        "department_id": dept[EMERGENCY_BUREAU],
                        "deadline_minutes": 60,
                    },
                ],
            },
            "drills": [date(2025, 11, 20)],
        },
        {
            "name": "重庆市荣昌区防汛抗旱应急预案",
            "kind": "special",
            "event_types": ["flood", "rainstorm"],
            "filing_number": "荣防指〔2025〕3号",
            "version": {
                "levels": [
                    {
                        "level": 4,
                        "criteria": {
                            "event_types": ["flood", "rainstorm"],
                            "min_warning_level": "blue",
                        },
                    },
                    {
                        "level": 3,
                        "criteria": {
                            "event_types": ["flood", "rainstorm"],
                            "min_warning_level": "yellow",
                        },
                    },
                    {
                        "level": 2,
                        "criteria": {
                            "event_types": ["flood", "rainstorm"],
                            "min_warning_level": "orange",
                        },
                    },
                    {
                        "level": 1,
                        "criteria": {
                            "event_types": ["flood", "rainstorm"],
                            "min_warning_level": "red",
                        },
                    },
                ],
                "templates": [
                    {
                        "level": 4,
                        "action": "加密雨情水情监测，每 3 小时报告",
                        "department_id": dept[WATER],
                        "deadline_minutes": 180,
                    },
                    {
                        "level": 4,
                        "action": "发布气象预警并滚动更新",
                        "department_id": dept[WEATHER],
                        "deadline_minutes": 60,
                    },
                    {
                        "level": 3,
                        "action": "危险区域群众转移",
                        "role": "township_officer",
                        "deadline_minutes": 120,
                    },
                    {
                        "level": 2,
                        "action": "救援队伍前置备勤",
                        "department_id": dept[FIRE_BRIGADE],
                        "deadline_minutes": 60,
                        "resources": ["冲锋舟", "救生衣"],
                    },
                    {
                        "level": 1,
                        "action": "交通管制与抢通",
                        "department_id": dept[TRANSPORT],
                        "deadline_minutes": 90,
                    },
                ],
            },
            "drills": [date(2024, 5, 10)],  # more than two years ago: drill overdue
        },
        {
            "name": "重庆市荣昌区危险化学品事故应急预案",
            "kind": "special",
            "event_types": ["hazmat"],
            "filing_number": "荣应急〔2025〕21号",
            "version": {
                "levels": [
                    {"level": 4, "criteria": {"event_types": ["hazmat"], "min_injuries": 1}},
                    {
                        "level": 3,
                        "criteria": {
                            "event_types": ["hazmat"],
                            "min_deaths": 3,
                            "min_grade": "large",
                        },
                    },
                ],
                "templates": [
                    {
                        "level": 4,
                        "action": "消防救援队伍赶赴现场侦检",
                        "department_id": dept[FIRE_BRIGADE],
                        "deadline_minutes": 20,
                        "resources": ["防化服", "气体检测仪"],
                    },
                    {
                        "level": 4,
                        "action": "划定警戒区并疏散周边群众",
                        "role": "township_officer",
                        "deadline_minutes": 30,
                    },
                    {
                        "level": 3,
                        "action": "成立现场指挥部，专家会商",
                        "department_id": dept[EMERGENCY_BUREAU],
                        "deadline_minutes": 60,
                    },
                ],
            },
            "drills": [date(2026, 6, 16)],
        },
    ]


def seed(state: SeedState) -> None:
    """Create and publish the demo plans once (matched by name) with their drills."""
    tally = state.tally("emergency plans 应急预案")
    session = state.uow.session
    for row in _plans(state.departments):
        drills = row.pop("drills")
        existing = session.scalar(select(EmergencyPlan.id).where(EmergencyPlan.name == row["name"]))
        if existing is not None:
            tally.existing += 1
            continue
        plan_id = create_plan(
            state.uow, PlanCreate.model_validate(row), district_code=state.district_code
        )
        publish_version(state.uow, plan_id)
        for held in drills:
            if session.scalar(
                select(Drill.id).where(Drill.plan_id == plan_id, Drill.held_on == held)
            ):
                continue
            record_drill(
                state.uow,
                plan_id,
                DrillIn(
                    held_on=held,
                    form="tabletop",
                    participants=30,
                    scenario=f"{row['name']}桌面推演",
                ),
            )
        tally.created += 1
