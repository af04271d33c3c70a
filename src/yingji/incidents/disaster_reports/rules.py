"""Disaster-report rules (pure): the statistics fields, their checks, sequence and deadlines.

Source: 《自然灾害情况统计调查制度》(应急〔2020〕19号), regulations-incidents.md §4. The statistical
unit is the township (乡镇/街道); one disaster process has one 初报, any number of 续报 and one
核报 per township (§4.1). Field names and units follow the 报灾系统 export (§4.3).

Deadlines (§4.2): the 初报 is due within 2 hours of the disaster (☑️); 续报 follow daily
before stabilisation (救助条例 Art. 17 ✅; the "every 7 days" variant was not found ⚠️) and at
least every 10 days for drought (☑️). Both are ``ReportingConfig`` values with these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class ReportKind(StrEnum):
    """初报 / 续报 / 核报 (glossary: initial / update / verified)."""

    INITIAL = "initial"
    UPDATE = "update"
    VERIFIED = "verified"


KIND_LABELS = {"initial": "初报", "update": "续报", "verified": "核报"}


class HazardType(StrEnum):
    """Top-level hazard types of the statistics system (§4.1)."""

    FLOOD = "flood"
    DROUGHT = "drought"
    TYPHOON = "typhoon"
    WIND_HAIL = "wind_hail"
    LOW_TEMPERATURE = "low_temperature"
    SNOW = "snow"
    SAND_DUST = "sand_dust"
    EARTHQUAKE = "earthquake"
    GEOLOGICAL = "geological"
    STORM_SURGE = "storm_surge"
    FOREST_FIRE = "forest_fire"
    BIOLOGICAL = "biological"


HAZARD_LABELS = {
    "flood": "洪涝",
    "drought": "干旱",
    "typhoon": "台风",
    "wind_hail": "风雹",
    "low_temperature": "低温冷冻",
    "snow": "雪灾",
    "sand_dust": "沙尘暴",
    "earthquake": "地震",
    "geological": "地质灾害（崩塌、滑坡、泥石流）",
    "storm_surge": "风暴潮",
    "forest_fire": "森林草原火灾",
    "biological": "生物灾害",
}


@dataclass(frozen=True, slots=True)
class StatField:
    """One statistics field: code name, Chinese label, unit, integer or decimal, cumulative."""

    name: str
    label: str
    unit: str
    integer: bool = True
    # A cumulative (累计) figure only grows between reports unless corrected with a reason;
    # a real-time (实时) figure such as people still in shelters may go down.
    cumulative: bool = True


# The core field set of §4.3, in the order of the upstream export.
FIELDS: tuple[StatField, ...] = (
    StatField("affected_population", "受灾人口", "人"),
    StatField("deaths", "因灾死亡人口", "人"),
    StatField("missing", "因灾失踪人口", "人"),
    StatField("injured", "因灾受伤人口", "人"),
    StatField("seriously_injured", "其中重伤", "人"),
    StatField("avoidance_transferred", "紧急避险转移人口", "人"),
    StatField("relocated", "紧急转移安置人口（累计）", "人"),
    StatField("relocated_now", "紧急转移安置人口（实时）", "人", cumulative=False),
    StatField("relocated_centralised", "其中集中安置", "人"),
    StatField("relocated_dispersed", "其中分散安置", "人"),
    StatField("relocation_sites", "集中安置点数量", "个", cumulative=False),
    StatField("needing_relief", "需紧急生活救助人口", "人"),
    StatField("houses_collapsed_rooms", "倒塌房屋", "间"),
    StatField("houses_collapsed_households", "倒塌住房", "户"),
    StatField("houses_severe_rooms", "严重损坏房屋", "间"),
    StatField("houses_general_rooms", "一般损坏房屋", "间"),
    StatField("crop_affected_ha", "农作物受灾面积", "公顷", integer=False),
    StatField("crop_damaged_ha", "农作物成灾面积", "公顷", integer=False),
    StatField("crop_failed_ha", "农作物绝收面积", "公顷", integer=False),
    StatField("livestock_dead", "因灾死亡牲畜", "头只"),
    StatField("roads_damaged_km", "受损公路", "千米", integer=False),
    StatField("power_lines_damaged_km", "受损电力线路", "千米", integer=False),
    StatField("direct_loss_wan_yuan", "直接经济损失", "万元", integer=False),
    StatField("loss_housing_wan_yuan", "其中住房及居民家庭财产", "万元", integer=False),
    StatField("loss_agriculture_wan_yuan", "其中农林牧渔业", "万元", integer=False),
    StatField("loss_industry_wan_yuan", "其中工矿商贸业", "万元", integer=False),
    StatField("loss_infrastructure_wan_yuan", "其中基础设施", "万元", integer=False),
    StatField("loss_public_services_wan_yuan", "其中公共服务", "万元", integer=False),
    StatField("loss_other_wan_yuan", "其中其他", "万元", integer=False),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
LOSS_PARTS = tuple(f.name for f in FIELDS if f.name.startswith("loss_"))


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: the field it is reported on and the reason (Chinese)."""

    field: str
    reason: str


def _num(figures: dict[str, Decimal], name: str) -> Decimal:
    return figures.get(name, Decimal(0))


# (smaller, larger, reason): "smaller" may never exceed "larger" (§4.3 definitions).
_NOT_MORE_THAN: tuple[tuple[str, str, str], ...] = (
    ("deaths", "affected_population", "因灾死亡人口不能超过受灾人口"),
    ("missing", "affected_population", "因灾失踪人口不能超过受灾人口"),
    ("injured", "affected_population", "因灾受伤人口不能超过受灾人口"),
    ("seriously_injured", "injured", "重伤人口不能超过受伤人口"),
    ("relocated", "affected_population", "紧急转移安置人口不能超过受灾人口"),
    ("relocated_now", "relocated", "实时安置人口不能超过累计安置人口"),
    ("needing_relief", "affected_population", "需紧急生活救助人口不能超过受灾人口"),
    # 受灾 ⊇ 成灾 ⊇ 绝收 (yield loss ≥ 10 % / 30 % / 80 %).
    ("crop_failed_ha", "crop_damaged_ha", "绝收面积不能超过成灾面积"),
    ("crop_damaged_ha", "crop_affected_ha", "成灾面积不能超过受灾面积"),
)


def check_figures(figures: dict[str, Decimal]) -> list[Problem]:
    """Return every rule the figures of one report break (empty when consistent)."""
    problems: list[Problem] = []
    for name, value in figures.items():
        spec = FIELD_BY_NAME.get(name)
        if spec is None:
            problems.append(Problem(name, "不是灾情统计指标"))
            continue
        if value < 0:
            problems.append(Problem(name, f"{spec.label}不能为负数"))
        elif spec.integer and value != value.to_integral_value():
            problems.append(Problem(name, f"{spec.label}应为整数（{spec.unit}）"))
    for smaller, larger, reason in _NOT_MORE_THAN:
        if smaller in figures and _num(figures, smaller) > _num(figures, larger):
            problems.append(Problem(smaller, reason))
    parts = _num(figures, "relocated_centralised") + _num(figures, "relocated_dispersed")
    if parts > _num(figures, "relocated"):
        problems.append(
            Problem("relocated_centralised", "集中安置与分散安置之和不能超过紧急转移安置人口")
        )
    loss_parts = sum((_num(figures, name) for name in LOSS_PARTS), Decimal(0))
    if loss_parts > _num(figures, "direct_loss_wan_yuan"):
        problems.append(Problem("direct_loss_wan_yuan", "各分项经济损失之和不能超过直接经济损失"))
    return problems


def check_against_previous(
    figures: dict[str, Decimal], previous: dict[str, Decimal], correction_reason: str | None
) -> list[Problem]:
    """Return the cumulative figures that went down since the last report without a reason."""
    if correction_reason and correction_reason.strip():
        return []
    problems: list[Problem] = []
    for spec in FIELDS:
        if not spec.cumulative or spec.name not in previous:
            continue
        now = figures.get(spec.name, Decimal(0))
        if now < previous[spec.name]:
            problems.append(
                Problem(
                    spec.name,
                    f"{spec.label}为累计值，不能小于上次报送的 {previous[spec.name]}"
                    f"{spec.unit}；如需更正请填写更正原因",
                )
            )
    return problems


def next_kind_problem(kind: ReportKind, existing: list[ReportKind]) -> str | None:
    """Return why ``kind`` cannot follow the township's ``existing`` reports, or None.

    One disaster process = one 初报 + several 续报 + one 核报 (§4.1).
    """
    if ReportKind.VERIFIED in existing:
        return "本乡镇已报送核报，不能再报送"
    if kind is ReportKind.INITIAL and ReportKind.INITIAL in existing:
        return "本乡镇已报送初报，请报送续报"
    if kind is not ReportKind.INITIAL and ReportKind.INITIAL not in existing:
        return "请先报送初报"
    return None


@dataclass(frozen=True, slots=True)
class ReportingConfig:
    """Deadlines of the statistics system; provinces may tighten them."""

    initial_within: timedelta = timedelta(hours=2)
    update_every: timedelta = timedelta(days=1)
    drought_update_every: timedelta = timedelta(days=10)


@dataclass(frozen=True, slots=True)
class Due:
    """The next report a township owes and when."""

    kind: ReportKind
    due_at: datetime


def next_due(
    started_at: datetime,
    hazard_type: str,
    reports: list[tuple[ReportKind, datetime]],
    *,
    stabilised: bool,
    config: ReportingConfig | None = None,
) -> Due | None:
    """Return the township's next report duty (None after its 核报).

    ``reports`` are (kind, reported_at) in order. After stabilisation only the 核报 is owed;
    its deadline varies by province (§4.2 ⚠️), so it is shown without a due time check here:
    the due time given is the stabilisation moment plus one update period.
    """
    config = config or ReportingConfig()
    kinds = [kind for kind, _ in reports]
    if ReportKind.VERIFIED in kinds:
        return None
    if ReportKind.INITIAL not in kinds:
        return Due(ReportKind.INITIAL, started_at + config.initial_within)
    every = config.drought_update_every if hazard_type == "drought" else config.update_every
    last = max(at for _, at in reports)
    if stabilised:
        return Due(ReportKind.VERIFIED, last + every)
    return Due(ReportKind.UPDATE, last + every)


def sum_figures(rows: list[dict[str, Decimal]]) -> dict[str, Decimal]:
    """Return the field-by-field totals of several townships' latest figures."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        for name, value in row.items():
            totals[name] = totals.get(name, Decimal(0)) + value
    return totals
