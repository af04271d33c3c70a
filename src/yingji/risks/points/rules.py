"""Risk grading rules (pure): the four levels and colours, LEC and LS scores and bands.

Sources (see regulations-safety.md §2):
- Levels and colours: 国务院安委办《关于实施遏制重特大事故工作指南构建双重预防机制的意见》
  (安委办〔2016〕11号): 重大/较大/一般/低 risk shown red/orange/yellow/blue (§2.1).
- LEC (作业条件危险性评价法, Graham-Kinney): D = L × E × C with the customary value tables
  for L, E and C and the D bands ≥320 / 160–<320 / 70–<160 / <70 (§2.2). 20 ≤ D < 70 is
  "一般危险" and D < 20 "稍有危险" — both graded 低风险 (blue).
- LS (风险矩阵分析法): R = L × S on a 5 × 5 matrix, bands 20–25 / 15–16 / 9–12 / 1–8 (§2.3,
  Shandong-style guidance, DB37/T 2882-2016 family).

No national standard fixes the numeric bands (§2.1), so the value tables and bands are a
``GradingConfig``: the national defaults below, overridable per deployment from a JSON or
YAML file (``YINGJI_RISK_GRADING_FILE``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.extensions import LabelTable


class RiskLevel(StrEnum):
    """The four official risk levels (安委办〔2016〕11号), most severe first."""

    MAJOR = "major"
    SIGNIFICANT = "significant"
    GENERAL = "general"
    LOW = "low"


class RiskColor(StrEnum):
    """The colour each level is drawn in on the 四色图 (valid CSS colour names)."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"


class Method(StrEnum):
    """How an assessment was graded."""

    LEC = "lec"
    LS = "ls"


class PointKind(StrEnum):
    """What a risk point is (风险点 types used in 双重预防 guidance)."""

    PLACE = "place"
    INSTALLATION = "installation"
    ACTIVITY = "activity"


class ControlTier(StrEnum):
    """The tier responsible for a control measure (分级管控)."""

    COMPANY = "company"
    WORKSHOP = "workshop"
    TEAM = "team"
    POST = "post"


LEVEL_COLORS: dict[RiskLevel, RiskColor] = {
    RiskLevel.MAJOR: RiskColor.RED,
    RiskLevel.SIGNIFICANT: RiskColor.ORANGE,
    RiskLevel.GENERAL: RiskColor.YELLOW,
    RiskLevel.LOW: RiskColor.BLUE,
}
LEVEL_LABELS = {
    "major": "重大风险",
    "significant": "较大风险",
    "general": "一般风险",
    "low": "低风险",
}
COLOR_LABELS = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}
METHOD_LABELS = {"lec": "LEC 作业条件危险性评价法", "ls": "LS 风险矩阵分析法"}
KIND_LABELS = {"place": "场所", "installation": "设备设施", "activity": "作业活动"}
TIER_LABELS = {"company": "公司", "workshop": "车间", "team": "班组", "post": "岗位"}

# GB 6441-1986 accident types (codes 01-20), offered as suggestions; the 2025 revision is
# pending (regulations-safety.md §2.5), so the field stays free text for now.
GB6441_ACCIDENT_TYPES = (
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其它爆炸",
    "中毒和窒息",
    "其它伤害",
)


def _decimals(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


# A band is (inclusive lower bound, level); bands are listed from the most severe down and
# a score takes the first band whose lower bound it reaches (so upper bounds are exclusive).
Band = tuple[Decimal, RiskLevel]


@dataclass(frozen=True)
class GradingConfig:
    """Value tables and bands for LEC and LS (national defaults; see module docstring)."""

    # §2.2 L: 10 完全可以预料 … 0.1 实际不可能.
    lec_l: tuple[Decimal, ...] = _decimals("10", "6", "3", "1", "0.5", "0.2", "0.1")
    # §2.2 E: 10 连续暴露 … 0.5 非常罕见地暴露.
    lec_e: tuple[Decimal, ...] = _decimals("10", "6", "3", "2", "1", "0.5")
    # §2.2 C: 100 大灾难，许多人死亡 … 1 引人注目.
    lec_c: tuple[Decimal, ...] = _decimals("100", "40", "15", "7", "3", "1")
    # §2.2 D bands: ≥320 重大, 160 ≤ D < 320 较大, 70 ≤ D < 160 一般, D < 70 低 (lower bounds
    # inclusive: D = 70 and D = 20 occur with the standard tables, e.g. 1×10×7, 10×2×1).
    lec_bands: tuple[Band, ...] = (
        (Decimal("320"), RiskLevel.MAJOR),
        (Decimal("160"), RiskLevel.SIGNIFICANT),
        (Decimal("70"), RiskLevel.GENERAL),
        (Decimal("0"), RiskLevel.LOW),
    )
    # §2.3: L and S are integers 1..ls_scale.
    ls_scale: int = 5
    # §2.3 R bands: 20-25 重大, 15-16 较大, 9-12 一般, 1-8 低.
    ls_bands: tuple[Band, ...] = (
        (Decimal("20"), RiskLevel.MAJOR),
        (Decimal("15"), RiskLevel.SIGNIFICANT),
        (Decimal("9"), RiskLevel.GENERAL),
        (Decimal("1"), RiskLevel.LOW),
    )


DEFAULT_CONFIG = GradingConfig()


@dataclass(frozen=True)
class Grade:
    """The outcome of grading: score, level, colour and the Chinese label."""

    score: Decimal
    level: RiskLevel
    color: RiskColor
    label: str


def band_level(score: Decimal, bands: tuple[Band, ...]) -> RiskLevel:
    """Return the level of the first band whose inclusive lower bound ``score`` reaches."""
    for lower, level in bands:
        if score >= lower:
            return level
    return bands[-1][1]  # below every bound: the mildest band


def _grade(score: Decimal, bands: tuple[Band, ...]) -> Grade:
    level = band_level(score, bands)
    return Grade(score=score, level=level, color=LEVEL_COLORS[level], label=LEVEL_LABELS[level])


def _table_text(values: tuple[Decimal, ...]) -> str:
    return "、".join(format(v.normalize(), "f") for v in values)


def lec_problems(
    l: Decimal | None,  # noqa: E741 (the method's own letter)
    e: Decimal | None,
    c: Decimal | None,
    config: GradingConfig = DEFAULT_CONFIG,
) -> list[FieldError]:
    """Return a field error for each LEC input missing or outside its value table."""
    errors = []
    for name, value, table in (
        ("l", l, config.lec_l),
        ("e", e, config.lec_e),
        ("c", c, config.lec_c),
    ):
        if value is None:
            errors.append(FieldError(name, "LEC 评价必须填写该项"))
        elif value not in table:
            errors.append(
                FieldError(
                    name, f"{name.upper()} 取值 {value} 不在取值表中（{_table_text(table)}）"
                )
            )
    return errors


def grade_lec(
    l: Decimal,  # noqa: E741
    e: Decimal,
    c: Decimal,
    config: GradingConfig = DEFAULT_CONFIG,
) -> Grade:
    """Return D = L × E × C and its level; ValidationFailed names any value off its table."""
    errors = lec_problems(l, e, c, config)
    if errors:
        raise ValidationFailed(errors)
    return _grade(l * e * c, config.lec_bands)


def ls_problems(
    l: int | None,  # noqa: E741
    s: int | None,
    config: GradingConfig = DEFAULT_CONFIG,
) -> list[FieldError]:
    """Return a field error for each LS input missing or outside 1..scale."""
    errors = []
    for name, value in (("l", l), ("s", s)):
        if value is None:
            errors.append(FieldError(name, "LS 评价必须填写该项"))
        elif not 1 <= value <= config.ls_scale:
            errors.append(
                FieldError(name, f"{name.upper()} 取值 {value} 应为 1 至 {config.ls_scale} 的整数")
            )
    return errors


def grade_ls(l: int, s: int, config: GradingConfig = DEFAULT_CONFIG) -> Grade:  # noqa: E741
    """Return R = L × S and its level; ValidationFailed names any value off the scale."""
    errors = ls_problems(l, s, config)
    if errors:
        raise ValidationFailed(errors)
    return _grade(Decimal(l * s), config.ls_bands)


def _bands(raw: list[list[Any]]) -> tuple[Band, ...]:
    bands = tuple((Decimal(str(lower)), RiskLevel(str(level))) for lower, level in raw)
    return tuple(sorted(bands, key=lambda band: band[0], reverse=True))


def config_from_mapping(data: dict[str, Any]) -> GradingConfig:
    """Return the defaults with the keys given in ``data`` replaced.

    Keys: ``lec_l``, ``lec_e``, ``lec_c`` (lists of numbers), ``lec_bands`` and ``ls_bands``
    (lists of ``[inclusive lower bound, level]``), ``ls_scale`` (int).
    """
    base = DEFAULT_CONFIG
    tables = {
        key: tuple(Decimal(str(v)) for v in data[key])
        for key in ("lec_l", "lec_e", "lec_c")
        if key in data
    }
    return GradingConfig(
        lec_l=tables.get("lec_l", base.lec_l),
        lec_e=tables.get("lec_e", base.lec_e),
        lec_c=tables.get("lec_c", base.lec_c),
        lec_bands=_bands(data["lec_bands"]) if "lec_bands" in data else base.lec_bands,
        ls_scale=int(data.get("ls_scale", base.ls_scale)),
        ls_bands=_bands(data["ls_bands"]) if "ls_bands" in data else base.ls_bands,
    )


@lru_cache(maxsize=8)
def load_config(path: str | None) -> GradingConfig:
    """Return the grading configuration from a JSON or YAML file (defaults when None)."""
    if not path:
        return DEFAULT_CONFIG
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith((".yaml", ".yml")):
        import yaml

        data = yaml.safe_load(text) or {}
    else:
        data = json.loads(text)
    return config_from_mapping(dict(data))


#: The display layer's labels for risk-point codes (contributed by the manifest).
LABELS: tuple[LabelTable, ...] = (
    LabelTable("risk_level", {str(k): v for k, v in LEVEL_LABELS.items()}),
    LabelTable("risk_color", COLOR_LABELS),
    LabelTable("risk_method", METHOD_LABELS),
    LabelTable("risk_kind", KIND_LABELS),
)
