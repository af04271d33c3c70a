"""The demo district's early warnings: one published district-wide rainstorm warning (with
its CAP message and deliveries), one township heat warning waiting for approval, and one
warning imported as CAP from the municipal meteorological observatory.

Idempotent: each warning is found again by its title.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from yingji.demo.state import SeedState
from yingji.early_warnings.cap import CapAlert, CapArea, CapInfo, to_xml
from yingji.early_warnings.models import Warning
from yingji.early_warnings.rules import CapProfile, cap_datetime, cn_identifier
from yingji.early_warnings.schemas import WarningCreate
from yingji.early_warnings.service import (
    approve_warning,
    compose_warning,
    import_cap,
    publish_warning,
    submit_warning,
)
from yingji.geo.queries import list_divisions

RAIN = "全区暴雨黄色预警"
HEAT = "高温黄色预警（待审批）"
IMPORTED = "重庆市气象台发布暴雨蓝色预警"
# The observatory's issuing-unit code is invented for the demo (GB/T 35965.1 A.1.2 form).
OBSERVATORY = "50000041600000"


def _exists(state: SeedState, title: str) -> bool:
    found = state.uow.session.scalar(select(Warning.id).where(Warning.title == title).limit(1))
    return found is not None


def seed(state: SeedState) -> None:
    """Create the demo warnings unless they are already there."""
    tally = state.tally("early warnings 预警")
    uow = state.uow
    profile = CapProfile(sender_code=state.district_code.ljust(14, "0"))
    now = uow.clock.now().replace(microsecond=0)
    towns = [
        d.code for d in list_divisions(uow.session, level="township", within=state.district_code)
    ]
    if _exists(state, RAIN):
        tally.existing += 1
    else:
        warning_id = compose_warning(
            uow,
            WarningCreate(
                title=RAIN,
                signal="rainstorm",
                level="yellow",
                division_codes=[state.district_code],
                starts_at=now,
                ends_at=now + timedelta(hours=24),
                description="受强对流天气影响，预计未来 6 小时内全区将出现 50 毫米以上降雨。",
                measures="停止露天集体活动和高空等户外危险作业；转移地质灾害隐患点和低洼地区人员。",
                contact="区应急管理局值班室 023-46731234",
                channels=["sms", "loudspeaker", "in_app"],
            ),
            profile=profile,
        )
        submit_warning(uow, warning_id)
        approve_warning(uow, warning_id, reason="演示数据")
        publish_warning(uow, warning_id, profile=profile)
        tally.created += 1
    if _exists(state, HEAT):
        tally.existing += 1
    elif towns:
        warning_id = compose_warning(
            uow,
            WarningCreate(
                title=HEAT,
                signal="heat",
                level="yellow",
                division_codes=[towns[0]],
                starts_at=now + timedelta(hours=2),
                ends_at=now + timedelta(days=3),
                description="未来 3 天最高气温将在 35℃ 以上。",
                measures="避免午后高温时段户外作业，做好防暑降温。",
                channels=["sms", "in_app"],
            ),
            profile=profile,
        )
        submit_warning(uow, warning_id)
        tally.created += 1
    if _exists(state, IMPORTED):
        tally.existing += 1
    else:
        import_cap(
            uow, _observatory_cap(state, now), profile=profile, district_code=state.district_code
        )
        tally.created += 1


def _observatory_cap(state: SeedState, now: datetime) -> bytes:
    sender = CapProfile(sender_code=OBSERVATORY)
    sent = now - timedelta(hours=1)
    alert = CapAlert(
        identifier=cn_identifier(sender, sent, 0),
        sender=OBSERVATORY,
        sent=cap_datetime(sent),
        status="Actual",
        msg_type="Alert",
        codes=[sender.profile_code],
        infos=[
            CapInfo(
                category=["Met"],
                event="暴雨",
                urgency="Expected",
                severity="Minor",
                certainty="Likely",
                event_codes=[(sender.event_code_name, "11B03")],
                effective=cap_datetime(sent),
                expires=cap_datetime(sent + timedelta(hours=12)),
                sender_name="重庆市气象台",
                headline=IMPORTED,
                description="预计未来 12 小时荣昌等地累计雨量将达 50 毫米以上。",
                instruction="注意防范强降雨可能引发的山洪、地质灾害。",
                parameters=[(sender.level_parameter, "blue")],
                areas=[
                    CapArea(
                        area_desc="荣昌区",
                        geocodes=[(sender.geocode_name, state.district_code)],
                    )
                ],
            )
        ],
    )
    return to_xml(alert)
