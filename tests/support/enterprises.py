"""Baseline enterprises for the test district: "A" in township A, "B" in township B.

Importing this module adds its hook to ``district.EXTENSIONS``. The enterprises are created
through the registry service, and ``ent_a`` is an enterprise officer bound to enterprise A
(token ``tokens["ent_a"]``; ids ``ids["enterprise:A"]``, ``ids["enterprise:B"]``).
"""

from __future__ import annotations

from sqlalchemy import delete

from support import district
from yingji.accounts.rules import Role
from yingji.accounts.schemas import UserCreate
from yingji.accounts.service import create_user, issue_token
from yingji.core.actor import system_actor
from yingji.core.outbox import OutboxMessage
from yingji.core.web.context import AppContext
from yingji.enterprises.registry import ENTERPRISES
from yingji.enterprises.rules import credit_code_check_char
from yingji.enterprises.schemas import EnterpriseCreate
from yingji.registry.service import create_record


def _code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# Letters in the body keep these apart from make_credit_code's all-digit bodies (samples).
CREDIT_A = _code("91500153MAA0000A1")
CREDIT_B = _code("91500153MAB0000B1")

# The baseline enterprises' ids by letter, filled when the template is built (the same on
# every engine: A and B are the first enterprises created). Sample factories, which only get
# a point, read them through ``enterprise_id_at``.
BASELINE_IDS: dict[str, int] = {}


def _enterprise(tag: str, code: str, point: tuple[float, float]) -> EnterpriseCreate:
    return EnterpriseCreate.model_validate(
        {
            "credit_code": code,
            "name": f"基准企业{tag}",
            "industry_code": "2614",
            "scale": "above",
            "stores_hazardous_chemicals": True,
            "contacts": [{"name": f"联系人{tag}", "role": "安全员", "phone": "13800000001"}],
            "longitude": point[0],
            "latitude": point[1],
        }
    )


def build_enterprises(ctx: AppContext, out: district.TestDistrict) -> None:
    """Create enterprises A and B and the enterprise officer ``ent_a`` bound to A."""
    with ctx.uow(system_actor("test-seed")) as uow:
        a = create_record(uow, ENTERPRISES, _enterprise("A", CREDIT_A, district.POINT_A))
        b = create_record(uow, ENTERPRISES, _enterprise("B", CREDIT_B, district.POINT_B))
        user = create_user(
            uow,
            UserCreate(
                username="ent_a",
                display_name="ent_a",
                password=district.PASSWORD,
                role=Role.ENTERPRISE_OFFICER,
                enterprise_id=a.id,
            ),
            district_code=district.DISTRICT,
        )
        token, _ = issue_token(uow, user, hours=24 * 365)
        uow.commit()
        out.tokens["ent_a"] = token
        out.ids["user:ent_a"] = user.id
    out.ids["enterprise:A"] = a.id
    out.ids["enterprise:B"] = b.id
    BASELINE_IDS.update(A=a.id, B=b.id)
    # The baseline's own events are relayed already; an empty outbox lets every test assert
    # exactly the events it causes.
    with ctx.session_factory() as session:
        session.execute(delete(OutboxMessage))
        session.commit()


def enterprise_id_at(point: tuple[float, float]) -> int:
    """Return the baseline enterprise of the township holding ``point`` (A, else B)."""
    if not BASELINE_IDS:
        raise RuntimeError("the test district template has not been built yet")
    # Township A lies west of 105.6° (see samples.division_for).
    return BASELINE_IDS["A" if point[0] < 105.6 else "B"]


if build_enterprises not in district.EXTENSIONS:
    district.EXTENSIONS.append(build_enterprises)
