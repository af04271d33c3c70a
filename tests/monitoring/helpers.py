"""Monitoring test helpers: ingest a message as the MQTT loop does, read the outbox."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from yingji.core.actor import system_actor
from yingji.core.outbox import OutboxMessage
from yingji.core.web.context import AppContext
from yingji.monitoring import service
from yingji.monitoring.schemas import IngestResult


def send(ctx: AppContext, code: str | None, payload: Any) -> IngestResult:
    """Ingest one message as the MQTT loop would (system actor, one commit)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    with ctx.uow(system_actor("ingest")) as uow:
        result = service.ingest(uow, [service.Message(code, body)])
        uow.commit()
    return result


def iso(at: datetime) -> str:
    """Return an ISO timestamp."""
    return at.isoformat()


def outbox(ctx: AppContext, name: str) -> list[dict[str, Any]]:
    """Return payloads of outbox events called ``name``, oldest first."""
    with ctx.session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.name == name).order_by(OutboxMessage.id)
        )
        return [dict(r.payload) for r in rows]


def put(api: Any, url: str, **kw: Any) -> Any:
    """PUT as the user behind ``api`` (the shared test client has no put helper)."""
    return api.client.put(url, headers=api.headers, **kw)
