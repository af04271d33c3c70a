"""Two reviewers act on one submitted hazard at the same instant: exactly one wins.

Each thread has its own unit of work; the hazard row is locked (SELECT … FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite) and re-read before the transition table is asked, so
the second reviewer sees the first one's state and gets the 409.
"""

from __future__ import annotations

import threading
import traceback

from support.district import DISTRICT
from yingji.core.actor import Actor
from yingji.core.errors import Conflict
from yingji.risks.hazards import service
from yingji.risks.hazards.schemas import HazardActionRequest

ROUNDS = 5


def _actor(ids: dict[str, int], username: str, role: str) -> Actor:
    return Actor(
        user_id=ids[f"user:{username}"], username=username, role=role, division_code=DISTRICT
    )


def _race(ctx, hazard_id: int, reviewers: list[tuple[Actor, str]]) -> list[str]:
    """Run each reviewer's action in its own thread, released together; return outcomes."""
    barrier = threading.Barrier(len(reviewers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(actor: Actor, action: str) -> None:
        barrier.wait()
        try:
            with ctx.uow(actor) as uow:
                request = HazardActionRequest(reason="并发测试")
                service.take_action(uow, hazard_id, action, request)
                uow.commit()
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # a deadlock must fail the test, visibly
            traceback.print_exc()
            outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=r) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_accept_and_return_at_once_one_wins(ctx, ids, make_hazard):
    reviewers = [
        (_actor(ids, "bureau", "bureau_staff"), "accept"),
        (_actor(ids, "inspector", "inspector"), "return"),
    ]
    for _ in range(ROUNDS):
        hazard_id = make_hazard("submitted")
        assert sorted(_race(ctx, hazard_id, reviewers)) == ["conflict", "ok"]
