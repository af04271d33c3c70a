"""Incident rules (pure, no I/O): categories, types, accident grading, reporting duties.

Grading follows 国务院令第493号《生产安全事故报告和调查处理条例》第三条; reporting deadlines
follow its 第九条–第十一条 (unit → county within 1 hour, each level up within 2 hours, how far
up by grade); the 补报 window follows 第十三条 (30 days, 7 days for road traffic and fire).
Everything a province may tighten is data (``GradingConfig``, ``ReportingRule``) with the
national values as defaults; the deployment's overrides live in the reporting-rule table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.extensions import LabelTable
from yingji.core.statemachine import StateMachine, Transition


class IncidentCategory(StrEnum):
    """The four 突发事件 categories (突发事件应对法 第二条)."""

    NATURAL_DISASTER = "natural_disaster"
    ACCIDENT = "accident"
    PUBLIC_HEALTH = "public_health"
    SOCIAL_SECURITY = "social_security"


CATEGORY_LABELS: dict[str, str] = {
    "natural_disaster": "自然灾害",
    "accident": "事故灾难",
    "public_health": "公共卫生事件",
    "social_security": "社会安全事件",
}


@dataclass(frozen=True, slots=True)
class IncidentType:
    """One incident type of the intake list: its category and Chinese label."""

    code: str
    category: str
    label: str
    # Road traffic and fire accidents have the short 7-day 补报 window (493 第十三条).
    short_window: bool = False


INCIDENT_TYPES: tuple[IncidentType, ...] = (
    IncidentType("flood", "natural_disaster", "洪涝灾害"),
    IncidentType("geohazard", "natural_disaster", "地质灾害"),
    IncidentType("meteorological", "natural_disaster", "气象灾害"),
    IncidentType("earthquake", "natural_disaster", "地震灾害"),
    IncidentType("forest_fire", "natural_disaster", "森林火灾"),
    IncidentType("production_safety", "accident", "生产安全事故"),
    IncidentType("hazmat", "accident", "危险化学品事故"),
    IncidentType("mine", "accident", "矿山事故"),
    IncidentType("construction", "accident", "建筑施工事故"),
    IncidentType("gas", "accident", "燃气事故"),
    IncidentType("road_traffic", "accident", "道路交通事故", short_window=True),
    IncidentType("fire", "accident", "火灾事故", short_window=True),
    IncidentType("special_equipment", "accident", "特种设备事故"),
    IncidentType("other_accident", "accident", "其他事故"),
    IncidentType("infectious_disease", "public_health", "传染病疫情"),
    IncidentType("food_poisoning", "public_health", "食物中毒"),
    IncidentType("other_health", "public_health", "其他公共卫生事件"),
    IncidentType("mass_incident", "social_security", "群体性事件"),
    IncidentType("other_social", "social_security", "其他社会安全事件"),
)
TYPES_BY_CODE: dict[str, IncidentType] = {t.code: t for t in INCIDENT_TYPES}
# The type used when a source (alarm, grid report) names none we know, per category.
FALLBACK_TYPES: dict[str, str] = {
    "natural_disaster": "meteorological",
    "accident": "other_accident",
    "public_health": "other_health",
    "social_security": "other_social",
}


def type_problem(category: str, type_code: str) -> str | None:
    """Return why ``type_code`` does not fit ``category`` (Chinese), or None."""
    found = TYPES_BY_CODE.get(type_code)
    if found is None:
        return f"未知的事件类型 {type_code}"
    if found.category != category:
        return f"事件类型“{found.label}”不属于{CATEGORY_LABELS.get(category, category)}"
    return None


# --- grading ----------------------------------------------------------------------------------


class AccidentGrade(StrEnum):
    """生产安全事故等级 (国务院令第493号 第三条), lowest first."""

    ORDINARY = "ordinary"
    LARGE = "large"
    MAJOR = "major"
    EXTRAORDINARY = "extraordinary"


GRADE_LABELS: dict[str, str] = {
    "ordinary": "一般事故",
    "large": "较大事故",
    "major": "重大事故",
    "extraordinary": "特别重大事故",
}
GRADE_RANK: dict[str, int] = {g.value: i for i, g in enumerate(AccidentGrade)}


def grade_rank(grade: str | None) -> int:
    """Return the order of ``grade`` (-1 for no grade), so grades compare."""
    return GRADE_RANK.get(grade or "", -1)


@dataclass(frozen=True, slots=True)
class Casualties:
    """The counts kept separately for an incident, and its direct economic loss (万元)."""

    deaths: int = 0
    missing: int = 0
    trapped: int = 0
    serious_injuries: int = 0
    injuries: int = 0
    acute_poisoning: int = 0
    direct_loss_wan_yuan: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class GradingConfig:
    """Grade thresholds: the lower bound of 较大 / 重大 / 特别重大 for each criterion."""

    # 国务院令第493号 第三条: "以上" includes the number, "以下" excludes it.
    deaths: tuple[int, int, int] = (3, 10, 30)
    serious_injuries: tuple[int, int, int] = (10, 50, 100)
    direct_loss_wan_yuan: tuple[Decimal, Decimal, Decimal] = (
        Decimal(1000),
        Decimal(5000),
        Decimal(10000),
    )
    # 493 第三条: 重伤 includes 急性工业中毒.
    acute_poisoning_is_serious: bool = True
    # 下落不明 persons are reported separately (493 第十二条(四)) but graded with the deaths in
    # official practice: the national plans word every level "死亡（含失踪）" and investigation
    # reports grade so (山东平邑 2015-12-25 gypsum-mine collapse, 1 dead + 13 missing, 重大).
    # See shared/domain/regulations-incidents.md §1.1. The platform counts them
    # (PLATFORM_GRADING, setting YINGJI_GRADING_COUNT_MISSING, default true); this bare
    # default stays off so the text-only reading of 第三条 stays expressible.
    missing_count_as_deaths: bool = False


DEFAULT_GRADING = GradingConfig()
# What the platform grades with unless the deployment says otherwise: missing persons count.
PLATFORM_GRADING = GradingConfig(missing_count_as_deaths=True)


def grading_from_settings(settings: object) -> GradingConfig:
    """Return the platform grading with ``grading_count_missing`` applied when set."""
    count = getattr(settings, "grading_count_missing", None)
    if count is None:
        return PLATFORM_GRADING
    return GradingConfig(missing_count_as_deaths=bool(count))


@dataclass(frozen=True, slots=True)
class GradeResult:
    """The grade and the grade each criterion reached on its own."""

    grade: AccidentGrade
    by_criterion: Mapping[str, AccidentGrade]


def _band(value: Decimal, bounds: Sequence[Decimal | int]) -> AccidentGrade:
    grades = list(AccidentGrade)
    reached = AccidentGrade.ORDINARY
    for bound, grade in zip(bounds, grades[1:], strict=True):
        if value >= Decimal(bound):  # "以上" is inclusive
            reached = grade
    return reached


def grade_accident(c: Casualties, config: GradingConfig = DEFAULT_GRADING) -> GradeResult:
    """Grade a production-safety accident: the highest grade any criterion reaches."""
    # 国务院令第493号 第三条 — the criteria are joined by "或者", so any one suffices.
    deaths = c.deaths + (c.missing if config.missing_count_as_deaths else 0)
    serious = c.serious_injuries + (c.acute_poisoning if config.acute_poisoning_is_serious else 0)
    by = {
        "deaths": _band(Decimal(deaths), config.deaths),
        "serious_injuries": _band(Decimal(serious), config.serious_injuries),
        "direct_loss_wan_yuan": _band(Decimal(c.direct_loss_wan_yuan), config.direct_loss_wan_yuan),
    }
    top = max(by.values(), key=lambda g: GRADE_RANK[g.value])
    return GradeResult(top, by)


def graded_by_493(category: str) -> bool:
    """Tell whether incidents of ``category`` are graded by 493 (事故灾难 only)."""
    return category == IncidentCategory.ACCIDENT


# --- the 补报 window ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplementConfig:
    """How long casualty changes must be reported (补报) and re-grade the accident."""

    # 国务院令第493号 第十三条: 30 days; road traffic and fire accidents 7 days.
    window_days: int = 30
    short_window_days: int = 7
    # 安监总局令第21号: casualty changes are reported the same day (secondary source ☑️).
    report_within_hours: int = 24


DEFAULT_SUPPLEMENT = SupplementConfig()


def supplement_window(type_code: str, config: SupplementConfig = DEFAULT_SUPPLEMENT) -> timedelta:
    """Return how long after the incident a casualty change must be 补报."""
    found = TYPES_BY_CODE.get(type_code)
    days = config.short_window_days if found and found.short_window else config.window_days
    return timedelta(days=days)


def within_supplement_window(
    type_code: str,
    occurred_at: datetime,
    now: datetime,
    config: SupplementConfig = DEFAULT_SUPPLEMENT,
) -> bool:
    """Tell whether a casualty change at ``now`` falls inside the 补报 window."""
    return now - occurred_at <= supplement_window(type_code, config)


def casualties_changed(before: Casualties, after: Casualties) -> bool:
    """Tell whether any person count changed (the loss alone is no casualty change)."""
    keys = ("deaths", "missing", "trapped", "serious_injuries", "injuries", "acute_poisoning")
    return any(getattr(before, k) != getattr(after, k) for k in keys)


# --- reporting duties --------------------------------------------------------------------------


class Anchor(StrEnum):
    """The moment a reporting deadline counts from."""

    OCCURRED = "occurred"  # the incident itself
    RECEIVED = "received"  # when the bureau received the report (or learnt of a new grade)


@dataclass(frozen=True, slots=True)
class ReportingRule:
    """One reporting duty: who reports to whom, for which grades, within how long."""

    key: str
    label: str
    reports_to: str
    minutes: int
    anchor: Anchor = Anchor.RECEIVED
    # The lowest grade the duty applies to (None: every incident, graded or not).
    min_grade: str | None = None
    # Categories it applies to (empty: all).
    categories: tuple[str, ...] = ()
    # Whether the bureau itself owes it: only those are reminded and escalated.
    remind: bool = True
    remind_before_minutes: int = 30
    active: bool = True
    citation: str = ""


# 国务院令第493号 第九条、第十条、第十一条: the unit reports within 1 hour; each level up within
# 2 hours; 一般 up to the city, 较大 to the province, 重大/特别重大 to the State Council.
NATIONAL_RULES: tuple[ReportingRule, ...] = (
    ReportingRule(
        key="unit_report",
        label="事故单位报告县级应急管理部门",
        reports_to="区应急管理局",
        minutes=60,
        anchor=Anchor.OCCURRED,
        categories=("accident",),
        remind=False,
        citation="国务院令第493号 第九条",
    ),
    ReportingRule(
        key="district_report",
        label="区应急管理局上报市级",
        reports_to="市应急管理局",
        minutes=120,
        remind_before_minutes=30,
        # Natural disasters: the county's 初报 to the city is due within 2 hours as well
        # (《自然灾害情况统计调查制度》, secondary source).
        citation="国务院令第493号 第十条、第十一条；自然灾害情况统计调查制度",
    ),
    ReportingRule(
        key="city_report",
        label="市级上报省级",
        reports_to="省级应急管理部门",
        minutes=240,
        min_grade="large",
        remind=False,
        citation="国务院令第493号 第十条、第十一条",
    ),
    ReportingRule(
        key="province_report",
        label="省级上报国务院应急管理部门",
        reports_to="国务院应急管理部门",
        minutes=360,
        min_grade="major",
        remind=False,
        citation="国务院令第493号 第十条、第十一条",
    ),
)


def effective_rules(overrides: Iterable[ReportingRule]) -> list[ReportingRule]:
    """Return the national rules with the deployment's overrides (same key) and additions."""
    merged: dict[str, ReportingRule] = {r.key: r for r in NATIONAL_RULES}
    for rule in overrides:
        merged[rule.key] = rule
    return [r for r in merged.values() if r.active]


def rule_applies(rule: ReportingRule, category: str, grade: str | None) -> bool:
    """Tell whether ``rule`` binds an incident of ``category`` with ``grade``."""
    if rule.categories and category not in rule.categories:
        return False
    if rule.min_grade is None:
        return True
    return grade_rank(grade) >= grade_rank(rule.min_grade)


def due_at(rule: ReportingRule, occurred_at: datetime, received_at: datetime) -> datetime:
    """Return when the duty falls due."""
    start = occurred_at if rule.anchor is Anchor.OCCURRED else received_at
    return start + timedelta(minutes=rule.minutes)


def remind_at(rule: ReportingRule, due: datetime) -> datetime:
    """Return when the reminder for a duty is sent (never before it is half gone)."""
    lead = min(rule.remind_before_minutes, rule.minutes // 2)
    return due - timedelta(minutes=lead)


class DeadlineState(StrEnum):
    """Where a reporting deadline stands."""

    PENDING = "pending"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"


DEADLINE_STATE_LABELS: dict[str, str] = {
    "pending": "未到期",
    "due_soon": "即将到期",
    "overdue": "已超时",
    "met": "已按时报告",
    "met_late": "迟报",
}


def deadline_state(
    due: datetime, remind: datetime, met_at: datetime | None, now: datetime
) -> DeadlineState:
    """Return the state of a deadline at ``now``."""
    if met_at is not None:
        return DeadlineState.MET if met_at <= due else DeadlineState.MET_LATE
    if now > due:
        return DeadlineState.OVERDUE
    if now >= remind:
        return DeadlineState.DUE_SOON
    return DeadlineState.PENDING


# --- incident, report and task states ----------------------------------------------------------

STATUS_LABELS: dict[str, str] = {"open": "处置中", "closed": "已结案"}
INCIDENT_ACTION_LABELS: dict[str, str] = {"close": "结案", "reopen": "重新打开"}
# The incident's own refusals, one per action (the wording the API has always answered).
_INCIDENT_REFUSALS: dict[str, str] = {"close": "事件已结案", "reopen": "事件未结案，无需重新打开"}


def _incident_refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The incident's own 409 (same wording as before the shared machine)."""
    fallback = f"事件当前为“{STATUS_LABELS.get(state, state)}”，不能{action}"
    return Conflict(_INCIDENT_REFUSALS.get(action, fallback))


INCIDENT_MACHINE = StateMachine(
    name="incident",
    title_zh="突发事件",
    states=("open", "closed"),
    transitions=(
        Transition("open", "close", "closed"),
        Transition("closed", "reopen", "open"),
    ),
    state_labels=STATUS_LABELS,
    action_labels=INCIDENT_ACTION_LABELS,
    error=_incident_refusal,
)


class ReportKind(StrEnum):
    """Written reports of an incident (初报 / 续报 / 核报 / 补报)."""

    FIRST = "first"
    FOLLOW_UP = "follow_up"
    FINAL = "final"
    SUPPLEMENTARY = "supplementary"


REPORT_KIND_LABELS: dict[str, str] = {
    "first": "初报",
    "follow_up": "续报",
    "final": "核报",
    "supplementary": "补报",
}
REPORT_STATUS_LABELS: dict[str, str] = {"draft": "待签发", "signed": "已签发", "sent": "已报送"}
REPORT_ACTION_LABELS: dict[str, str] = {"sign": "签发", "send": "报送"}


def _report_refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The report's own 409 (same wording as before the shared machine)."""
    if action == "send":
        return Conflict("报告须先签发再报送" if state == "draft" else "报告已报送")
    return Conflict("报告不是待签发状态")


# A report is drafted, signed off (签发) by another authorised user, then sent.
REPORT_MACHINE = StateMachine(
    name="incident_report",
    title_zh="事件报告",
    states=("draft", "signed", "sent"),
    transitions=(
        Transition("draft", "sign", "signed"),
        Transition("signed", "send", "sent"),
    ),
    state_labels=REPORT_STATUS_LABELS,
    action_labels=REPORT_ACTION_LABELS,
    error=_report_refusal,
)


class TaskKind(StrEnum):
    """Tasks the reporting rules create."""

    SUPPLEMENTARY_REPORT = "supplementary_report"
    ESCALATION = "escalation"


TASK_KIND_LABELS: dict[str, str] = {
    "supplementary_report": "补报",
    "escalation": "升级上报",
}
TASK_STATUS_LABELS: dict[str, str] = {"open": "待办", "done": "已办结"}


def _task_refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The task's own 409 (same wording as before the shared machine)."""
    return Conflict("任务已办结")


TASK_MACHINE = StateMachine(
    name="incident_task",
    title_zh="事件任务",
    states=("open", "done"),
    transitions=(Transition("open", "complete", "done"),),
    state_labels=TASK_STATUS_LABELS,
    action_labels={"complete": "办结"},
    error=_task_refusal,
)


# Article 12 of 493: what a report must contain, in order (headings of the document).
REPORT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("unit_overview", "一、事故发生单位概况"),
    ("time_place_scene", "二、事故发生的时间、地点以及事故现场情况"),
    ("sequence", "三、事故的简要经过"),
    (
        "casualties_and_loss",
        "四、事故已经造成或者可能造成的伤亡人数（包括下落不明的人数）和初步估计的直接经济损失",
    ),
    ("measures_taken", "五、已经采取的措施"),
    ("other_matters", "六、其他应当报告的情况"),
)


@dataclass(frozen=True, slots=True)
class IntakeDefaults:
    """Roles allowed to act on incidents (kept here so pages and service agree)."""

    writers: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"admin", "bureau_staff", "duty_officer", "township_officer", "department_officer"}
        )
    )
    reporters: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {
                "admin",
                "bureau_staff",
                "duty_officer",
                "township_officer",
                "department_officer",
                "enterprise_officer",
            }
        )
    )
    # 签发: the bureau's leaders and staff with that authority (not the author).
    signers: frozenset[str] = field(default_factory=lambda: frozenset({"admin", "bureau_staff"}))
    rule_editors: frozenset[str] = field(default_factory=lambda: frozenset({"admin"}))


ROLES = IntakeDefaults()


#: The display layer's labels for incident codes (contributed by the manifest).
LABELS: tuple[LabelTable, ...] = (
    LabelTable("incident_type", {t.code: t.label for t in INCIDENT_TYPES}),
    LabelTable("incident_category", CATEGORY_LABELS),
    LabelTable("incident_grade", GRADE_LABELS),
    LabelTable("incident_status", STATUS_LABELS),
)


#: External-reference prefixes only the platform's own handlers use (``alarm:<id>`` from a
#: promoted alarm, ``grid:<id>`` from a grid report); clients may not claim them.
RESERVED_REF_PREFIXES: tuple[str, ...] = ("alarm:", "grid:", "cap:", "system:")


def reserved_ref(external_ref: str) -> bool:
    """Tell whether ``external_ref`` uses a prefix reserved for the platform's handlers."""
    return external_ref.strip().lower().startswith(RESERVED_REF_PREFIXES)
