"""Risk pages: the calculators (LEC, LS, GB 18218) and the 四色图 colour map of risk points.

The calculators are plain forms answered on the server with the very rules the JSON
calculators use (``risks.points.rules`` with the deployment's grading tables,
``risks.major_hazards.rules`` with the shipped GB 18218 tables); nothing is stored. The
colour map paints ``GET /api/v1/risk-points.geojson`` (scoped like every read) by each
point's current colour.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from yingji.accounts.pages import render_page
from yingji.core.actor import Actor
from yingji.core.errors import FieldError, ValidationFailed
from yingji.core.web.context import AppContext
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.geo.queries import boundary_sources
from yingji.registry.display import map_fields
from yingji.registry.forms import validation_errors
from yingji.registry.page_parts import map_config
from yingji.risks.major_hazards.registry import item_reads
from yingji.risks.major_hazards.rules import (
    GRADE_LABELS,
    UNIT_KIND_LABELS,
    SubstanceLine,
    assess,
    display,
)
from yingji.risks.major_hazards.schemas import AssessRequest, SubstanceIn
from yingji.risks.major_hazards.tables import load_tables
from yingji.risks.points.api import grading_config
from yingji.risks.points.registry import RISK_POINTS
from yingji.risks.points.rules import (
    COLOR_LABELS,
    LEVEL_COLORS,
    LEVEL_LABELS,
    GradingConfig,
    RiskLevel,
    grade_lec,
    grade_ls,
)
from yingji.web.deps import CheckedForm, Ctx, PageActor

router = APIRouter(include_in_schema=False)

CALCULATORS = "/risks/calculators"
COLOUR_MAP = "/risks/colour-map"
# Paint of each risk colour on the map and in the legend (GB 2894 safety colours).
PAINT = {"red": "#d7191c", "orange": "#f28e00", "yellow": "#f5d000", "blue": "#1f6fd1"}
UNGRADED = "#9aa5b1"


def _lec_choices(config: GradingConfig) -> dict[str, list[str]]:
    def text(values: tuple[Decimal, ...]) -> list[str]:
        return [format(v.normalize(), "f") for v in values]

    return {"l": text(config.lec_l), "e": text(config.lec_e), "c": text(config.lec_c)}


def _band_rows(config: GradingConfig) -> dict[str, list[dict[str, str]]]:
    def rows(bands: Any) -> list[dict[str, str]]:
        out = []
        for lower, level in bands:
            color = LEVEL_COLORS[RiskLevel(level)].value
            out.append(
                {
                    "lower": format(Decimal(lower).normalize(), "f"),
                    "label": LEVEL_LABELS[RiskLevel(level).value],
                    "color": color,
                    "paint": PAINT[color],
                }
            )
        return out

    return {"lec": rows(config.lec_bands), "ls": rows(config.ls_bands)}


def _page(
    request: Request,
    actor: Actor,
    ctx: AppContext,
    *,
    active: str = "lec",
    values: dict[str, str] | None = None,
    results: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    config = grading_config(ctx)
    context = {
        "title": "风险评价计算器",
        "active": active,
        "lec": _lec_choices(config),
        "ls_scale": list(range(1, config.ls_scale + 1)),
        "bands": _band_rows(config),
        "unit_kinds": list(UNIT_KIND_LABELS.items()),
        "values": values or {},
        "results": results or {},
        "errors": errors or {},
        "paint": PAINT,
    }
    return render_page(request, actor, "risks/calculators.html", context, status)


def calculators(request: Request, actor: PageActor, ctx: Ctx) -> Response:
    """Show the LEC, LS and GB 18218 calculators."""
    return _page(request, actor, ctx)


def _decimal(form: FormData, name: str, errors: list[str]) -> Decimal | None:
    raw = str(form.get(name) or "").strip()
    try:
        return Decimal(raw)
    except InvalidOperation:
        errors.append(f"{name.upper()}：请选择取值")
        return None


def _reasons(exc: ValidationFailed) -> list[str]:
    return [f"{e.field.upper()}：{e.reason}" for e in exc.errors] or [exc.detail]


def _grade_result(grade: Any) -> dict[str, Any]:
    return {
        "score": format(grade.score.normalize(), "f"),
        "label": grade.label,
        "color": grade.color.value,
        "color_label": COLOR_LABELS[grade.color.value],
        "paint": PAINT[grade.color.value],
    }


def calculate_lec(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Answer the LEC form: D = L × E × C and its level."""
    values = {k: str(form.get(k) or "") for k in ("l", "e", "c")}
    errors: list[str] = []
    l_value, e_value, c_value = (_decimal(form, k, errors) for k in ("l", "e", "c"))
    result = None
    if not errors and l_value is not None and e_value is not None and c_value is not None:
        try:
            result = _grade_result(grade_lec(l_value, e_value, c_value, grading_config(ctx)))
        except ValidationFailed as exc:
            errors = _reasons(exc)
    return _page(
        request,
        actor,
        ctx,
        active="lec",
        values={f"lec_{k}": v for k, v in values.items()},
        results={"lec": result} if result else {},
        errors={"lec": errors} if errors else {},
        status=422 if errors else 200,
    )


def calculate_ls(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Answer the LS form: R = L × S and its level."""
    values = {k: str(form.get(k) or "") for k in ("l", "s")}
    errors: list[str] = []
    numbers: dict[str, int] = {}
    for key, raw in values.items():
        if raw.strip().isdigit():
            numbers[key] = int(raw)
        else:
            errors.append(f"{key.upper()}：请选择 1 至 5 的整数")
    result = None
    if not errors:
        try:
            result = _grade_result(grade_ls(numbers["l"], numbers["s"], grading_config(ctx)))
        except ValidationFailed as exc:
            errors = _reasons(exc)
    return _page(
        request,
        actor,
        ctx,
        active="ls",
        values={f"ls_{k}": v for k, v in values.items()},
        results={"ls": result} if result else {},
        errors={"ls": errors} if errors else {},
        status=422 if errors else 200,
    )


def calculate_gb18218(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Answer the GB 18218-2018 form: S = Σq/Q, major hazard or not, α, R and the grade."""
    text = str(form.get("substances") or "")
    values = {
        "unit_kind": str(form.get("unit_kind") or "storage"),
        "substances": text,
        "exposed_population": str(form.get("exposed_population") or "").strip(),
    }
    lines = [line.strip() for line in text.replace("；", "\n").splitlines() if line.strip()]
    errors: list[str] = []
    result: dict[str, Any] | None = None
    try:
        body = AssessRequest.model_validate(
            {
                "unit_kind": values["unit_kind"],
                "substances": lines,
                "exposed_population": values["exposed_population"] or None,
            }
        )
    except ValidationError as exc:
        errors = [_line_reason(e, lines) for e in validation_errors(exc)]
    else:
        try:
            result = _assessment(body.substances, body)
        except ValidationFailed as exc:
            errors = [_line_reason(e, lines) for e in exc.errors] or [exc.detail]
    return _page(
        request,
        actor,
        ctx,
        active="gb18218",
        values=values,
        results={"gb18218": result} if result else {},
        errors={"gb18218": errors} if errors else {},
        status=422 if errors else 200,
    )


def _line_reason(error: FieldError, lines: list[str]) -> str:
    # "substances.1.quantity_t" → which line the person typed.
    parts = error.field.split(".")
    if parts[0] == "substances" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        shown = lines[index] if index < len(lines) else ""
        return f"第 {index + 1} 行“{shown}”：{error.reason}"
    labels = {"exposed_population": "厂区边界外500米内常住人数", "substances": "危险化学品"}
    return f"{labels.get(parts[0], parts[0])}：{error.reason}"


def _assessment(substances: list[SubstanceIn], body: AssessRequest) -> dict[str, Any]:
    lines = [
        SubstanceLine(quantity_t=s.quantity_t, name=s.name, cas=s.cas, category=s.category)
        for s in substances
    ]
    outcome = assess(body.unit_kind.value, lines, body.exposed_population, load_tables())
    grade = str(outcome.grade) if outcome.grade else None
    return {
        "items": item_reads(outcome),
        "sum_ratio": display(outcome.sum_ratio),
        "is_major_hazard": outcome.is_major_hazard,
        "alpha": display(outcome.alpha),
        "r_value": display(outcome.r_value) if outcome.r_value is not None else None,
        "grade": grade,
        "grade_label": GRADE_LABELS[grade] if grade else None,
        "table_version": outcome.table_version,
    }


def colour_map(request: Request, actor: PageActor) -> Response:
    """Show the 四色图: every visible risk point painted by its current level."""
    ctx: AppContext = request.app.state.ctx
    with ctx.session_factory() as session:
        sources = boundary_sources(session)
    config = map_config(request)
    legend = [
        {
            "level": level.value,
            "label": LEVEL_LABELS[level.value],
            "color": LEVEL_COLORS[level].value,
            "paint": PAINT[LEVEL_COLORS[level].value],
        }
        for level in RiskLevel
    ]
    context = {
        "title": "风险四色图",
        "map": config,
        "demo_geometry": "demo" in sources,
        "legend": legend,
        "paint": {**PAINT, "": UNGRADED},
        "points_url": "/api/v1/risk-points.geojson",
        "divisions_url": "/api/v1/divisions.geojson",
        # The popup rows, as on the one map: [property, Chinese label] pairs in list order.
        "fields": list(map_fields(RISK_POINTS).items()),
    }
    return render_page(request, actor, "risks/colour_map.html", context)


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("supervision", title, url))


router.add_api_route(COLOUR_MAP, _nav(colour_map, "风险四色图", COLOUR_MAP), methods=["GET"])
router.add_api_route(CALCULATORS, _nav(calculators, "风险评价计算器", CALCULATORS), methods=["GET"])
router.add_api_route(f"{CALCULATORS}/lec", calculate_lec, methods=["POST"])
router.add_api_route(f"{CALCULATORS}/ls", calculate_ls, methods=["POST"])
router.add_api_route(f"{CALCULATORS}/gb18218", calculate_gb18218, methods=["POST"])

routers = [router]
