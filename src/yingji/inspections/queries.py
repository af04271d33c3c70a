"""Inspection reads: plans, draws (with their re-check), cases, documents, 三个强度.

Every read is scoped by the actor: cases and documents by the enterprise's division (an
enterprise officer sees only their own enterprise's), plan targets likewise, draws by the
pool's division. Records outside the scope answer NotFound, as if they did not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.accounts.models import User
from yingji.accounts.queries import department_names
from yingji.accounts.scoping import scope_clause
from yingji.core.actor import Actor
from yingji.core.clock import zone as local_zone
from yingji.core.errors import NotFound, PermissionDenied, invalid
from yingji.core.pagination import Page, PageParams
from yingji.enterprises.queries import enterprises_with_sites
from yingji.geo.queries import division_names, list_divisions
from yingji.inspections.models import (
    EnforcementDocument,
    Finding,
    InspectionCase,
    InspectionPlan,
    PlanTarget,
    RandomDraw,
)
from yingji.inspections.rules import (
    CASE_STATE_LABELS,
    DOC_TYPE_LABELS,
    PLAN_MODE_LABELS,
    RISK_TIER_LABELS,
    CaseState,
    DocType,
    Intensity,
    PlanMode,
    RiskTier,
    draw,
    rank_intensity,
)
from yingji.inspections.schemas import (
    CaseRead,
    CaseSummary,
    DocumentRead,
    DrawAssignment,
    DrawExclusion,
    DrawRead,
    DrawVerification,
    FindingRead,
    IntensityRead,
    IntensityRow,
    PlanRead,
    PlanTargetRead,
)

DOCUMENTS_URL = "/api/v1/inspection-documents"


@dataclass(frozen=True, slots=True)
class EnterpriseFacts:
    """What inspections need to know about an enterprise (one query for many)."""

    id: int
    name: str
    credit_code: str
    division_code: str
    industry_code: str
    address: str | None
    legal_representative: str | None
    has_major_hazard: bool
    produces: bool
    handles: bool
    retired: bool


def enterprise_facts(
    session: Session, ids: Iterable[int] | None = None
) -> dict[int, EnterpriseFacts]:
    """Return facts of the given enterprises (all enterprises when ``ids`` is None)."""
    out: dict[int, EnterpriseFacts] = {}
    for e, division_code, address in enterprises_with_sites(session, ids):
        out[e.id] = EnterpriseFacts(
            id=e.id,
            name=e.name,
            credit_code=e.credit_code,
            division_code=division_code,
            industry_code=e.industry_code,
            address=address,
            legal_representative=e.legal_representative,
            has_major_hazard=e.has_major_hazard,
            produces=e.produces_hazardous_chemicals,
            handles=e.stores_hazardous_chemicals
            or e.uses_hazardous_chemicals
            or e.operates_hazardous_chemicals,
            retired=e.retired_at is not None,
        )
    return out


def user_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Return {user id: display name}."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows}


# --- plans ---------------------------------------------------------------------------------------


def find_plan(session: Session, year: int) -> InspectionPlan | None:
    """Return the plan of ``year``, or None."""
    return session.scalar(select(InspectionPlan).where(InspectionPlan.year == year))


def inspections_done(
    session: Session, year: int, enterprise_ids: Iterable[int], timezone: str
) -> dict[int, int]:
    """Return how many inspections (records issued) each enterprise had in ``year``."""
    wanted = set(enterprise_ids)
    if not wanted:
        return {}
    tz = local_zone(timezone)
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    rows = session.execute(
        select(InspectionCase.enterprise_id, func.count())
        .where(
            InspectionCase.enterprise_id.in_(wanted),
            InspectionCase.inspected_at >= start,
            InspectionCase.inspected_at < end,
        )
        .group_by(InspectionCase.enterprise_id)
    )
    return {eid: int(n) for eid, n in rows}


def get_plan(session: Session, actor: Actor, year: int, *, timezone: str) -> PlanRead:
    """Return the plan of ``year`` with the targets the actor may see (NotFound: no plan)."""
    plan = find_plan(session, year)
    if plan is None:
        raise NotFound(f"{year} 年度执法计划尚未编制")
    stmt = (
        select(PlanTarget)
        .where(
            PlanTarget.plan_id == plan.id,
            scope_clause(actor, PlanTarget.division_code, PlanTarget.enterprise_id),
        )
        .order_by(PlanTarget.mode, PlanTarget.division_code, PlanTarget.enterprise_id)
    )
    targets = list(session.scalars(stmt))
    facts = enterprise_facts(session, [t.enterprise_id for t in targets])
    done = inspections_done(session, year, facts, timezone)
    reads = [
        PlanTargetRead.of(
            t,
            enterprise_name=facts[t.enterprise_id].name if t.enterprise_id in facts else "—",
            risk_tier=RiskTier(t.risk_tier),
            risk_tier_label=RISK_TIER_LABELS[RiskTier(t.risk_tier)],
            mode=PlanMode(t.mode),
            mode_label=PLAN_MODE_LABELS[PlanMode(t.mode)],
            done=done.get(t.enterprise_id, 0),
        )
        for t in targets
    ]
    return PlanRead.of(
        plan,
        key_targets=sum(1 for t in reads if t.mode is PlanMode.KEY),
        random_targets=sum(1 for t in reads if t.mode is PlanMode.RANDOM),
        planned_inspections=sum(t.frequency for t in reads),
        targets=reads,
    )


# --- draws ---------------------------------------------------------------------------------------


def _draw_row(session: Session, actor: Actor, draw_id: int) -> RandomDraw:
    row = session.scalar(
        select(RandomDraw).where(
            RandomDraw.id == draw_id, scope_clause(actor, RandomDraw.division_code)
        )
    )
    if row is None:
        raise NotFound("抽取记录不存在")
    return row


def draw_read(session: Session, row: RandomDraw) -> DrawRead:
    """Return the API view of a stored draw, with names and the cases it opened."""
    ent_ids = set(row.candidate_targets) | {int(e["enterprise_id"]) for e in row.excluded}
    facts = enterprise_facts(session, ent_ids)
    people = user_names(session, row.candidate_inspectors)
    cases = {
        k: v
        for k, v in session.execute(
            select(InspectionCase.enterprise_id, InspectionCase.id).where(
                InspectionCase.draw_id == row.id
            )
        )
    }

    def ent_name(eid: int) -> str:
        return facts[eid].name if eid in facts else f"企业{eid}"

    return DrawRead.of(
        row,
        candidate_targets=list(row.candidate_targets),
        candidate_inspectors=list(row.candidate_inspectors),
        conflicts=[list(pair) for pair in row.conflicts],
        excluded=[
            DrawExclusion(
                enterprise_id=int(e["enterprise_id"]),
                enterprise_name=ent_name(int(e["enterprise_id"])),
                inspector_id=e.get("inspector_id"),
                inspector_name=people.get(e["inspector_id"]) if e.get("inspector_id") else None,
                reason=str(e["reason"]),
            )
            for e in row.excluded
        ],
        result=[
            DrawAssignment(
                enterprise_id=int(a["enterprise_id"]),
                enterprise_name=ent_name(int(a["enterprise_id"])),
                inspector_ids=[int(i) for i in a["inspector_ids"]],
                inspector_names=[people.get(int(i), str(i)) for i in a["inspector_ids"]],
                case_id=cases.get(int(a["enterprise_id"])),
            )
            for a in row.result
        ],
    )


def get_draw(session: Session, actor: Actor, draw_id: int) -> DrawRead:
    """Return a draw the actor may see (NotFound otherwise)."""
    return draw_read(session, _draw_row(session, actor, draw_id))


def list_draws(session: Session, actor: Actor, *, year: int | None = None) -> list[DrawRead]:
    """Return the draws the actor may see, newest first."""
    stmt = select(RandomDraw).where(scope_clause(actor, RandomDraw.division_code))
    if year is not None:
        stmt = stmt.where(RandomDraw.year == year)
    rows = session.scalars(stmt.order_by(RandomDraw.drawn_at.desc(), RandomDraw.id.desc()))
    return [draw_read(session, row) for row in rows]


def verify_draw(session: Session, actor: Actor, draw_id: int) -> DrawVerification:
    """Repeat a draw from its stored seed and pools; tell whether it gives the stored result."""
    row = _draw_row(session, actor, draw_id)
    # Targets excluded from the pool before drawing (e.g. at their annual cap) stay out.
    pool_excluded = {int(e["enterprise_id"]) for e in row.excluded if e.get("stage") == "pool"}
    again = draw(
        row.seed,
        [t for t in row.candidate_targets if t not in pool_excluded],
        row.candidate_inspectors,
        count=row.target_count,
        per_target=row.per_target,
        conflicts=[(int(a), int(b)) for a, b in row.conflicts],
    )
    stored = [
        (int(a["enterprise_id"]), tuple(int(i) for i in a["inspector_ids"])) for a in row.result
    ]
    repeated = [(a.enterprise_id, a.inspector_ids) for a in again.assignments]
    return DrawVerification(draw_id=row.id, seed=row.seed, reproducible=stored == repeated)


# --- cases ---------------------------------------------------------------------------------------


def scoped_cases(actor: Actor) -> Select[tuple[InspectionCase]]:
    """Return the select of cases the actor may see."""
    return select(InspectionCase).where(
        scope_clause(actor, InspectionCase.division_code, InspectionCase.enterprise_id)
    )


def get_case_row(session: Session, actor: Actor, case_id: int) -> InspectionCase:
    """Return the case row if the actor may see it (NotFound otherwise)."""
    row = session.scalar(scoped_cases(actor).where(InspectionCase.id == case_id))
    if row is None:
        raise NotFound("执法检查案件不存在")
    return row


def finding_read(f: Finding) -> FindingRead:
    """Return the API view of a finding."""
    return FindingRead.of(f)


def document_read(d: EnforcementDocument) -> DocumentRead:
    """Return the API view of an issued document."""
    doc_type = DocType(d.doc_type)
    return DocumentRead.of(
        d,
        doc_type=doc_type,
        doc_type_label=DOC_TYPE_LABELS[doc_type],
        download_url=f"{DOCUMENTS_URL}/{d.id}/docx",
    )


def case_findings(session: Session, case_id: int) -> list[Finding]:
    """Return a case's findings in the order they were recorded."""
    return list(
        session.scalars(select(Finding).where(Finding.case_id == case_id).order_by(Finding.id))
    )


def case_read(session: Session, row: InspectionCase) -> CaseRead:
    """Return the full API view of a case (findings, documents, names)."""
    facts = enterprise_facts(session, [row.enterprise_id]).get(row.enterprise_id)
    names = user_names(session, row.inspector_ids)
    docs = session.scalars(
        select(EnforcementDocument)
        .where(EnforcementDocument.case_id == row.id)
        .order_by(EnforcementDocument.issued_at, EnforcementDocument.id)
    )
    state = CaseState(row.state)
    return CaseRead.of(
        row,
        enterprise_name=facts.name if facts else "—",
        credit_code=facts.credit_code if facts else "—",
        inspector_ids=list(row.inspector_ids),
        inspector_names=[names.get(i, str(i)) for i in row.inspector_ids],
        state=state,
        state_label=CASE_STATE_LABELS[state],
        findings=[finding_read(f) for f in case_findings(session, row.id)],
        documents=[document_read(d) for d in docs],
    )


def get_case(session: Session, actor: Actor, case_id: int) -> CaseRead:
    """Return a case the actor may see (NotFound otherwise)."""
    return case_read(session, get_case_row(session, actor, case_id))


def page_cases(
    session: Session,
    actor: Actor,
    params: PageParams,
    *,
    state: str | None = None,
    enterprise_id: int | None = None,
    draw_id: int | None = None,
) -> Page[CaseSummary]:
    """Return a page of the cases the actor may see, newest first."""
    stmt = scoped_cases(actor)
    if state:
        stmt = stmt.where(InspectionCase.state == state)
    if enterprise_id is not None:
        stmt = stmt.where(InspectionCase.enterprise_id == enterprise_id)
    if draw_id is not None:
        stmt = stmt.where(InspectionCase.draw_id == draw_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        session.scalars(
            stmt.order_by(InspectionCase.id.desc()).offset(params.offset).limit(params.size)
        )
    )
    facts = enterprise_facts(session, [r.enterprise_id for r in rows])
    counts = {
        k: v
        for k, v in session.execute(
            select(Finding.case_id, func.count())
            .where(Finding.case_id.in_([r.id for r in rows] or [0]))
            .group_by(Finding.case_id)
        )
    }
    items = [
        CaseSummary.of(
            r,
            enterprise_name=facts[r.enterprise_id].name if r.enterprise_id in facts else "—",
            state=CaseState(r.state),
            state_label=CASE_STATE_LABELS[CaseState(r.state)],
            findings=int(counts.get(r.id, 0)),
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=params.page, size=params.size)


def get_document(session: Session, actor: Actor, document_id: int) -> EnforcementDocument:
    """Return an issued document the actor may see (NotFound otherwise)."""
    row = session.scalar(
        select(EnforcementDocument).where(
            EnforcementDocument.id == document_id,
            scope_clause(
                actor, EnforcementDocument.division_code, EnforcementDocument.enterprise_id
            ),
        )
    )
    if row is None:
        raise NotFound("执法文书不存在")
    return row


# --- 三个强度 ------------------------------------------------------------------------------------


def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a local calendar month given as ``YYYY-MM``."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        tz = local_zone(timezone)
        start = datetime(year, mon, 1, tzinfo=tz)
        end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=tz)
    except ValueError:
        raise invalid("month", "月份格式应为 YYYY-MM") from None
    return start.astimezone(UTC), end.astimezone(UTC)


def _rows(
    keys: Sequence[tuple[str, str]],
    inspections: dict[str, int],
    problems: dict[str, int],
    fines: dict[str, Decimal],
) -> list[IntensityRow]:
    data = [
        Intensity(
            key, name, inspections.get(key, 0), problems.get(key, 0), fines.get(key, Decimal(0))
        )
        for key, name in keys
    ]
    return [IntensityRow.of(r.row, rank=r.rank, score=r.score) for r in rank_intensity(data)]


def intensity(
    session: Session, actor: Actor, month: str, *, district_code: str, timezone: str
) -> IntensityRead:
    """Return the month's 三个强度 per township and per department, ranked.

    An inspection counts in the month its on-site record was issued (re-inspections of the
    same case do not count again); its findings count with it; a fine counts in the month
    the penalty was decided.
    """
    if actor.enterprise_id is not None:
        raise PermissionDenied("企业用户不能查看执法统计")
    start, end = month_bounds(month, timezone)
    inspected = list(
        session.execute(
            select(
                InspectionCase.id, InspectionCase.division_code, InspectionCase.department_id
            ).where(InspectionCase.inspected_at >= start, InspectionCase.inspected_at < end)
        )
    )
    finding_counts = {
        k: v
        for k, v in session.execute(
            select(Finding.case_id, func.count())
            .where(Finding.case_id.in_([r.id for r in inspected] or [0]))
            .group_by(Finding.case_id)
        )
    }
    fined = list(
        session.execute(
            select(
                InspectionCase.division_code, InspectionCase.department_id, InspectionCase.fine_yuan
            ).where(InspectionCase.penalized_at >= start, InspectionCase.penalized_at < end)
        )
    )
    t_insp: dict[str, int] = defaultdict(int)
    t_prob: dict[str, int] = defaultdict(int)
    t_fine: dict[str, Decimal] = defaultdict(Decimal)
    d_insp: dict[str, int] = defaultdict(int)
    d_prob: dict[str, int] = defaultdict(int)
    d_fine: dict[str, Decimal] = defaultdict(Decimal)
    for case_id, division_code, department_id in inspected:
        town, dept = division_code[:9], str(department_id or 0)
        n = int(finding_counts.get(case_id, 0))
        t_insp[town] += 1
        t_prob[town] += n
        d_insp[dept] += 1
        d_prob[dept] += n
    for division_code, department_id, fine in fined:
        t_fine[division_code[:9]] += Decimal(fine or 0)
        d_fine[str(department_id or 0)] += Decimal(fine or 0)

    towns = [d.code for d in list_divisions(session, within=district_code) if len(d.code) == 9]
    town_codes = sorted(set(towns) | set(t_insp) | set(t_fine))
    names = division_names(session, town_codes)
    town_keys = [(code, names.get(code, code)) for code in town_codes]

    used_depts = {
        int(d)
        for (d,) in session.execute(
            select(InspectionCase.department_id)
            .where(InspectionCase.department_id.is_not(None))
            .distinct()
        )
    }
    dept_names = department_names(session, used_depts)
    dept_keys = [(str(i), dept_names.get(i, str(i))) for i in sorted(used_depts)]
    if "0" in d_insp or "0" in d_fine:
        dept_keys.append(("0", "区应急管理局（直接执法）"))

    total = Intensity(
        "total",
        "合计",
        sum(t_insp.values()),
        sum(t_prob.values()),
        sum(t_fine.values(), Decimal(0)),
    )
    return IntensityRead(
        month=month,
        townships=_rows(town_keys, t_insp, t_prob, t_fine),
        departments=_rows(dept_keys, d_insp, d_prob, d_fine),
        totals=IntensityRow.of(total, rank=0, score=0),
    )
