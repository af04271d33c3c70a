"""Stock ledger pages: current stock, alerts, the movement list and the movement form.

The pages read through the same scoped queries as the JSON API (``queries``) and write
through the same audited service (``service.record_movement``), so a township officer sees
and moves only their own warehouses' stock here exactly as over the API. The movement form
carries a reference generated when it is shown: a double click or a resent POST replays the
movement already recorded instead of booking it twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yingji.accounts.pages import render_page
from yingji.accounts.schemas import has_role
from yingji.core.actor import Actor
from yingji.core.clock import format_local, local_today, parse_local
from yingji.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from yingji.core.pagination import PageParams
from yingji.core.web.context import AppContext
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.geo.models import Site
from yingji.geo.queries import division_names
from yingji.registry.forms import FormField, attach_errors, validation_errors
from yingji.registry.page_parts import PAGE_SIZE, division_choices
from yingji.registry.queries import check_readable, scoped_select
from yingji.resources.supplies import queries, service
from yingji.resources.supplies.catalogue import catalogue_index, load_catalogue
from yingji.resources.supplies.models import SupplyItem, Warehouse
from yingji.resources.supplies.registry import SUPPLIES, WAREHOUSES
from yingji.resources.supplies.rules import (
    EXPIRY_STATUS_LABELS,
    MOVEMENT_KIND_LABELS,
    WAREHOUSE_LEVEL_LABELS,
    MovementKind,
    expiry_status,
)
from yingji.resources.supplies.schemas import MovementCreate, MovementFilters, StockFilters
from yingji.web.deps import CheckedForm, Ctx, PageActor, ReadSession

router = APIRouter(include_in_schema=False)

STOCK = "/stock"
ALERTS = "/stock/alerts"
MOVEMENTS = "/stock-movements"
NEW_MOVEMENT = "/stock-movements/new"
STOCK_PAGE_SIZE = PAGE_SIZE
_READERS = frozenset(r.value for r in WAREHOUSES.reader_roles)

# Which form fields each kind of movement uses; the others are hidden in the browser and
# dropped on the server (a value left in a hidden field must not turn a receipt into a
# refused "只有调拨需要填写调入仓库").
_COMMON = ("kind", "warehouse_id", "item_id", "batch", "occurred_at", "reason")
KIND_FIELDS: Mapping[str, tuple[str, ...]] = {
    MovementKind.RECEIPT: (*_COMMON, "quantity", "expires_on"),
    MovementKind.ISSUE: (*_COMMON, "quantity"),
    MovementKind.TRANSFER: (*_COMMON, "to_warehouse_id", "quantity"),
    MovementKind.ADJUSTMENT: (*_COMMON, "quantity", "expires_on"),
    MovementKind.STOCKTAKE: (*_COMMON, "counted", "expires_on"),
}
# Fields a kind cannot do without (marked * in the browser; the service names them if empty).
KIND_REQUIRED: Mapping[str, tuple[str, ...]] = {
    MovementKind.RECEIPT: ("quantity",),
    MovementKind.ISSUE: ("quantity",),
    MovementKind.TRANSFER: ("to_warehouse_id", "quantity"),
    MovementKind.ADJUSTMENT: ("quantity", "reason"),
    MovementKind.STOCKTAKE: ("counted",),
}
# Every page renders one reference into its form; only this shape is taken back from a post.
_REFERENCE = re.compile(r"^web-[0-9a-f]{32}$")
_KIND_BADGES = {
    "receipt": "badge-green",
    "issue": "badge-orange",
    "transfer": "badge-blue",
    "adjustment": "badge-yellow",
    "stocktake": "badge-gray",
}
_EXPIRY_BADGES = {"ok": "badge-green", "expiring": "badge-orange", "expired": "badge-red"}


@dataclass(frozen=True)
class Option:
    """One entry of a select: value, text and the group (optgroup) it is listed under."""

    value: str
    text: str
    group: str = ""


def can_move(actor: Actor) -> bool:
    """Tell whether the actor's role may record stock movements."""
    return has_role(actor, WAREHOUSES.writer_roles)


def _today(request: Request) -> date:
    ctx: AppContext = request.app.state.ctx
    return local_today(ctx.settings.timezone, ctx.clock.now())


def _warn_days(request: Request) -> int:
    return int(request.app.state.ctx.settings.stock_expiry_warn_days)


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10**6 else 1


def _quantity(value: Decimal, *, signed: bool = False) -> str:
    text = format(value, "f")
    return f"+{text}" if signed and value > 0 else text


# --- choices ------------------------------------------------------------------------------------


def warehouse_options(
    session: Session, actor: Actor, *, include_retired: bool = False
) -> list[Option]:
    """Return the warehouses the actor may see, grouped by township, as select options."""
    stmt = scoped_select(WAREHOUSES, actor, include_retired=include_retired).order_by(
        Site.division_code, Warehouse.name, Warehouse.id
    )
    rows = [(row[0], row[1]) for row in session.execute(stmt)]
    towns = division_names(session, [site.division_code[:9] for _, site in rows])
    out = []
    for warehouse, site in rows:
        level = WAREHOUSE_LEVEL_LABELS.get(warehouse.level, warehouse.level)
        text = f"{warehouse.name}（{level}）"
        if warehouse.retired_at is not None:
            text += "（已停用）"
        group = towns.get(site.division_code[:9], site.division_code[:9])
        out.append(Option(str(warehouse.id), text, group))
    return out


def item_options(session: Session, actor: Actor) -> list[Option]:
    """Return the catalogue items in use, grouped by their 中类 (GB/T 38565), as options."""
    index = catalogue_index()
    out = []
    for item in session.scalars(scoped_select(SUPPLIES, actor).order_by(SupplyItem.code)):
        middle = index.get(item.code[:3]) or index.get(item.code[:1])
        group = middle.name if middle is not None else "其他"
        out.append(Option(str(item.id), f"{item.code} {item.name}（{item.unit}）", group))
    return out


def category_options() -> list[Option]:
    """Return the 大类 and 中类 of the shipped catalogue (the stock page's category filter)."""
    return [
        Option(e.code, ("　" if e.level == 2 else "") + e.name)
        for e in load_catalogue()
        if e.level <= 2
    ]


def _field(
    name: str, label: str, kind: str, value: str = "", options: Sequence[Option] = ()
) -> FormField:
    f = FormField(name=name, label=label, kind=kind, value=value)
    f.choices = [(o.value, o.text) for o in options]
    return f


def _groups(options: Sequence[Option]) -> list[tuple[str, list[Option]]]:
    # Consecutive options of one group become one <optgroup>.
    out: list[tuple[str, list[Option]]] = []
    for option in options:
        if not out or out[-1][0] != option.group:
            out.append((option.group, []))
        out[-1][1].append(option)
    return out


# --- filters ------------------------------------------------------------------------------------


def _filters(
    schema: type[BaseModel],
    query: Mapping[str, str],
    names: Sequence[str],
    labels: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, Any], list[str]]:
    """Return the raw filter values, those the schema accepts (typed), and warnings."""
    raw = {n: str(query.get(n) or "").strip() for n in names}
    given = {k: v for k, v in raw.items() if v}
    warnings: list[str] = []
    try:
        model = schema.model_validate(given)
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        warnings = [f"筛选条件“{labels.get(b, b)}”无效，已忽略" for b in sorted(bad)]
        model = schema.model_validate({k: v for k, v in given.items() if k not in bad})
    values = {k: v for k, v in model.model_dump().items() if v not in (None, "")}
    return raw, values, warnings


def _query(raw: Mapping[str, str], **extra: Any) -> str:
    params = {k: v for k, v in raw.items() if v}
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


# --- current stock ------------------------------------------------------------------------------

_STOCK_LABELS = {
    "division_code": "镇街",
    "warehouse_id": "仓库",
    "q": "物资关键字",
    "category": "物资分类",
}


def stock_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show current stock by warehouse, item and batch, with expiry status and filters."""
    check_readable(WAREHOUSES, actor)
    raw, values, warnings = _filters(
        StockFilters, request.query_params, list(_STOCK_LABELS), _STOCK_LABELS
    )
    params = PageParams(page=_page_number(request.query_params.get("page")), size=STOCK_PAGE_SIZE)
    page = queries.page_stock(session, actor, params, values)
    today, warn_days = _today(request), _warn_days(request)
    towns = division_names(session, [r.division_code[:9] for r in page.items])
    rows = []
    for r in page.items:
        status = expiry_status(r.expires_on, today, warn_days) if r.expires_on else None
        rows.append(
            {
                "row": r,
                "town": towns.get(r.division_code[:9], r.division_code),
                "quantity": _quantity(r.quantity),
                "status": status,
                "status_label": EXPIRY_STATUS_LABELS[status] if status else "",
                "badge": _EXPIRY_BADGES.get(status or "", ""),
                "move": NEW_MOVEMENT
                + "?"
                + urlencode(
                    {"kind": "issue", "warehouse_id": r.warehouse_id, "item_id": r.item_id}
                    | ({"batch": r.batch} if r.batch else {})
                ),
            }
        )
    filters = [
        _field("division_code", "镇街", "select", raw["division_code"], _divisions(session, actor)),
        _field("warehouse_id", "仓库", "select", raw["warehouse_id"]),
        _field("q", "物资关键字", "text", raw["q"]),
        _field("category", "物资分类", "select", raw["category"], category_options()),
    ]
    query = _query(raw)
    context = {
        "title": "库存台账",
        "filters": filters,
        "warehouses": _groups(warehouse_options(session, actor)),
        "warnings": warnings,
        "rows": rows,
        "page": page,
        "filter_query": query,
        "export_url": "/api/v1/stock/export.xlsx" + (f"?{query}" if query else ""),
        "alerts_url": ALERTS + _alert_query(raw),
        "can_move": can_move(actor),
        "today": today,
        "warn_days": warn_days,
    }
    return render_page(request, actor, "supplies/stock.html", context)


def _divisions(session: Session, actor: Actor) -> list[Option]:
    return [Option(code, name) for code, name in division_choices(session, actor)]


def _alert_query(raw: Mapping[str, str]) -> str:
    keep = {k: raw.get(k, "") for k in ("division_code", "warehouse_id")}
    query = _query(keep)
    return f"?{query}" if query else ""


# --- alerts -------------------------------------------------------------------------------------

_ALERT_LABELS = {"division_code": "镇街", "warehouse_id": "仓库", "warn_days": "临期预警天数"}


class AlertFilters(BaseModel):
    """Query filters of the alerts page (those of ``GET /api/v1/stock/alerts``)."""

    division_code: str | None = None
    warehouse_id: int | None = None
    warn_days: int | None = None


def alerts_page(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show items below their reserve minimum and batches expired or expiring soon."""
    check_readable(WAREHOUSES, actor)
    raw, values, warnings = _filters(
        AlertFilters, request.query_params, list(_ALERT_LABELS), _ALERT_LABELS
    )
    warn_days = values.get("warn_days")
    if warn_days is None or not 0 <= warn_days <= 3650:
        if warn_days is not None:
            warnings.append("临期预警天数应在 0 到 3650 之间，已使用默认值")
        warn_days = _warn_days(request)
    alerts = queries.stock_alerts(
        session,
        actor,
        _today(request),
        warn_days,
        warehouse_id=values.get("warehouse_id"),
        division_code=values.get("division_code"),
    )
    expiry = [
        {
            "row": a,
            "quantity": _quantity(a.quantity),
            "label": EXPIRY_STATUS_LABELS[a.status],
            "badge": _EXPIRY_BADGES[a.status],
            "days": (a.expires_on - alerts.today).days,
        }
        for a in alerts.expiry
    ]
    below = [
        {
            "row": a,
            "on_hand": _quantity(a.on_hand),
            "minimum": _quantity(a.minimum_quantity),
            "shortfall": _quantity(a.shortfall),
            "receive": NEW_MOVEMENT
            + "?"
            + urlencode({"kind": "receipt", "warehouse_id": a.warehouse_id, "item_id": a.item_id}),
        }
        for a in alerts.below_minimum
    ]
    filters = [
        _field("division_code", "镇街", "select", raw["division_code"], _divisions(session, actor)),
        _field("warehouse_id", "仓库", "select", raw["warehouse_id"]),
        _field("warn_days", "临期预警天数", "number", raw["warn_days"] or str(warn_days)),
    ]
    context = {
        "title": "库存预警",
        "filters": filters,
        "warehouses": _groups(warehouse_options(session, actor)),
        "warnings": warnings,
        "alerts": alerts,
        "expiry": expiry,
        "below": below,
        "can_move": can_move(actor),
    }
    return render_page(request, actor, "supplies/alerts.html", context)


# --- the ledger ---------------------------------------------------------------------------------

_MOVEMENT_LABELS = {
    "kind": "类型",
    "division_code": "镇街",
    "warehouse_id": "仓库",
    "item_id": "物资",
    "movement_no": "单号",
}


def _warehouse_names(session: Session, ids: set[int]) -> dict[int, str]:
    # The other side of a transfer may lie in another township: its name is part of the
    # line the actor may see (where the stock went), nothing more of it is shown.
    if not ids:
        return {}
    rows = session.execute(select(Warehouse.id, Warehouse.name).where(Warehouse.id.in_(ids)))
    return {wid: name for wid, name in rows}


def movements_page(request: Request, actor: PageActor, session: ReadSession, ctx: Ctx) -> Response:
    """Show the ledger, newest first, with filters and the button to record a movement."""
    check_readable(WAREHOUSES, actor)
    raw, values, warnings = _filters(
        MovementFilters, request.query_params, list(_MOVEMENT_LABELS), _MOVEMENT_LABELS
    )
    params = PageParams(page=_page_number(request.query_params.get("page")), size=PAGE_SIZE)
    page = queries.page_movements(session, actor, params, values)
    tz = ctx.settings.timezone
    others = _warehouse_names(
        session, {m.counterpart_warehouse_id for m in page.items if m.counterpart_warehouse_id}
    )
    rows = []
    for m in page.items:
        other = others.get(m.counterpart_warehouse_id or 0, "")
        direction = ""
        if m.kind is MovementKind.TRANSFER and other:
            direction = f"调往 {other}" if m.leg == 0 else f"来自 {other}"
        rows.append(
            {
                "row": m,
                "kind": MOVEMENT_KIND_LABELS[m.kind.value],
                "badge": _KIND_BADGES[m.kind.value],
                "direction": direction,
                "occurred_at": format_local(m.occurred_at, tz),
                "delta": _quantity(m.quantity_delta, signed=True),
                "counted": _quantity(m.counted) if m.counted is not None else "",
            }
        )
    filters = [
        _field("kind", "类型", "select", raw["kind"], _kind_options()),
        _field("division_code", "镇街", "select", raw["division_code"], _divisions(session, actor)),
        _field("warehouse_id", "仓库", "select", raw["warehouse_id"]),
        _field("item_id", "物资", "select", raw["item_id"]),
        _field("movement_no", "单号", "text", raw["movement_no"]),
    ]
    context = {
        "title": "出入库记录",
        "filters": filters,
        "warehouses": _groups(warehouse_options(session, actor, include_retired=True)),
        "items": _groups(item_options(session, actor)),
        "warnings": warnings,
        "rows": rows,
        "page": page,
        "filter_query": _query(raw),
        "can_move": can_move(actor),
    }
    return render_page(request, actor, "supplies/movements.html", context)


def _kind_options() -> list[Option]:
    return [Option(k, v) for k, v in MOVEMENT_KIND_LABELS.items()]


# --- the movement form --------------------------------------------------------------------------


def movement_fields() -> list[FormField]:
    """Return the movement form's controls (choices are filled per user)."""
    return [
        FormField("kind", "类型", "select", required=True, nullable=False),
        FormField("warehouse_id", "仓库", "select", required=True, help="调拨时为调出仓库"),
        FormField("to_warehouse_id", "调入仓库", "select"),
        FormField("item_id", "物资", "select", required=True),
        FormField(
            "quantity",
            "数量",
            "number",
            step="0.001",
            help="按物资的计量单位；调整时正数为增加、负数为减少",
        ),
        FormField("counted", "实盘数量", "number", step="0.001", help="盘点时实际清点到的数量"),
        FormField("batch", "批次", "text", maxlength=60, help="不分批次管理的物资留空"),
        FormField("expires_on", "有效期至", "date", help="有保质期的物资入库时必填"),
        FormField("occurred_at", "发生时间", "datetime", help="留空为当前时间"),
        FormField("reason", "事由/备注", "textarea", maxlength=500, help="调整须填写原因"),
    ]


def _new_reference() -> str:
    return f"web-{uuid4().hex}"


def _form_page(
    request: Request,
    actor: Actor,
    session: Session,
    fields: list[FormField],
    reference: str,
    *,
    general: Sequence[str] = (),
    status: int = 200,
) -> Response:
    warehouses = warehouse_options(session, actor)
    by_name = {f.name: f for f in fields}
    by_name["kind"].choices = [(o.value, o.text) for o in _kind_options()]
    options = {
        "warehouse_id": _groups(warehouses),
        "to_warehouse_id": _groups(warehouses),
        "item_id": _groups(item_options(session, actor)),
    }
    kind = by_name["kind"].value
    context = {
        "title": "登记出入库",
        "fields": fields,
        "options": options,
        "general": list(general),
        "reference": reference,
        "kind_fields": {str(k): list(v) for k, v in KIND_FIELDS.items()},
        "kind_required": {str(k): list(v) for k, v in KIND_REQUIRED.items()},
        "shown": set(KIND_FIELDS.get(kind, [f.name for f in fields])),
        "required": set(KIND_REQUIRED.get(kind, ())),
        "action": NEW_MOVEMENT,
        "cancel": MOVEMENTS,
    }
    return render_page(request, actor, "supplies/movement_form.html", context, status)


def new_movement_form(request: Request, actor: PageActor, session: ReadSession) -> Response:
    """Show the movement form (kind, warehouse, item and batch may come prefilled)."""
    if not can_move(actor):
        raise PermissionDenied("无权登记物资出入库")
    fields = movement_fields()
    query = request.query_params
    for f in fields:
        if f.name in ("kind", "warehouse_id", "item_id", "to_warehouse_id", "batch"):
            f.value = str(query.get(f.name) or "").strip()[:60]
    kind = next(f for f in fields if f.name == "kind")
    if kind.value not in KIND_FIELDS:
        kind.value = MovementKind.RECEIPT.value
    return _form_page(request, actor, session, fields, _new_reference())


def _parse(fields: list[FormField], form: FormData) -> tuple[dict[str, Any], list[FieldError]]:
    for f in fields:
        f.value = str(form.get(f.name) or "").strip()
    kind = next(f.value for f in fields if f.name == "kind")
    used = KIND_FIELDS.get(kind, tuple(f.name for f in fields))
    # The kind's own needs are checked here too, so every missing field is named at once.
    needed = KIND_REQUIRED.get(kind, ())
    data: dict[str, Any] = {}
    errors: list[FieldError] = []
    for f in fields:
        if f.name not in used or not f.value:
            if f.required or f.name in needed:
                errors.append(FieldError(f.name, "必填项"))
            continue
        data[f.name] = f.value
    return data, errors


def _occurred_at(data: dict[str, Any], timezone: str, errors: list[FieldError]) -> None:
    raw = data.get("occurred_at")
    if raw is None:
        return
    moment = parse_local(str(raw), timezone)
    if moment is None:
        errors.append(FieldError("occurred_at", "格式不正确"))
        del data["occurred_at"]
        return
    data["occurred_at"] = moment


def create_movement(request: Request, actor: PageActor, form: CheckedForm, ctx: Ctx) -> Response:
    """Record the posted movement, or show the form again with each reason by its field."""
    fields = movement_fields()
    data, errors = _parse(fields, form)
    _occurred_at(data, ctx.settings.timezone, errors)
    posted = str(form.get("reference") or "")
    reference = posted if _REFERENCE.fullmatch(posted) else _new_reference()
    data["reference"] = reference
    body = None
    try:
        body = MovementCreate.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors(exc, errors)
    general: list[str] = []
    status = 422
    if body is not None and not errors:
        try:
            with ctx.uow(actor) as uow:
                read, created = service.record_movement(uow, body)
                if created:
                    uow.commit()
        except ValidationFailed as exc:
            errors = list(exc.errors) or [FieldError("form", exc.detail)]
        except Conflict as exc:
            # The form was already used for a different movement (sent, then changed and
            # sent again): say so, and give the form a fresh reference for a new movement.
            general.append(f"{exc.detail}。如需再登记一笔，请核对后重新提交。")
            reference, status = _new_reference(), 409
        else:
            label = MOVEMENT_KIND_LABELS[read.kind.value]
            if created:
                flash(request, f"已登记{label}，单号 {read.movement_no}")
            else:
                flash(request, f"单号 {read.movement_no} 已登记，重复提交未再次记账", "warning")
            return RedirectResponse(MOVEMENTS, status_code=303)
    general.extend(attach_errors(fields, errors))
    with ctx.session_factory() as session:
        return _form_page(
            request, actor, session, fields, reference, general=general, status=status
        )


# --- routes and menu ----------------------------------------------------------------------------


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("services", title, url, _READERS))


router.add_api_route(STOCK, _nav(stock_page, "库存台账", STOCK), methods=["GET"])
router.add_api_route(ALERTS, _nav(alerts_page, "库存预警", ALERTS), methods=["GET"])
router.add_api_route(MOVEMENTS, _nav(movements_page, "出入库记录", MOVEMENTS), methods=["GET"])
router.add_api_route(NEW_MOVEMENT, new_movement_form, methods=["GET"])
router.add_api_route(NEW_MOVEMENT, create_movement, methods=["POST"])

routers = [router]
