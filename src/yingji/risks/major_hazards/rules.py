"""Major hazard identification and grading (pure): GB 18218-2018 危险化学品重大危险源辨识.

- 4.1.2: Q comes from Table 1 for a named chemical, otherwise from Table 2 by its hazard
  category. A chemical in Table 1 always uses Table 1, even when a category is also given.
- 4.2.1 (formula 1): a unit is a major hazard when S = Σ q/Q ≥ 1 (inclusive: S = 1 is one).
- 4.2.2: q is the design maximum quantity (设计最大量) in tonnes, not the current stock.
- 4.3.2 (formula 2): R = α · Σ β·q/Q; β from Table 3 for the named toxic gases, otherwise
  Table 4 by category — the one typed, else the Table 1 chemical's own hazard category from
  《危险化学品目录》(2015) (fixture ``category``); α from Table 5 by the permanent residents
  within 500 m outside the plant boundary (bands inclusive at both ends).
- 4.3.3 / Table 6: grade 一级 R ≥ 100, 二级 100 > R ≥ 50, 三级 50 > R ≥ 10, 四级 R < 10.
- 3.5 / 3.6: production and storage units differ in where their boundary lies, not in the
  arithmetic; both are identified and graded the same way, one unit at a time.

The standard gives no rounding rule: every ratio is computed exactly (fractions of the
decimal inputs) and compared unrounded; values are rounded only for display.
Dates: the safety assessment is due at least every 3 years (《危险化学品重大危险源监督管理
暂行规定》原安监总局令第40号; regulations-safety.md §1.9, from memory — article not yet checked).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from yingji.core.errors import FieldError, ValidationFailed
from yingji.risks.major_hazards.tables import Category, NamedSubstance, Tables

ASSESSMENT_INTERVAL_YEARS = 3  # 原安监总局令第40号: safety assessment at least every 3 years
DISPLAY_PLACES = Decimal("0.000001")


class UnitKind(StrEnum):
    """GB 18218-2018 3.5 生产单元 / 3.6 储存单元."""

    STORAGE = "storage"
    PRODUCTION = "production"


UNIT_KIND_LABELS = {"storage": "储存单元", "production": "生产单元"}
GRADE_LABELS = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}


@dataclass(frozen=True, slots=True)
class SubstanceLine:
    """One chemical in a unit as entered: name, CAS number and/or category, and q (t)."""

    quantity_t: Decimal
    name: str | None = None
    cas: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class LineResult:
    """One chemical as identified: Q and β used, and its ratio q/Q (exact)."""

    name: str
    cas: str | None
    category: str | None
    table1_row: int | None
    quantity_t: Decimal
    threshold_quantity: Decimal
    beta: Decimal | None
    ratio: Fraction


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome for one unit: S, whether it is a major hazard, α, R and the grade."""

    unit_kind: str
    exposed_population: int
    items: tuple[LineResult, ...]
    sum_ratio: Fraction
    is_major_hazard: bool
    alpha: Decimal
    r_value: Fraction | None
    grade: int | None
    table_version: str


def normalise(text: str) -> str:
    """Return ``text`` folded for look-ups: half-width (NFKC), no spaces, case-folded."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).casefold()


def display(value: Fraction | Decimal) -> Decimal:
    """Return ``value`` rounded to 6 places for display, without trailing zeros."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = value.quantize(DISPLAY_PLACES, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def _index(pairs: Sequence[tuple[str, NamedSubstance]]) -> dict[str, tuple[NamedSubstance, ...]]:
    out: dict[str, list[NamedSubstance]] = {}
    for key, row in pairs:
        found = out.setdefault(normalise(key), [])
        if row not in found:
            found.append(row)
    return {k: tuple(v) for k, v in out.items()}


def name_index(tables: Tables) -> dict[str, tuple[NamedSubstance, ...]]:
    """Return Table 1 rows by normalised name, alias and extra look-up name."""
    return _index(
        [(key, row) for row in tables.named for key in (row.name, *row.aliases, *row.lookup_names)]
    )


def cas_index(tables: Tables) -> dict[str, tuple[NamedSubstance, ...]]:
    """Return Table 1 rows by normalised CAS number (several rows may share one)."""
    return _index([(key, row) for row in tables.named for key in (*row.cas, *row.lookup_cas)])


def alpha_for(exposed_population: int, tables: Tables) -> Decimal:
    """Return α (Table 5) for the residents within 500 m of the plant boundary."""
    if exposed_population < 0:
        raise ValueError("exposed_population must be ≥ 0")
    return next(a for low, a in tables.alpha_bands if exposed_population >= low)


def grade_for(r_value: Fraction | Decimal, tables: Tables) -> int:
    """Return the grade (Table 6; 1 = 一级 is the most severe) for R, lower bounds inclusive."""
    return next(g for low, g in tables.grade_bands if Fraction(r_value) >= Fraction(low))


def next_due(assessed_on: date) -> date:
    """Return when the next safety assessment is due: 3 years after the last (28 Feb for 29 Feb)."""
    year = assessed_on.year + ASSESSMENT_INTERVAL_YEARS
    try:
        return assessed_on.replace(year=year)
    except ValueError:
        return assessed_on.replace(year=year, day=28)


def _names(rows: Sequence[NamedSubstance]) -> str:
    return "、".join(f"“{r.name}”" for r in rows)


def _table1(
    line: SubstanceLine, field: str, tables: Tables
) -> tuple[NamedSubstance | None, list[FieldError]]:
    by_name = name_index(tables).get(normalise(line.name), ()) if line.name else ()
    by_cas = cas_index(tables).get(normalise(line.cas), ()) if line.cas else ()
    key, rows = ("name", by_name) if by_name else ("cas", by_cas)
    if by_name and by_cas:
        # A name and a CAS number that point at different rows: refuse rather than guess.
        rows = tuple(r for r in by_name if r in by_cas)
        if not rows:
            return None, [FieldError(f"{field}.cas", "CAS号与名称不是同一种物质")]
    if len(rows) > 1:
        reason = f"对应表1中的多个条目：{_names(rows)}，请填写完整名称"
        return None, [FieldError(f"{field}.{key}", reason)]
    return (rows[0] if rows else None), []


def _category(
    line: SubstanceLine, field: str, tables: Tables
) -> tuple[Category | None, list[FieldError]]:
    if not line.category:
        return None, []
    code = normalise(line.category).upper()
    found = tables.categories.get(code)
    if found is None:
        return None, [FieldError(f"{field}.category", f"危险性类别“{line.category}”不在表2中")]
    return found, []


def identify(line: SubstanceLine, field: str, tables: Tables) -> LineResult | list[FieldError]:
    """Return Q and β for one chemical (Table 1 first, then Table 2), or why it cannot."""
    if not (line.name or line.cas or line.category):
        return [FieldError(f"{field}.name", "请填写名称、CAS号或危险性类别")]
    named, errors = _table1(line, field, tables)
    category, cat_errors = _category(line, field, tables)
    errors += cat_errors
    if errors:
        return errors
    ratio_q = Fraction(line.quantity_t)
    if named is not None:
        # 4.1.2 a): listed in Table 1 → Table 1's Q; β from Table 3, else Table 4 by the
        # category typed or, when none is, by the chemical's own (fixture, from its GHS
        # classes in 《危险化学品目录》).
        if category is None and named.row not in tables.beta_by_row() and named.category:
            category = tables.categories.get(named.category)
        beta = tables.beta_by_row().get(named.row, category.beta if category else None)
        return LineResult(
            name=named.name,
            cas=named.cas[0] if named.cas else (line.cas or None),
            category=category.code if category else None,
            table1_row=named.row,
            quantity_t=line.quantity_t,
            threshold_quantity=named.threshold,
            beta=beta,
            ratio=ratio_q / Fraction(named.threshold),
        )
    if category is None:
        key = "name" if line.name else "cas"
        given = line.name or line.cas
        reason = f"“{given}”不在GB 18218-2018表1中，请填写其危险性类别（表2）"
        return [FieldError(f"{field}.{key}", reason)]
    # 4.1.2 b): not in Table 1 → Q and β (Table 4) by hazard category.
    return LineResult(
        name=line.name or f"{category.hazard_class}（{category.code}）",
        cas=line.cas or None,
        category=category.code,
        table1_row=None,
        quantity_t=line.quantity_t,
        threshold_quantity=category.threshold,
        beta=category.beta,
        ratio=ratio_q / Fraction(category.threshold),
    )


def assess(
    unit_kind: str,
    lines: Sequence[SubstanceLine],
    exposed_population: int,
    tables: Tables,
    field: str = "substances",
) -> Assessment:
    """Identify a unit (S ≥ 1) and grade it by R; raise ValidationFailed naming bad lines."""
    if not lines:
        raise ValidationFailed([FieldError(field, "至少填写一种危险化学品")])
    items: list[LineResult] = []
    errors: list[FieldError] = []
    for i, line in enumerate(lines):
        result = identify(line, f"{field}.{i}", tables)
        if isinstance(result, list):
            errors += result
        else:
            items.append(result)
    if errors:
        raise ValidationFailed(errors)
    sum_ratio = sum((item.ratio for item in items), Fraction(0))
    alpha = alpha_for(exposed_population, tables)
    is_major = sum_ratio >= 1  # formula 1: "≥ 1" — S = 1 exactly is a major hazard
    r_value: Fraction | None = None
    grade: int | None = None
    if is_major:
        missing = [i for i, item in enumerate(items) if item.beta is None]
        if missing:
            raise ValidationFailed(
                [
                    FieldError(
                        f"{field}.{i}.category",
                        f"“{items[i].name}”不在表3中，请填写危险性类别以按表4确定校正系数β",
                    )
                    for i in missing
                ]
            )
        weighted = sum((Fraction(item.beta or 0) * item.ratio for item in items), Fraction(0))
        r_value = Fraction(alpha) * weighted
        grade = grade_for(r_value, tables)
    return Assessment(
        unit_kind=unit_kind,
        exposed_population=exposed_population,
        items=tuple(items),
        sum_ratio=sum_ratio,
        is_major_hazard=is_major,
        alpha=alpha,
        r_value=r_value,
        grade=grade,
        table_version=tables.version,
    )
