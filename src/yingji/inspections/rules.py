"""Law-enforcement inspection rules (pure, no I/O): plan tiers, the 双随机 draw, the case state
machine, document numbers and the monthly 三个强度 ranking.

Sources (see shared/domain/regulations-safety.md §4): 国办发〔2015〕58号 "双随机、一公开" (random
targets and officers, results published); 安全生产法 (2021) 第六十五条/第六十七条 (on-site check by
at least two officers, the record signed); 行政处罚法 (2021) 第五十五条 (≥ 2 officers). Numbers
the reference marks M (frequencies, caps, the document short names, the ranking method) are
configuration (``InspectionConfig``) with the defaults below.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.statemachine import StateMachine, Transition
from yingji.settings import DEFAULT_TIMEZONE

# --- configuration --------------------------------------------------------------------------


class DocType(StrEnum):
    """The enforcement documents (安全生产执法文书) this domain issues."""

    INSPECTION_RECORD = "inspection_record"  # 现场检查记录
    RECTIFICATION_ORDER = "rectification_order"  # 责令限期整改指令书
    REINSPECTION_OPINION = "reinspection_opinion"  # 整改复查意见书
    PENALTY_DECISION = "penalty_decision"  # 行政处罚决定书


DOC_TYPE_LABELS: dict[DocType, str] = {
    DocType.INSPECTION_RECORD: "现场检查记录",
    DocType.RECTIFICATION_ORDER: "责令限期整改指令书",
    DocType.REINSPECTION_OPINION: "整改复查意见书",
    DocType.PENALTY_DECISION: "行政处罚决定书",
}


class RiskTier(StrEnum):
    """How closely an enterprise is supervised in the annual plan."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


RISK_TIER_LABELS: dict[RiskTier, str] = {
    RiskTier.HIGH: "高风险",
    RiskTier.MEDIUM: "较高风险",
    RiskTier.LOW: "一般风险",
}


class PlanMode(StrEnum):
    """重点检查 (named key enterprises) or 双随机 (drawn from the pool)."""

    KEY = "key"
    RANDOM = "random"


PLAN_MODE_LABELS: dict[PlanMode, str] = {PlanMode.KEY: "重点检查", PlanMode.RANDOM: "双随机抽查"}
# How a case came about: the plan's two modes, a complaint (举报核查) or a special campaign.
CASE_MODE_LABELS: dict[str, str] = {
    "key": "重点检查",
    "random": "双随机抽查",
    "complaint": "举报核查",
    "special": "专项检查",
}


@dataclass(frozen=True, slots=True)
class TierPolicy:
    """Plan mode, planned inspections per year and the annual cap for one risk tier."""

    mode: PlanMode
    frequency: int
    cap: int


@dataclass(frozen=True)
class InspectionConfig:
    """Deployment settings of the inspection domain (national/common defaults).

    ``doc_prefix`` is the district's short name in document numbers (荣昌区 → "荣"); the short
    names of the document types are the common practice, not a confirmed national list (M).
    Frequencies and caps follow published district plans (e.g. Longyan 2025: 1 per year, cap 2,
    C); high-risk enterprises are key inspections. All are to be confirmed by the bureau.
    """

    doc_prefix: str = "荣"
    authority: str = "重庆市荣昌区应急管理局"
    timezone: str = DEFAULT_TIMEZONE
    doc_short_names: Mapping[str, str] = field(
        default_factory=lambda: {
            DocType.INSPECTION_RECORD: "检记",
            DocType.RECTIFICATION_ORDER: "责改",
            DocType.REINSPECTION_OPINION: "复查",
            DocType.PENALTY_DECISION: "罚",
        }
    )
    tiers: Mapping[str, TierPolicy] = field(
        default_factory=lambda: {
            RiskTier.HIGH: TierPolicy(PlanMode.KEY, 2, 4),
            RiskTier.MEDIUM: TierPolicy(PlanMode.RANDOM, 1, 2),
            RiskTier.LOW: TierPolicy(PlanMode.RANDOM, 1, 2),
        }
    )
    # 安全生产法 第六十七条 / 行政处罚法 第五十五条: at least two officers on site.
    inspectors_per_target: int = 2
    # 15号令 practice: re-inspection within 10 days after the deadline (M).
    reinspection_days: int = 10


DEFAULT_CONFIG = InspectionConfig()


def document_number(config: InspectionConfig, doc_type: str, year: int, serial: int) -> str:
    """Return the document number, e.g. ``荣应急责改〔2026〕3号``."""
    short = config.doc_short_names[doc_type]
    return f"{config.doc_prefix}应急{short}〔{year}〕{serial}号"


def risk_tier(
    *,
    has_major_hazard: bool,
    produces_hazardous_chemicals: bool,
    handles_hazardous_chemicals: bool,
    worst_risk_level: str | None,
) -> RiskTier:
    """Return an enterprise's supervision tier from its hazards and its worst risk point."""
    # 应急〔2018〕19号 practice: red/orange (重大/较大) enterprises are inspected more often.
    if has_major_hazard or produces_hazardous_chemicals or worst_risk_level == "major":
        return RiskTier.HIGH
    if handles_hazardous_chemicals or worst_risk_level == "significant":
        return RiskTier.MEDIUM
    return RiskTier.LOW


# --- the 双随机 draw -------------------------------------------------------------------------

DRAW_ALGORITHM = "sha256-mt19937-v1"


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A candidate left out of the draw and why (``inspector_id`` None: the whole target)."""

    enterprise_id: int
    inspector_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """One drawn target and the officers drawn for it."""

    enterprise_id: int
    inspector_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DrawResult:
    """What a draw produced; with the same inputs it is always the same."""

    assignments: tuple[Assignment, ...]
    exclusions: tuple[Exclusion, ...]


def _rng(seed: str) -> random.Random:
    # A fixed digest of the published seed, so anyone can repeat the draw with any tool that
    # has Mersenne Twister (Python's random with an int seed is stable across versions).
    # Not a security use: the draw must be repeatable by anyone from the published seed.
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311


def draw(
    seed: str,
    targets: Iterable[int],
    inspectors: Iterable[int],
    *,
    count: int,
    per_target: int,
    conflicts: Iterable[tuple[int, int]] = (),
) -> DrawResult:
    """Draw ``count`` targets and ``per_target`` officers each, excluding conflicts.

    ``conflicts`` holds (inspector id, enterprise id) pairs that must never meet (回避). The
    inputs are sorted first, so the order callers list them in does not change the result.
    A drawn target without enough eligible officers is excluded and the next one drawn.
    """
    pool = sorted(set(targets))
    officers = sorted(set(inspectors))
    conflict_set = set(conflicts)
    rng = _rng(seed)
    order = rng.sample(pool, len(pool))
    load = dict.fromkeys(officers, 0)
    assignments: list[Assignment] = []
    exclusions: list[Exclusion] = []
    for enterprise_id in order:
        if len(assignments) >= count:
            break
        eligible = []
        for officer in officers:
            if (officer, enterprise_id) in conflict_set:
                exclusions.append(Exclusion(enterprise_id, officer, "存在利害关系，回避"))
            else:
                eligible.append(officer)
        if len(eligible) < per_target:
            exclusions.append(Exclusion(enterprise_id, None, "可派执法人员不足"))
            continue
        shuffled = rng.sample(eligible, len(eligible))
        # Stable sort by load: random among equals, but nobody is sent twice while others wait.
        shuffled.sort(key=lambda officer: load[officer])
        chosen = tuple(sorted(shuffled[:per_target]))
        for officer in chosen:
            load[officer] += 1
        assignments.append(Assignment(enterprise_id, chosen))
    return DrawResult(tuple(assignments), tuple(exclusions))


# --- the case state machine -------------------------------------------------------------------


class CaseState(StrEnum):
    """States of an inspection case (检查 → 记录 → 责改 → 复查 → 结案 / 处罚)."""

    PLANNED = "planned"  # drawn or scheduled, not yet on site
    RECORDED = "recorded"  # 现场检查记录 issued
    ORDERED = "ordered"  # 责令限期整改指令书 issued
    UNRECTIFIED = "unrectified"  # re-inspection found the order not carried out
    PENALIZED = "penalized"  # 行政处罚决定书 issued
    CLOSED = "closed"  # 结案


CASE_STATE_LABELS: dict[CaseState, str] = {
    CaseState.PLANNED: "待检查",
    CaseState.RECORDED: "已检查",
    CaseState.ORDERED: "限期整改中",
    CaseState.UNRECTIFIED: "逾期未整改",
    CaseState.PENALIZED: "已处罚",
    CaseState.CLOSED: "已结案",
}


class CaseAction(StrEnum):
    """What can be done to a case."""

    RECORD = "record"
    ORDER = "order"
    REINSPECT_PASS = "reinspect_pass"  # noqa: S105 (an action name, not a secret)
    REINSPECT_FAIL = "reinspect_fail"
    PENALIZE = "penalize"
    CLOSE = "close"


ACTION_LABELS: dict[CaseAction, str] = {
    CaseAction.RECORD: "出具现场检查记录",
    CaseAction.ORDER: "下达责令限期整改指令书",
    CaseAction.REINSPECT_PASS: "复查合格",
    CaseAction.REINSPECT_FAIL: "复查不合格",
    CaseAction.PENALIZE: "作出行政处罚决定",
    CaseAction.CLOSE: "结案",
}


def _refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The case's own 409 (same wording and code as before the shared machine)."""
    return Conflict(transition_refusal(state, action), code="illegal_transition")


Cs, Ca = CaseState, CaseAction
# 安全生产执法程序: 检查诊断 → 责令整改 → 整改复查 ("三部曲", 荣昌规划 四(四)3); an order not
# carried out goes to a penalty case (安全生产法 第一百零二条).
MACHINE = StateMachine(
    name="inspection_case",
    title_zh="执法案件",
    states=tuple(CaseState),
    transitions=(
        Transition(Cs.PLANNED, Ca.RECORD, Cs.RECORDED),
        Transition(Cs.RECORDED, Ca.ORDER, Cs.ORDERED),
        Transition(Cs.RECORDED, Ca.CLOSE, Cs.CLOSED),
        Transition(Cs.RECORDED, Ca.PENALIZE, Cs.PENALIZED),
        Transition(Cs.ORDERED, Ca.REINSPECT_PASS, Cs.CLOSED),
        Transition(Cs.ORDERED, Ca.REINSPECT_FAIL, Cs.UNRECTIFIED),
        Transition(Cs.ORDERED, Ca.PENALIZE, Cs.PENALIZED),
        Transition(Cs.UNRECTIFIED, Ca.PENALIZE, Cs.PENALIZED),
        Transition(Cs.UNRECTIFIED, Ca.ORDER, Cs.ORDERED),
        Transition(Cs.PENALIZED, Ca.CLOSE, Cs.CLOSED),
    ),
    state_labels={str(k): v for k, v in CASE_STATE_LABELS.items()},
    action_labels={str(k): v for k, v in ACTION_LABELS.items()},
    error=_refusal,
)
# Typed view of the table for callers that index it by enum pair.
CASE_TRANSITIONS: dict[tuple[CaseState, CaseAction], CaseState] = {
    (CaseState(t.state), CaseAction(t.action)): CaseState(t.next_state) for t in MACHINE.transitions
}


def next_state(state: str, action: str) -> CaseState | None:
    """Return the state ``action`` leads to from ``state``, or None when not allowed."""
    row = MACHINE.find(state, action)
    return None if row is None else CaseState(row.next_state)


def transition_refusal(state: str, action: str) -> str:
    """Return the Chinese reason an action is refused in a state."""
    state_label = CASE_STATE_LABELS.get(CaseState(state), state)
    action_label = ACTION_LABELS.get(CaseAction(action), action)
    return f"案件{state_label}，不能{action_label}"


# --- 三个强度 --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Intensity:
    """One unit's monthly enforcement intensity (执法检查 / 问题查找 / 经济处罚)."""

    key: str
    name: str
    inspections: int
    problems: int
    fines_yuan: Decimal

    @property
    def fines_wan(self) -> Decimal:
        """Return the fines in 万元 (two decimals, as the bureau publishes them)."""
        return (self.fines_yuan / Decimal(10000)).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class Ranked:
    """A unit's place in the monthly ranking, with its rank on each measure."""

    rank: int
    score: int
    row: Intensity
    ranks: tuple[int, int, int]


def _competition_ranks(values: Sequence[Decimal]) -> list[int]:
    # "1224" ranking: equal values share a rank, the next rank skips.
    return [1 + sum(1 for other in values if other > value) for value in values]


def rank_intensity(rows: Sequence[Intensity]) -> list[Ranked]:
    """Rank units by the sum of their ranks on the three measures (lower is better).

    The bureau's own weighting is not published in the sources (荣安办发〔2023〕27号 only says
    it ranks monthly); equal weight of the three ranks is the neutral choice. Ties keep the
    same rank; units are then listed by name key for a stable order.
    """
    if not rows:
        return []
    r1 = _competition_ranks([Decimal(r.inspections) for r in rows])
    r2 = _competition_ranks([Decimal(r.problems) for r in rows])
    r3 = _competition_ranks([r.fines_yuan for r in rows])
    scores = [a + b + c for a, b, c in zip(r1, r2, r3, strict=True)]
    overall = _competition_ranks([Decimal(-s) for s in scores])
    out = [Ranked(overall[i], scores[i], rows[i], (r1[i], r2[i], r3[i])) for i in range(len(rows))]
    out.sort(key=lambda r: (r.rank, r.row.key))
    return out


# --- who may do what ----------------------------------------------------------------------------

# The annual plan is the bureau's (安监总政法〔2017〕150号, M).
PLAN_WRITERS = frozenset({"admin", "bureau_staff"})
# Draws: the bureau for the district, a township for its own pool (镇街委托执法).
DRAW_WRITERS = frozenset({"admin", "bureau_staff", "township_officer"})
# Cases and documents: the officers who enforce (综合行政执法, 行业部门, 镇街).
CASE_WRITERS = frozenset(
    {"admin", "bureau_staff", "inspector", "township_officer", "department_officer"}
)
# Roles whose users can be drawn as officers (执法人员库).
INSPECTOR_ROLES = frozenset({"inspector"})
