"""Enterprise reads: look-ups by credit code, licences with their status, expiring licences.

Registry lists and details go through the registry kit (``registry.queries``); what is here is
what the kit does not cover. ``find_``/``get_`` by credit code are unscoped: they serve the CLI
and system jobs, which act for no particular jurisdiction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.errors import NotFound
from yingji.core.pagination import Page, PageParams
from yingji.enterprises.models import Enterprise, EnterpriseLicence
from yingji.enterprises.rules import licence_status
from yingji.enterprises.schemas import ExpiringLicence, LicenceRead
from yingji.geo.models import Site

# Keep IN lists well below every engine's bound-parameter limit (imports read 10,000+ rows).
_CHUNK = 1000


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _normalise(code: str) -> str:
    return code.strip().upper()


def find_enterprise_id_by_credit_code(
    session: Session, code: str, *, include_retired: bool = False
) -> int | None:
    """Return the id of the enterprise registered under ``code`` (active only by default)."""
    stmt = select(Enterprise.id).where(Enterprise.credit_code == _normalise(code))
    if not include_retired:
        stmt = stmt.where(Enterprise.retired_at.is_(None))
    return session.scalar(stmt)


def find_enterprise_by_credit_code(session: Session, code: str) -> Enterprise | None:
    """Return the enterprise registered under ``code`` (retired or not), or None."""
    return session.scalar(select(Enterprise).where(Enterprise.credit_code == _normalise(code)))


def get_enterprise_by_credit_code(session: Session, code: str) -> Enterprise:
    """Return the enterprise registered under ``code`` or raise NotFound."""
    enterprise = find_enterprise_by_credit_code(session, code)
    if enterprise is None:
        raise NotFound(f"统一社会信用代码 {code} 未登记")
    return enterprise


def licence_read(licence: EnterpriseLicence, today: date, warn_days: int) -> LicenceRead:
    """Return the API view of a licence with its status on ``today``."""
    return LicenceRead.of(
        licence,
        status=licence_status(licence.expires_on, today, warn_days),
        days_left=(licence.expires_on - today).days,
    )


def licences_by_enterprise(
    session: Session, enterprise_ids: Sequence[int]
) -> dict[int, list[EnterpriseLicence]]:
    """Return each enterprise's licences, soonest expiry first (one query per 1,000 ids)."""
    out: dict[int, list[EnterpriseLicence]] = defaultdict(list)
    for chunk in _chunks(list(enterprise_ids)):
        stmt = (
            select(EnterpriseLicence)
            .where(EnterpriseLicence.enterprise_id.in_(chunk))
            .order_by(EnterpriseLicence.expires_on, EnterpriseLicence.id)
        )
        for licence in session.scalars(stmt):
            out[licence.enterprise_id].append(licence)
    return dict(out)


def site_divisions(session: Session, site_ids: Sequence[int]) -> dict[int, str]:
    """Return {site id: division code} for the given sites."""
    out: dict[int, str] = {}
    for chunk in _chunks(list(site_ids)):
        out.update(
            (row.id, row.division_code)
            for row in session.execute(
                select(Site.id, Site.division_code).where(Site.id.in_(chunk))
            )
        )
    return out


def enterprises_with_sites(
    session: Session, ids: Iterable[int] | None = None
) -> list[tuple[Enterprise, str, str | None]]:
    """Return (enterprise, division code, address) by id (every enterprise when ``ids`` is None).

    Unscoped and retired ones included: callers (inspection draws, documents) decide.
    """
    stmt = select(Enterprise, Site.division_code, Site.address).join(
        Site, Enterprise.site_id == Site.id
    )
    if ids is not None:
        wanted = set(ids)
        if not wanted:
            return []
        stmt = stmt.where(Enterprise.id.in_(wanted))
    return [
        (e, code, address) for e, code, address in session.execute(stmt.order_by(Enterprise.id))
    ]


def enterprise_exists(session: Session, enterprise_id: object) -> bool:
    """Tell whether an enterprise with ``enterprise_id`` is registered."""
    return isinstance(enterprise_id, int) and session.get(Enterprise, enterprise_id) is not None


def enterprise_division(session: Session, enterprise_id: int) -> str | None:
    """Return the division code of an enterprise's site, or None when there is no such one."""
    row = session.execute(
        select(Site.division_code)
        .join(Enterprise, Enterprise.site_id == Site.id)
        .where(Enterprise.id == enterprise_id)
    ).first()
    return str(row[0]) if row else None


def page_expiring_licences(
    session: Session,
    actor: Actor,
    params: PageParams,
    *,
    today: date,
    within_days: int,
) -> Page[ExpiringLicence]:
    """Return the licences, visible to ``actor``, expired or expiring within ``within_days``."""
    # Every licence listed is "expiring" or "expired" in the window the caller asked for.
    horizon = today + timedelta(days=within_days)
    stmt = (
        select(EnterpriseLicence, Enterprise.name, Enterprise.credit_code, Site.division_code)
        .join(Enterprise, EnterpriseLicence.enterprise_id == Enterprise.id)
        .join(Site, Enterprise.site_id == Site.id)
        .where(
            scope_clause(actor, Site.division_code, Enterprise.id),
            Enterprise.retired_at.is_(None),
            EnterpriseLicence.expires_on <= horizon,
        )
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(EnterpriseLicence.expires_on, EnterpriseLicence.id)
        .offset(params.offset)
        .limit(params.size)
    )
    items = [
        ExpiringLicence.of(
            licence,
            licence_id=licence.id,
            enterprise_name=name,
            credit_code=credit_code,
            division_code=division_code,
            status=licence_status(licence.expires_on, today, within_days),
            days_left=(licence.expires_on - today).days,
        )
        for licence, name, credit_code, division_code in rows
    ]
    return Page(items=items, total=total, page=params.page, size=params.size)
