"""Monitoring API: HTTP telemetry ingest, devices, readings, rules, metrics, live stream (SSE)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import PlainTextResponse, StreamingResponse

from yingji.core.errors import NotFound
from yingji.monitoring import queries, service
from yingji.monitoring.rules import DEVICE_KINDS, config_from
from yingji.monitoring.schemas import (
    DeviceCreate,
    DeviceRead,
    DeviceUpdate,
    IngestResult,
    MetricsRead,
    ReadingRead,
    RejectionRead,
    RuleConfigRead,
    RuleStateRead,
    TelemetryBatch,
)
from yingji.web.deps import ApiActor, Ctx, ReadSession

BASE = "/api/v1/monitoring"
router = APIRouter(tags=["监测"])


@router.post(
    "/api/v1/telemetry",
    response_model=IngestResult,
    summary="批量上报监测数据（每条读数注明 device；坏数据计数后跳过，其余照常入库）",
)
def post_telemetry(body: TelemetryBatch, actor: ApiActor, ctx: Ctx) -> IngestResult:
    """Store a batch of readings of devices in the actor's scope (see docs/telemetry.md)."""
    with ctx.uow(actor) as uow:
        result = service.ingest(
            uow,
            [service.Message(None, body.readings)],
            config=config_from(ctx.settings),
            scoped=True,
        )
        uow.commit()
    return result


@router.get(f"{BASE}/devices", response_model=list[DeviceRead], summary="设备列表（含在线状态）")
def list_devices(
    actor: ApiActor,
    ctx: Ctx,
    session: ReadSession,
    kind: str | None = None,
    online: bool | None = None,
) -> list[DeviceRead]:
    """List the devices the actor may see."""
    return queries.list_devices(session, actor, ctx.clock.now(), kind=kind, online=online)


@router.post(f"{BASE}/devices", response_model=DeviceRead, status_code=201, summary="登记设备")
def create_device(body: DeviceCreate, response: Response, actor: ApiActor, ctx: Ctx) -> DeviceRead:
    """Register a device."""
    with ctx.uow(actor) as uow:
        read = service.register_device(uow, body)
        uow.commit()
    response.headers["Location"] = f"{BASE}/devices/{read.id}"
    return read


@router.get(f"{BASE}/devices/{{device_id}}", response_model=DeviceRead, summary="设备详情")
def get_device(device_id: int, actor: ApiActor, ctx: Ctx, session: ReadSession) -> DeviceRead:
    """Return a visible device."""
    return queries.get_device(session, actor, device_id, ctx.clock.now())


@router.patch(f"{BASE}/devices/{{device_id}}", response_model=DeviceRead, summary="修改设备")
def patch_device(device_id: int, body: DeviceUpdate, actor: ApiActor, ctx: Ctx) -> DeviceRead:
    """Change a visible device."""
    with ctx.uow(actor) as uow:
        read = service.update_device(uow, device_id, body)
        uow.commit()
    return read


@router.post(f"{BASE}/devices/{{device_id}}/retire", status_code=204, summary="停用设备")
def retire_device(device_id: int, actor: ApiActor, ctx: Ctx) -> Response:
    """Retire a visible device."""
    with ctx.uow(actor) as uow:
        service.retire_device(uow, device_id)
        uow.commit()
    return Response(status_code=204)


@router.get(
    f"{BASE}/devices/{{device_id}}/readings",
    response_model=list[ReadingRead],
    summary="设备监测数据（最近的在后）",
)
def device_readings(
    device_id: int,
    actor: ApiActor,
    session: ReadSession,
    metric: str | None = None,
    since: datetime | None = None,
    limit: int = Query(500, ge=1, le=5000),
) -> list[ReadingRead]:
    """Return a visible device's readings, oldest first."""
    queries.get_device_row(session, actor, device_id)
    rows = queries.list_readings(session, device_id, metric=metric, since=since, limit=limit)
    return [r for _id, r in rows]


@router.get(
    f"{BASE}/devices/{{device_id}}/rule-states",
    response_model=list[RuleStateRead],
    summary="设备报警规则状态",
)
def device_rule_states(
    device_id: int, actor: ApiActor, session: ReadSession
) -> list[RuleStateRead]:
    """Return where each rule of a visible device stands."""
    queries.get_device_row(session, actor, device_id)
    return queries.rule_states(session, device_id)


def sse_lines(event: str, data: Any, event_id: int | None = None) -> str:
    """Return one server-sent event."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


@router.get(f"{BASE}/devices/{{device_id}}/stream", summary="实时数据流（text/event-stream）")
def device_stream(
    device_id: int,
    actor: ApiActor,
    ctx: Ctx,
    after: int | None = Query(None, description="last reading id seen (Last-Event-ID)"),
    seconds: float = Query(55.0, ge=0, le=300, description="close after this many seconds"),
) -> StreamingResponse:
    """Stream a visible device's new readings as server-sent events (the page reconnects)."""
    with ctx.session_factory() as session:
        queries.get_device_row(session, actor, device_id)

    def events() -> Iterator[str]:
        last = after
        deadline = time.monotonic() + seconds
        yield "retry: 3000\n\n"
        while True:
            with ctx.session_factory() as session:
                rows = queries.list_readings(session, device_id, after_id=last, limit=1000)
                states = queries.rule_states(session, device_id)
            if rows:
                last = max(i for i, _r in rows)
                data = [r.model_dump(mode="json") for _i, r in rows]
                yield sse_lines("readings", data, last)
                yield sse_lines("states", [s.model_dump(mode="json") for s in states])
            else:
                # A comment line keeps proxies from closing the stream and lets the server
                # notice a browser that has gone away.
                yield ": keep-alive\n\n"
            if time.monotonic() >= deadline:
                return
            time.sleep(2.0)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


@router.get(
    f"{BASE}/rules/kinds/{{kind}}", response_model=RuleConfigRead, summary="设备类型报警规则"
)
def kind_rules(kind: str, actor: ApiActor, session: ReadSession) -> RuleConfigRead:
    """Return the configured and effective rules of a device kind."""
    if kind not in DEVICE_KINDS:
        raise NotFound("设备类型不存在")
    return queries.rule_config(session, "kind", kind, kind)


@router.put(
    f"{BASE}/rules/kinds/{{kind}}", response_model=RuleConfigRead, summary="设置设备类型报警规则"
)
def put_kind_rules(
    kind: str,
    actor: ApiActor,
    ctx: Ctx,
    rules: list[dict[str, Any]] | None = Body(None, embed=True),
) -> RuleConfigRead:
    """Replace a kind's rules (``{"rules": null}`` restores the national defaults)."""
    with ctx.uow(actor) as uow:
        service.set_rules(uow, "kind", kind, rules)
        uow.commit()
    with ctx.session_factory() as session:
        return queries.rule_config(session, "kind", kind, kind)


@router.get(
    f"{BASE}/rules/devices/{{device_id}}", response_model=RuleConfigRead, summary="设备报警规则"
)
def device_rules(device_id: int, actor: ApiActor, session: ReadSession) -> RuleConfigRead:
    """Return a visible device's override and effective rules."""
    device = queries.get_device_row(session, actor, device_id)
    return queries.rule_config(session, "device", str(device_id), device.kind)


@router.put(
    f"{BASE}/rules/devices/{{device_id}}",
    response_model=RuleConfigRead,
    summary="设置设备报警规则覆盖",
)
def put_device_rules(
    device_id: int,
    actor: ApiActor,
    ctx: Ctx,
    rules: list[dict[str, Any]] | None = Body(None, embed=True),
) -> RuleConfigRead:
    """Replace a device's overriding rules (by rule key; null removes the override)."""
    with ctx.uow(actor) as uow:
        service.set_rules(uow, "device", str(device_id), rules)
        uow.commit()
    with ctx.session_factory() as session:
        device = queries.get_device_row(session, actor, device_id)
        return queries.rule_config(session, "device", str(device_id), device.kind)


@router.get(f"{BASE}/rejections", response_model=list[RejectionRead], summary="拒收数据计数")
def rejections(actor: ApiActor, session: ReadSession) -> list[RejectionRead]:
    """Return the rejected-input counters by reason."""
    return queries.rejections(session)


@router.get(f"{BASE}/metrics", response_model=MetricsRead, summary="接入指标")
def metrics(actor: ApiActor, ctx: Ctx, session: ReadSession) -> MetricsRead:
    """Return ingest health: stored readings, rejections by reason, devices online."""
    return queries.metrics(session, actor, ctx.clock.now())


@router.get(
    f"{BASE}/metrics/prometheus",
    response_class=PlainTextResponse,
    summary="接入指标（Prometheus 文本格式）",
)
def metrics_prometheus(actor: ApiActor, ctx: Ctx, session: ReadSession) -> PlainTextResponse:
    """Return the same figures in the Prometheus text exposition format."""
    m = queries.metrics(session, actor, ctx.clock.now())
    lines = [
        "# HELP yingji_readings_stored Readings stored (raw table).",
        "# TYPE yingji_readings_stored gauge",
        f"yingji_readings_stored {m.readings_stored}",
        "# HELP yingji_ingest_rejected_total Telemetry refused, by reason.",
        "# TYPE yingji_ingest_rejected_total counter",
        *(f'yingji_ingest_rejected_total{{reason="{k}"}} {v}' for k, v in m.rejected.items()),
        "# TYPE yingji_devices gauge",
        f"yingji_devices {m.devices}",
        "# TYPE yingji_devices_online gauge",
        f"yingji_devices_online {m.devices_online}",
        "# TYPE yingji_active_conditions gauge",
        f"yingji_active_conditions {m.active_conditions}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


routers = [router]
