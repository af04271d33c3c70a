"""Monitoring pages: devices with online status, live readings (ECharts + SSE), rule editor,
rejected-input counters.

Pages read through the same scoped queries as the API and write through the same audited
service; the live chart subscribes to the API's server-sent-event stream.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from yingji.accounts.deps import page_actor
from yingji.accounts.pages import checked_form, render_page
from yingji.core.actor import Actor
from yingji.core.errors import DomainError, NotFound
from yingji.core.web.context import AppContext, get_context, read_session
from yingji.core.web.flash import flash
from yingji.core.web.nav import NavEntry, mark_nav
from yingji.monitoring import queries, service
from yingji.monitoring.models import RuleState
from yingji.monitoring.rules import DEFAULT_RULES, DEVICE_KINDS, LEVEL_LABELS, LINKED_KINDS

router = APIRouter(include_in_schema=False)

DEVICES = "/monitoring/devices"
RULES = "/monitoring/rules"
REJECTIONS = "/monitoring/rejections"
LEVEL_BADGES = {
    "blue": "badge-blue",
    "yellow": "badge-yellow",
    "orange": "badge-orange",
    "red": "badge-red",
}
RAIN_HOURS = (1, 3, 6, 12, 24)


def _active_conditions(session: Session, device_ids: list[int]) -> dict[int, list[RuleState]]:
    out: dict[int, list[RuleState]] = {}
    if not device_ids:
        return out
    rows = session.scalars(
        select(RuleState).where(
            RuleState.device_id.in_(device_ids), RuleState.active_level.is_not(None)
        )
    )
    for row in rows:
        out.setdefault(row.device_id, []).append(row)
    return out


def devices_page(
    request: Request,
    kind: str = "",
    online: str = "",
    actor: Actor = Depends(page_actor),
    ctx: AppContext = Depends(get_context),
    session: Session = Depends(read_session),
) -> Response:
    """List the devices the actor may see, with online status and active conditions."""
    now = ctx.clock.now()
    status = {"1": True, "0": False}.get(online)
    devices = queries.list_devices(session, actor, now, kind=kind or None, online=status)
    conditions = _active_conditions(session, [d.id for d in devices])
    context = {
        "title": "感知设备",
        "devices": devices,
        "conditions": conditions,
        "kinds": DEVICE_KINDS,
        "kind": kind,
        "online": online,
        "badges": LEVEL_BADGES,
        "total": len(devices),
        "online_count": sum(1 for d in devices if d.online),
    }
    return render_page(request, actor, "monitoring/devices.html", context)


def device_page(
    device_id: int,
    request: Request,
    actor: Actor = Depends(page_actor),
    ctx: AppContext = Depends(get_context),
    session: Session = Depends(read_session),
) -> Response:
    """Show a device, its rule states and its recent readings as a live chart."""
    now = ctx.clock.now()
    device = queries.get_device(session, actor, device_id, now)
    rows = queries.list_readings(session, device_id, since=now - timedelta(hours=24), limit=2000)
    series: dict[str, list[list[Any]]] = {m.code: [] for m in device.metrics}
    for _id, r in rows:
        series.setdefault(r.metric, []).append([r.observed_at.isoformat(), r.value])
    last_id = max((i for i, _r in rows), default=0)
    rain = None
    if device.kind == "rain_gauge":
        rain = queries.accumulations(session, device_id, "rainfall", now, RAIN_HOURS)
    context = {
        "title": device.name,
        "device": device,
        "states": queries.rule_states(session, device_id),
        "level_labels": LEVEL_LABELS,
        "badges": LEVEL_BADGES,
        "linked_kinds": LINKED_KINDS,
        "rain": rain,
        "chart": json.dumps(
            {
                "metrics": [m.model_dump() for m in device.metrics],
                "series": series,
                "after": last_id,
                "stream": f"/api/v1/monitoring/devices/{device_id}/stream",
            },
            ensure_ascii=False,
        ),
        "latest": {m: (pts[-1] if pts else None) for m, pts in series.items()},
    }
    return render_page(request, actor, "monitoring/device.html", context)


def _rule_target(
    session: Session, actor: Actor, kind: str, device: str
) -> tuple[str, str, str, str]:
    """Return (scope, target, kind, title) for the editor's query string."""
    if device:
        if not device.isdigit():
            raise NotFound("设备不存在")
        row = queries.get_device_row(session, actor, int(device))
        return "device", str(row.id), row.kind, f"设备 {row.code} {row.name}"
    kind = kind or next(iter(DEVICE_KINDS))
    if kind not in DEVICE_KINDS:
        raise NotFound("设备类型不存在")
    return "kind", kind, kind, f"设备类型 {DEVICE_KINDS[kind].label}"


def _editor(
    request: Request,
    actor: Actor,
    session: Session,
    scope: str,
    target: str,
    kind: str,
    title: str,
    text: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    config = queries.rule_config(session, scope, target, kind)
    if text is None:
        shown = (
            config.configured
            if config.configured is not None
            else (
                [r.model_dump(mode="json") for r in DEFAULT_RULES.get(kind, ())]
                if scope == "kind"
                else []
            )
        )
        text = json.dumps(shown, ensure_ascii=False, indent=2)
    devices = queries.list_devices(session, actor, request.app.state.ctx.clock.now())
    context = {
        "title": "报警规则",
        "scope": scope,
        "target": target,
        "kind": kind,
        "heading": title,
        "kinds": DEVICE_KINDS,
        "devices": devices,
        "config": config,
        "text": text,
        "error": error,
        "level_labels": LEVEL_LABELS,
        "uses_defaults": scope == "kind" and config.configured is None,
    }
    return render_page(request, actor, "monitoring/rules.html", context, status)


def rules_page(
    request: Request,
    kind: str = "",
    device: str = "",
    actor: Actor = Depends(page_actor),
    session: Session = Depends(read_session),
) -> Response:
    """Show the rule editor for a device kind or one device's override."""
    scope, target, kind_code, title = _rule_target(session, actor, kind, device)
    return _editor(request, actor, session, scope, target, kind_code, title)


async def _form(request: Request) -> FormData:
    return await checked_form(request)


def save_rules(
    request: Request,
    form: FormData = Depends(_form),
    actor: Actor = Depends(page_actor),
    ctx: AppContext = Depends(get_context),
) -> Response:
    """Save (or reset) the rules of a kind or a device from the editor."""
    kind = str(form.get("kind") or "")
    device = str(form.get("device") or "")
    text = str(form.get("rules") or "")
    reset = form.get("action") == "reset"
    with ctx.session_factory() as session:
        scope, target, kind_code, title = _rule_target(session, actor, kind, device)
    back = f"{RULES}?device={target}" if scope == "device" else f"{RULES}?kind={target}"
    error: str | None = None
    try:
        raw = None if reset else json.loads(text or "[]")
        with ctx.uow(actor) as uow:
            service.set_rules(uow, scope, target, raw)
            uow.commit()
    except json.JSONDecodeError as exc:
        error = f"规则不是合法的 JSON：{exc.msg}（第 {exc.lineno} 行）"
    except DomainError as exc:
        if exc.status != 422:
            raise
        error = "；".join(e.reason for e in exc.errors) or exc.detail
    if error is not None:
        with ctx.session_factory() as session:
            return _editor(
                request, actor, session, scope, target, kind_code, title, text, error, 422
            )
    flash(request, "已恢复默认规则" if reset else "报警规则已保存")
    return RedirectResponse(back, status_code=303)


def rejections_page(
    request: Request,
    actor: Actor = Depends(page_actor),
    ctx: AppContext = Depends(get_context),
    session: Session = Depends(read_session),
) -> Response:
    """Show the rejected-input counters and ingest health."""
    context = {
        "title": "接入质量",
        "rows": queries.rejections(session),
        "metrics": queries.metrics(session, actor, ctx.clock.now()),
    }
    return render_page(request, actor, "monitoring/rejections.html", context)


def _nav(endpoint: Any, title: str, url: str) -> Any:
    return mark_nav(endpoint, NavEntry("monitoring", title, url))


router.add_api_route(DEVICES, _nav(devices_page, "感知设备", DEVICES), methods=["GET"])
router.add_api_route(f"{DEVICES}/{{device_id}}", device_page, methods=["GET"])
router.add_api_route(RULES, _nav(rules_page, "报警规则", RULES), methods=["GET"])
router.add_api_route(RULES, save_rules, methods=["POST"])
router.add_api_route(REJECTIONS, _nav(rejections_page, "接入质量", REJECTIONS), methods=["GET"])

routers = [router]
