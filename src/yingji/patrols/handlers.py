"""Patrol reactions: a public report follows the check of the hazard it became.

When the township confirms the hazard a public report was turned into (or linked to), the
report counts as verified (属实); when it rejects the hazard, as unfounded (不属实). Only
reports still waiting for their check move, so a replayed event, or a report the officer
already decided by hand, is left as it is.
"""

from __future__ import annotations

from sqlalchemy import select

from yingji.core.composition import Subscription
from yingji.core.events import Event
from yingji.core.uow import UnitOfWork
from yingji.patrols import service
from yingji.patrols.models import PublicReport
from yingji.patrols.rules import ReportAction, ReportState
from yingji.patrols.schemas import ReportDecision
from yingji.risks.hazards.events import HazardStateChanged

# The hazard's step → the finding it means for the public reports behind it.
_FINDINGS = {
    "confirmed": (ReportAction.VERIFY, "关联隐患已确认，举报核实属实"),
    "rejected": (ReportAction.DISMISS, "关联隐患经核查不成立，举报核实不属实"),
}


def on_hazard_state_changed(uow: UnitOfWork, event: Event) -> None:
    """Verify or dismiss the waiting public reports behind a confirmed / rejected hazard."""
    assert isinstance(event, HazardStateChanged)
    finding = _FINDINGS.get(event.to_state)
    if finding is None:
        return
    action, note = finding
    waiting = uow.session.scalars(
        select(PublicReport.id).where(
            PublicReport.hazard_id == event.hazard_id,
            PublicReport.state == ReportState.RECEIVED.value,
        )
    ).all()
    for report_id in waiting:
        service.decide_public_report(uow, report_id, action, ReportDecision(note=note))


SUBSCRIPTIONS = (
    # The name is the handler's qualified name, as before: it keys the idempotency records.
    Subscription(
        HazardStateChanged,
        on_hazard_state_changed,
        "yingji.patrols.handlers.on_hazard_state_changed",
    ),
)
