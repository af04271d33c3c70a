"""Helpers for inspection tests: extra officers and enterprises, a plan, a case on site."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from support import district, samples
from yingji.accounts.rules import Role
from yingji.core.actor import Actor, system_actor
from yingji.core.audit import AuditEntry
from yingji.core.web.context import AppContext
from yingji.enterprises.registry import ENTERPRISES
from yingji.enterprises.schemas import EnterpriseCreate
from yingji.inspections import service
from yingji.inspections.schemas import CaseCreate, FindingCreate, PlanCreate
from yingji.registry.service import create_record

YEAR = 2026


def add_inspectors(ctx: AppContext, names: list[str]) -> dict[str, int]:
    """Create inspector users (district-wide) and return their ids by username.

    The rows reuse the baseline inspector's password hash: hashing a password (argon2) per
    user would dominate these tests' run time, and the new officers never sign in.
    """
    from yingji.accounts.models import User

    out: dict[str, int] = {}
    with ctx.session_factory() as session:
        template = session.scalar(select(User).where(User.username == "inspector"))
        assert template is not None
        for name in names:
            user = User(
                username=name,
                display_name=f"执法员{name}",
                password_hash=template.password_hash,
                role=Role.INSPECTOR.value,
                is_active=True,
                created_at=template.created_at,
            )
            session.add(user)
            session.flush()
            out[name] = user.id
        session.commit()
    return out


def add_enterprises(
    ctx: AppContext, points: list[tuple[tuple[float, float], str]]
) -> dict[str, int]:
    """Create enterprises at the given points; return their ids by tag."""
    out: dict[str, int] = {}
    with ctx.uow(system_actor("test")) as uow:
        for point, tag in points:
            read = create_record(
                uow, ENTERPRISES, EnterpriseCreate.model_validate(samples.enterprise(point, tag))
            )
            out[tag] = read.id
        uow.commit()
    return out


def make_plan(ctx: AppContext, year: int = YEAR) -> int:
    """Generate the year's plan as the system; return its id."""
    with ctx.uow(system_actor("test")) as uow:
        plan_id = service.generate_plan(uow, PlanCreate(year=year))
        uow.commit()
    return plan_id


def actor_of(ctx: AppContext, username: str) -> Actor:
    """Return the actor of a baseline user."""
    from yingji.accounts.models import User
    from yingji.accounts.queries import actor_for

    with ctx.session_factory() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return actor_for(user, district.DISTRICT)


def open_case_with_finding(
    ctx: AppContext, enterprise_id: int, inspector_ids: list[int], **finding: Any
) -> tuple[int, int]:
    """Open a case as the inspector and add one finding; return (case id, finding id)."""
    actor = actor_of(ctx, "inspector")
    with ctx.uow(actor) as uow:
        case_id = service.open_case(
            uow, CaseCreate(enterprise_id=enterprise_id, inspector_ids=inspector_ids)
        )
        finding_id = service.add_finding(
            uow,
            case_id,
            FindingCreate(
                description=finding.pop("description", "可燃气体检测报警装置未投用"),
                hazard_kind=finding.pop("hazard_kind", "hazmat"),
                legal_basis="安监总管三〔2017〕121号 第12项",
                **finding,
            ),
        )
        uow.commit()
    return case_id, finding_id


def audit_actions(ctx: AppContext, entity: str, entity_id: int) -> list[str]:
    """Return the audit actions recorded for one record, oldest first."""
    with ctx.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
                .order_by(AuditEntry.id)
            )
        )
