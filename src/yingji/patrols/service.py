"""Patrol writes: patrols and their tracks and checks, grid reports, public reports, rewards.

Every write is audited in its own transaction (the edge commits). A grid member's hazard
goes into the hazard loop (``report_hazard(source="grid_patrol")``); an event is announced
(``GridEventReported``). A public report is routed to the township holding its location,
linked to an open hazard of the same kind nearby or handed to the hazard loop as a new one,
and answered through its tracking code.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.accounts.models import User
from yingji.accounts.rules import Role
from yingji.accounts.schemas import has_role
from yingji.accounts.scoping import covers_division
from yingji.core.errors import (
    Conflict,
    FieldError,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
    invalid,
)
from yingji.core.notices import NoticeRequested
from yingji.core.uow import UnitOfWork
from yingji.geo.queries import division_exists, division_names, locate
from yingji.patrols import hazard_link
from yingji.patrols.events import (
    GridEventReported,
    PublicReportReceived,
    PublicReportReplied,
)
from yingji.patrols.models import GridReport, Patrol, PatrolCheck, PublicReport, TrackPoint
from yingji.patrols.queries import (
    check_counts,
    check_read,
    grid_report_read,
    patrol_read,
    public_report_read,
    recent_reports_from,
    tracking_hash,
    visible_patrol,
    visible_public_report,
)
from yingji.patrols.rules import (
    DEFAULT_REPORT_CONFIG,
    EVENT_CATEGORY_LABELS,
    GRID_REPORTERS,
    HAZARD_KIND_LABELS,
    PATROLLERS,
    REPORT_HANDLERS,
    REPORT_MACHINE,
    REPORT_STATE_LABELS,
    REWARD_KEEPERS,
    GridReportType,
    PatrolState,
    PublicReportConfig,
    ReportAction,
    ReportState,
    RewardState,
    new_tracking_code,
    reward_problem,
    township_of,
    track_length_m,
)
from yingji.patrols.schemas import (
    CheckCreate,
    CheckRead,
    GridReportCreate,
    GridReportRead,
    PatrolFinish,
    PatrolRead,
    PatrolStart,
    PublicReportCreate,
    PublicReportRead,
    PublicReportReceipt,
    ReportDecision,
    ReportReply,
    RewardGrant,
    RewardPayment,
    TrackBatch,
    TrackUploadRead,
)


def _role_in(uow: UnitOfWork, roles: frozenset[Role]) -> bool:
    return has_role(uow.actor, roles, or_system=True)


# --- patrols -----------------------------------------------------------------------------------


def start_patrol(uow: UnitOfWork, data: PatrolStart) -> PatrolRead:
    """Start a patrol of the member's grid (one under way at a time per member)."""
    actor = uow.actor
    if not _role_in(uow, PATROLLERS) or actor.user_id is None:
        raise PermissionDenied("只有网格员或镇街工作人员可以开始巡查")
    code = data.division_code or actor.division_code
    if code is None or not covers_division(actor, code) or not division_exists(uow.session, code):
        raise invalid("division_code", "巡查范围应为本人负责的网格或村社")
    ongoing = uow.session.scalar(
        select(Patrol.id).where(
            Patrol.patroller_id == actor.user_id, Patrol.state == PatrolState.ONGOING.value
        )
    )
    if ongoing is not None:
        raise Conflict(f"已有进行中的巡查（编号 {ongoing}），请先结束", code="patrol_ongoing")
    patrol = Patrol(
        division_code=code,
        patroller_id=actor.user_id,
        patroller_name=actor.name,
        state=PatrolState.ONGOING.value,
        started_at=uow.clock.now(),
        distance_m=0.0,
        point_count=0,
    )
    uow.session.add(patrol)
    uow.session.flush()
    read = patrol_read(patrol)
    uow.audit(
        "patrols.patrol.start", Patrol.__tablename__, patrol.id, after=read.model_dump(mode="json")
    )
    return read


def _own_patrol(uow: UnitOfWork, patrol_id: int, *, ongoing: bool) -> Patrol:
    patrol = visible_patrol(uow.session, uow.actor, patrol_id)
    if not uow.actor.is_system and patrol.patroller_id != uow.actor.user_id:
        raise PermissionDenied("只有巡查人本人可以记录该巡查")
    if ongoing and patrol.state != PatrolState.ONGOING.value:
        raise Conflict("该巡查已结束", code="patrol_finished")
    return patrol


def _refresh_track(uow: UnitOfWork, patrol: Patrol) -> None:
    rows = uow.session.execute(
        select(TrackPoint.longitude, TrackPoint.latitude)
        .where(TrackPoint.patrol_id == patrol.id)
        .order_by(TrackPoint.recorded_at)
    ).all()
    patrol.point_count = len(rows)
    patrol.distance_m = track_length_m([(lon, lat) for lon, lat in rows])


def upload_track(uow: UnitOfWork, patrol_id: int, batch: TrackBatch) -> TrackUploadRead:
    """Add a batch of positions to a patrol under way; positions already held are skipped."""
    patrol = _own_patrol(uow, patrol_id, ongoing=True)
    now = uow.clock.now()
    known = set(
        uow.session.scalars(select(TrackPoint.recorded_at).where(TrackPoint.patrol_id == patrol.id))
    )
    added = 0
    seen: set[datetime] = set()
    for point in sorted(batch.points, key=lambda p: p.recorded_at):
        at = (
            point.recorded_at
            if point.recorded_at.tzinfo
            else point.recorded_at.replace(tzinfo=now.tzinfo)
        )
        if at in known or at in seen:
            continue
        # A phone clock far in the future would make the track unreadable: refuse the batch.
        if at > now + timedelta(minutes=5):
            raise invalid("points", "定位时间晚于当前时间，请校准手机时间")
        seen.add(at)
        uow.session.add(
            TrackPoint(
                patrol_id=patrol.id,
                recorded_at=at,
                longitude=point.longitude,
                latitude=point.latitude,
                accuracy_m=point.accuracy_m,
            )
        )
        added += 1
    uow.session.flush()
    _refresh_track(uow, patrol)
    if added:
        uow.audit(
            "patrols.patrol.track_upload",
            Patrol.__tablename__,
            patrol.id,
            after={"added": added, "point_count": patrol.point_count},
        )
    return TrackUploadRead.of(
        patrol,
        added=added,
        duplicates=len(batch.points) - added,
        distance_m=round(patrol.distance_m, 1),
    )


def record_check(uow: UnitOfWork, patrol_id: int, data: CheckCreate) -> CheckRead:
    """Record a check made on a patrol under way (an anomaly is a check with that result)."""
    patrol = _own_patrol(uow, patrol_id, ongoing=True)
    check = PatrolCheck(
        patrol_id=patrol.id,
        item=data.item,
        result=data.result.value,
        note=data.note or None,
        longitude=data.longitude,
        latitude=data.latitude,
        photo_keys=list(data.photo_keys),
        checked_at=uow.clock.now(),
    )
    uow.session.add(check)
    uow.session.flush()
    read = check_read(check)
    uow.audit(
        "patrols.patrol.check",
        PatrolCheck.__tablename__,
        check.id,
        after=read.model_dump(mode="json"),
    )
    return read


def finish_patrol(uow: UnitOfWork, patrol_id: int, data: PatrolFinish) -> PatrolRead:
    """Finish a patrol under way with its summary; its length is taken from the track."""
    patrol = _own_patrol(uow, patrol_id, ongoing=True)
    before = patrol_read(patrol).model_dump(mode="json")
    _refresh_track(uow, patrol)
    patrol.state = PatrolState.FINISHED.value
    patrol.finished_at = uow.clock.now()
    patrol.summary = data.summary or None
    uow.session.flush()
    read = patrol_read(patrol, check_counts(uow.session, [patrol.id]).get(patrol.id, (0, 0)))
    uow.audit(
        "patrols.patrol.finish",
        Patrol.__tablename__,
        patrol.id,
        before=before,
        after=read.model_dump(mode="json"),
    )
    return read


# --- grid reports ------------------------------------------------------------------------------


def _grid_division(uow: UnitOfWork, lon: float | None, lat: float | None) -> str:
    actor = uow.actor
    if lon is not None and lat is not None:
        found = locate(uow.session, lon, lat)
        if found is None:
            raise invalid("longitude", "位置不在本区范围内")
        # Reported where it is, as long as that is the member's own area; GPS drift just
        # across a boundary files it under the member's grid (the coordinates stay exact).
        if covers_division(actor, found.code):
            return found.code
    if actor.division_code is None:
        raise invalid("longitude", "请提供位置")
    return actor.division_code


def report_from_grid(uow: UnitOfWork, data: GridReportCreate) -> GridReportRead:
    """Record a grid member's report: a hazard enters the hazard loop, an event is announced."""
    actor = uow.actor
    if not _role_in(uow, GRID_REPORTERS):
        raise PermissionDenied("只有网格员或镇街工作人员可以上报")
    labels = (
        HAZARD_KIND_LABELS if data.report_type is GridReportType.HAZARD else EVENT_CATEGORY_LABELS
    )
    if data.category not in labels:
        raise invalid("category", "类别不在可选范围内")
    if (data.longitude is None) != (data.latitude is None):
        raise invalid("latitude", "经度和纬度应同时填写")
    if data.patrol_id is not None:
        patrol = visible_patrol(uow.session, actor, data.patrol_id)
        if patrol.patroller_id != actor.user_id:
            raise invalid("patrol_id", "只能关联本人的巡查")
    division_code = _grid_division(uow, data.longitude, data.latitude)
    now = uow.clock.now()
    occurred_at = data.occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise invalid("occurred_at", "发现时间不能晚于当前时间")
    report = GridReport(
        report_type=data.report_type.value,
        category=data.category,
        title=data.title,
        description=data.description,
        division_code=division_code,
        longitude=data.longitude,
        latitude=data.latitude,
        photo_keys=list(data.photo_keys),
        occurred_at=occurred_at,
        reporter_id=actor.user_id,
        reporter_name=actor.name,
        patrol_id=data.patrol_id,
        created_at=now,
    )
    uow.session.add(report)
    uow.session.flush()
    if data.report_type is GridReportType.HAZARD:
        report.hazard_id = hazard_link.report(
            uow,
            source="grid_patrol",
            source_ref=f"grid_report:{report.id}",
            kind=data.category,
            title=data.title,
            description=data.description,
            division_code=division_code,
            longitude=data.longitude,
            latitude=data.latitude,
            photo_keys=list(data.photo_keys),
        )
    else:
        uow.add_event(
            GridEventReported.of(
                data,
                report_id=report.id,
                occurred_at=occurred_at,
                division_code=division_code,
                reporter_user_id=actor.user_id,
            )
        )
    uow.session.flush()
    read = grid_report_read(report)
    uow.audit(
        "patrols.grid_report.create",
        GridReport.__tablename__,
        report.id,
        after=read.model_dump(mode="json"),
    )
    return read


# --- public reports ----------------------------------------------------------------------------


def client_fingerprint(client: str, secret: str) -> str:
    """Return the keyed hash of a client address (kept for the rate limit, not the address)."""
    return hmac.new(secret.encode(), client.encode(), hashlib.sha256).hexdigest()


def ensure_within_limit(
    session: Session, client_hash: str, now: datetime, config: PublicReportConfig
) -> None:
    """Refuse (429) a client that sent too many public reports in the last hour or day."""
    if recent_reports_from(session, client_hash, now - timedelta(hours=1)) >= (
        config.per_client_per_hour
    ) or recent_reports_from(session, client_hash, now - timedelta(days=1)) >= (
        config.per_client_per_day
    ):
        raise TooManyAttempts("提交过于频繁，请稍后再试；紧急情况请拨打 12350 或 119")


def _route(uow: UnitOfWork, lon: float, lat: float) -> tuple[str, str]:
    found = locate(uow.session, lon, lat)
    if found is None:
        raise ValidationFailed(
            [
                FieldError("longitude", "位置不在本区范围内"),
                FieldError("latitude", "位置不在本区范围内"),
            ],
            detail="举报地点不在本区范围内，请向属地应急管理部门举报",
        )
    if len(found.code) < 9:
        raise invalid("longitude", "无法确定举报地点所属镇街，请在地图上重新选点")
    return found.code, township_of(found.code)


def receive_public_report(
    uow: UnitOfWork,
    data: PublicReportCreate,
    *,
    client_hash: str,
    photo_keys: Sequence[str] = (),
    config: PublicReportConfig = DEFAULT_REPORT_CONFIG,
) -> PublicReportReceipt:
    """Take a public report: rate-limit, route by location, dedupe against open hazards.

    ``photo_keys`` come only from files the public form stored itself, never from the
    request body, so a report cannot point at somebody else's stored photo.
    """
    now = uow.clock.now()
    session = uow.session
    ensure_within_limit(session, client_hash, now, config)
    division_code, township_code = _route(uow, data.longitude, data.latitude)
    named = not data.anonymous and bool(data.reporter_name or data.reporter_phone)
    code = new_tracking_code()
    report = PublicReport(
        tracking_hash=tracking_hash(code),
        kind=data.kind,
        title=data.title,
        description=data.description,
        address=data.address,
        longitude=data.longitude,
        latitude=data.latitude,
        division_code=division_code,
        township_code=township_code,
        anonymous=not named,
        # An anonymous reporter's name or phone, if typed anyway, is not kept.
        reporter_name=data.reporter_name if named else None,
        reporter_phone=data.reporter_phone if named else None,
        photo_keys=list(photo_keys),
        client_hash=client_hash,
        state=ReportState.RECEIVED.value,
        reward_state=RewardState.NONE.value,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    existing = hazard_link.open_hazard_near(
        uow,
        longitude=data.longitude,
        latitude=data.latitude,
        radius_m=config.dedupe_radius_m,
        kind=data.kind,
    )
    if existing is not None:
        report.hazard_id, report.linked_existing = existing, True
    else:
        report.hazard_id = hazard_link.report(
            uow,
            source="public_report",
            source_ref=f"public_report:{report.id}",
            kind=data.kind,
            title=data.title,
            description=data.description,
            division_code=division_code,
            longitude=data.longitude,
            latitude=data.latitude,
            photo_keys=list(photo_keys),
        )
    session.flush()
    uow.audit(
        "patrols.public_report.create",
        PublicReport.__tablename__,
        report.id,
        after=public_report_read(report).model_dump(mode="json"),
    )
    uow.add_event(
        PublicReportReceived.of(
            report, report_id=report.id, division_code=division_code, township_code=township_code
        )
    )
    _tell_township(uow, report)
    return PublicReportReceipt.of(
        report,
        tracking_code=code,
        township_code=township_code,
        township_name=division_names(session, [township_code]).get(township_code),
        state=ReportState.RECEIVED,
        state_label=REPORT_STATE_LABELS[ReportState.RECEIVED],
    )


def _tell_township(uow: UnitOfWork, report: PublicReport) -> None:
    """Ask notify to tell the township officers whose area holds the report."""
    rows = uow.session.execute(
        select(User.id, User.division_code).where(
            User.role == Role.TOWNSHIP_OFFICER.value,
            User.is_active.is_(True),
            User.division_code.startswith(report.township_code, autoescape=True),
        )
    )
    user_ids = [uid for uid, code in rows if code and report.division_code.startswith(code)]
    if not user_ids:
        return
    kind = HAZARD_KIND_LABELS.get(report.kind, report.kind)
    uow.add_event(
        NoticeRequested(
            user_ids=sorted(user_ids),
            subject=f"新举报：{report.title}",
            body=f"收到{kind}类举报“{report.title}”，请及时核查并答复（举报编号 {report.id}）。",
            channels=["in_app", "sms"],
            source_kind="public_report",
            source_id=str(report.id),
            dedupe_key=f"public_report:{report.id}:received",
        )
    )


def _handled(uow: UnitOfWork, report_id: int, roles: frozenset[Role], what: str) -> PublicReport:
    report = visible_public_report(uow.session, uow.actor, report_id)
    if not _role_in(uow, roles):
        raise PermissionDenied(f"无权{what}")
    return report


def _move(uow: UnitOfWork, report: PublicReport, action: ReportAction) -> None:
    report.state = REPORT_MACHINE.next_state(report.state, action)
    report.updated_at = uow.clock.now()
    report.handled_by = uow.actor.username


def decide_public_report(
    uow: UnitOfWork, report_id: int, action: ReportAction, data: ReportDecision
) -> PublicReportRead:
    """Record the finding of a report: verified (属实) or unfounded (不属实)."""
    if action not in (ReportAction.VERIFY, ReportAction.DISMISS):
        raise invalid("action", "只能核实属实或不属实")
    report = _handled(uow, report_id, REPORT_HANDLERS, "核查举报")
    before = public_report_read(report).model_dump(mode="json")
    _move(uow, report, action)
    report.verified = action is ReportAction.VERIFY
    report.handling_note = data.note or None
    uow.session.flush()
    read = public_report_read(report)
    uow.audit(
        f"patrols.public_report.{action.value}",
        PublicReport.__tablename__,
        report.id,
        before=before,
        after=read.model_dump(mode="json"),
        reason=data.note or None,
    )
    return read


def reply_public_report(uow: UnitOfWork, report_id: int, data: ReportReply) -> PublicReportRead:
    """Answer a checked report; the reporter reads the answer with the tracking code."""
    report = _handled(uow, report_id, REPORT_HANDLERS, "答复举报")
    before = public_report_read(report).model_dump(mode="json")
    _move(uow, report, ReportAction.REPLY)
    report.reply = data.reply
    report.replied_at = uow.clock.now()
    uow.session.flush()
    read = public_report_read(report)
    uow.audit(
        "patrols.public_report.reply",
        PublicReport.__tablename__,
        report.id,
        before=before,
        after=read.model_dump(mode="json"),
    )
    uow.add_event(
        PublicReportReplied(
            report_id=report.id, division_code=report.division_code, verified=report.verified
        )
    )
    return read


def grant_reward(
    uow: UnitOfWork,
    report_id: int,
    data: RewardGrant,
    *,
    config: PublicReportConfig = DEFAULT_REPORT_CONFIG,
) -> PublicReportRead:
    """Set the reward of a verified report (may be corrected until it is paid)."""
    report = _handled(uow, report_id, REWARD_KEEPERS, "核定举报奖励")
    problem = reward_problem(
        bool(report.verified), RewardState(report.reward_state), data.amount, config.max_reward_yuan
    )
    if problem is not None:
        if report.verified and report.reward_state == RewardState.PAID.value:
            raise Conflict(problem, code="reward_paid")
        raise invalid("amount", problem)
    before = public_report_read(report).model_dump(mode="json")
    report.reward_amount = data.amount
    report.reward_state = RewardState.GRANTED.value
    report.reward_note = data.note or None
    report.updated_at = uow.clock.now()
    uow.session.flush()
    read = public_report_read(report)
    uow.audit(
        "patrols.public_report.reward_grant",
        PublicReport.__tablename__,
        report.id,
        before=before,
        after=read.model_dump(mode="json"),
        reason=data.note or None,
    )
    return read


def pay_reward(uow: UnitOfWork, report_id: int, data: RewardPayment) -> PublicReportRead:
    """Record that a granted reward was paid out."""
    report = _handled(uow, report_id, REWARD_KEEPERS, "登记奖励发放")
    if report.reward_state != RewardState.GRANTED.value:
        label = "已发放" if report.reward_state == RewardState.PAID.value else "尚未核定"
        raise Conflict(f"奖励{label}，不能登记发放", code="reward_state")
    now = uow.clock.now()
    paid_at = data.paid_at or now
    if paid_at > now:
        raise invalid("paid_at", "发放时间不能晚于当前时间")
    before = public_report_read(report).model_dump(mode="json")
    report.reward_state = RewardState.PAID.value
    report.reward_paid_at = paid_at
    if data.note:
        report.reward_note = f"{report.reward_note or ''}\n{data.note}".strip()
    report.updated_at = now
    uow.session.flush()
    read = public_report_read(report)
    uow.audit(
        "patrols.public_report.reward_pay",
        PublicReport.__tablename__,
        report.id,
        before=before,
        after=read.model_dump(mode="json"),
        reason=data.note or None,
    )
    return read
