"""Two deliveries of one external reference at the same moment make one incident.

Threads with their own units of work are released together by a barrier. On PostgreSQL the
loser's insert hits the unique index and is answered with the winner's id (savepoint); on
SQLite BEGIN IMMEDIATE serializes them and the second finds the first.
"""

from __future__ import annotations

import threading
import traceback
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from support.district import POINT_A
from yingji.core.actor import system_actor
from yingji.incidents.models import Incident
from yingji.incidents.schemas import IncidentCreate
from yingji.incidents.service import intake_incident

ROUNDS = 8


def _race(ctx: Any, body: IncidentCreate) -> tuple[list[int], list[str]]:
    """Deliver ``body`` from two threads at once; return the ids answered and any errors."""
    barrier = threading.Barrier(2)
    got: list[int] = []
    errors: list[str] = []

    def deliver() -> None:
        try:
            barrier.wait()
            with ctx.uow(system_actor("race")) as uow:
                got.append(intake_incident(uow, body))
                uow.commit()
        except Exception:  # collected and reported by the test
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return got, errors


def test_same_external_ref_twice_at_once(ctx: Any) -> None:
    for n in range(ROUNDS):
        body = IncidentCreate(
            category="accident",
            type="fire",
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
            title="同时推送",
            longitude=POINT_A[0],
            latitude=POINT_A[1],
            external_ref=f"119-race-{n}",
        )
        got, errors = _race(ctx, body)
        assert errors == []
        assert len(got) == 2
        assert got[0] == got[1]
    with ctx.session_factory() as s:
        assert s.scalar(select(func.count(Incident.id))) == ROUNDS
