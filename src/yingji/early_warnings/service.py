"""Early-warning writes: compose, edit, submit, approve, reject, publish, update, lift, import.

Every write runs in the caller's unit of work with an audit row and a workflow row. Each
published change (publish → Alert, update → Update, lift → Cancel) stores a new CAP 1.2
message that references every earlier message of the warning, checks it against the XSD
and the extra rules before it leaves, and queues its deliveries through notify.
May call: geo (divisions), notify (through ``dissemination``), core, accounts.scoping.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.accounts.schemas import require_role
from yingji.accounts.scoping import covers_division, overlaps_division
from yingji.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from yingji.core.uow import UnitOfWork
from yingji.early_warnings import dissemination
from yingji.early_warnings.cap import (
    CapAlert,
    CapArea,
    CapInfo,
    cap_polygons_to_geojson,
    decode_document,
    from_xml,
    geojson_to_cap_polygons,
    to_xml,
)
from yingji.early_warnings.caprules import (
    IMPORT,
    WARNING,
    CapReport,
    Finding,
    parse,
    parse_cap_datetime,
    validate_cap,
)
from yingji.early_warnings.events import WarningLifted, WarningPublished, WarningUpdated
from yingji.early_warnings.models import Warning, WarningMessage, WarningTransition
from yingji.early_warnings.rules import (
    ACTION_MSG_TYPES,
    APPROVER_ROLES,
    CAP_ZONE,
    CHANNELS,
    COMPOSER_ROLES,
    LEVEL_LABELS,
    LEVEL_SEVERITY,
    LEVEL_URGENCY,
    MACHINE,
    SEVERITY_LEVELS,
    SIGNALS,
    SIGNALS_BY_NAME,
    CapProfile,
    WarningState,
    cap_datetime,
    cn_identifier,
    common_division,
    level_problem,
)
from yingji.early_warnings.schemas import WarningCreate, WarningRevision
from yingji.geo.queries import division_names, find_division
from yingji.notify.schemas import TargetArea

_CONTENT_FIELDS = (
    "title",
    "level",
    "area_desc",
    "starts_at",
    "ends_at",
    "description",
    "measures",
    "contact",
    "channels",
)


class CapInvalid(ValidationFailed):
    """A CAP document broke the XSD or a named rule; ``findings`` keeps paths and rules."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(
            [FieldError(f.path, f"{f.rule}: {f.message}") for f in findings],
            detail="CAP 消息未通过校验",
        )
        self.findings = findings


# --- helpers ------------------------------------------------------------------------------------


def _snapshot(w: Warning) -> dict[str, Any]:
    return {
        "title": w.title,
        "signal": w.signal,
        "level": w.level,
        "state": w.state,
        "division_code": w.division_code,
        "area_codes": list(w.area_codes or []),
        "starts_at": w.starts_at.isoformat(),
        "ends_at": w.ends_at.isoformat(),
        "channels": list(w.channels or []),
    }


def _record(uow: UnitOfWork, w: Warning, action: str, from_state: str | None, reason: str) -> None:
    uow.session.add(
        WarningTransition(
            warning_id=w.id,
            action=action,
            from_state=from_state,
            to_state=w.state,
            actor_id=uow.actor.user_id,
            actor_name=uow.actor.name,
            reason=reason,
            at=uow.clock.now(),
        )
    )


def _load(uow: UnitOfWork, warning_id: int, *, lock: bool = True) -> Warning:
    stmt = select(Warning).where(Warning.id == warning_id)
    if lock:
        stmt = stmt.with_for_update()
    w = uow.session.scalars(stmt).one_or_none()
    if w is None or not _visible(uow, w):
        raise NotFound("预警不存在")
    if not covers_division(uow.actor, w.division_code):
        raise PermissionDenied("该预警不属于您的辖区，不能修改")
    return w


def _visible(uow: UnitOfWork, w: Warning) -> bool:
    return overlaps_division(uow.actor, w.division_code)


def _require_role(uow: UnitOfWork, roles: frozenset[str], what: str) -> None:
    require_role(uow.actor, roles, f"您的角色不能{what}预警", or_system=True)


def _move(uow: UnitOfWork, w: Warning, action: str, reason: str) -> str:
    before = w.state
    w.state = MACHINE.next_state(w.state, action)
    w.updated_at = uow.clock.now()
    return before


def _check_area(
    session: Session, uow: UnitOfWork, codes: list[str], polygon: dict[str, Any] | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not codes and not polygon:
        errors.append(FieldError("division_codes", "请选择预警区域或在地图上绘制范围"))
    for code in codes:
        if find_division(session, code) is None:
            errors.append(FieldError("division_codes", f"行政区划 {code} 不存在"))
        elif not covers_division(uow.actor, code):
            errors.append(FieldError("division_codes", f"{code} 不在您的辖区内"))
    if polygon:
        try:
            geometry = shape(polygon)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            return [*errors, FieldError("polygon", "多边形不是合法的 GeoJSON")]
        if geometry.geom_type not in {"Polygon", "MultiPolygon"} or not geometry.is_valid:
            errors.append(FieldError("polygon", "多边形无效（需闭合且边不自相交）"))
        else:
            minx, miny, maxx, maxy = geometry.bounds
            if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                errors.append(FieldError("polygon", "坐标超出经纬度范围"))
            elif not uow.actor.is_system and uow.actor.division_code:
                own = find_division(session, uow.actor.division_code)
                # A township officer's polygon must stay inside the township (a hair of
                # tolerance for clicks on the boundary line).
                if (
                    own is not None
                    and own.boundary
                    and not shape(own.boundary).buffer(1e-4).covers(geometry)
                ):
                    errors.append(FieldError("polygon", "绘制的范围超出了您的辖区"))
    return errors


def _check_content(
    uow: UnitOfWork,
    *,
    signal: str,
    level: str,
    starts_at: datetime,
    ends_at: datetime,
    channels: list[str],
    codes: list[str],
    polygon: dict[str, Any] | None,
) -> None:
    errors = _check_area(uow.session, uow, codes, polygon)
    problem = level_problem(signal, level)
    if problem:
        errors.append(FieldError("signal" if signal not in SIGNALS else "level", problem))
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", "预计结束时间应晚于生效时间"))
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        errors.append(FieldError("channels", f"未知的发布渠道：{'、'.join(unknown)}"))
    if not channels:
        errors.append(FieldError("channels", "请至少选择一个发布渠道"))
    if errors:
        raise ValidationFailed(errors)


def _jurisdiction(uow: UnitOfWork, codes: list[str]) -> str:
    found = common_division(codes)
    if found is not None and covers_division(uow.actor, found):
        return found
    if uow.actor.division_code:
        return uow.actor.division_code
    return found or (codes[0] if codes else "")


def _area_desc(session: Session, codes: list[str], given: str | None) -> str:
    if given:
        return given
    names = division_names(session, codes)
    text = "、".join(names.get(c, c) for c in codes)
    return text or "自定义区域"


# --- compose and the approval workflow ----------------------------------------------------------


def compose_warning(
    uow: UnitOfWork, data: WarningCreate, *, profile: CapProfile | None = None
) -> int:
    """Create a warning draft for an area inside the actor's jurisdiction; return its id."""
    _require_role(uow, COMPOSER_ROLES, "编制")
    profile = profile or CapProfile()
    codes = sorted(set(data.division_codes))
    _check_content(
        uow,
        signal=data.signal,
        level=data.level,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        channels=data.channels,
        codes=codes,
        polygon=data.polygon,
    )
    now = uow.clock.now()
    w = Warning(
        title=data.title,
        signal=data.signal,
        level=str(data.level),
        issuer=data.issuer or profile.sender_name,
        division_code=_jurisdiction(uow, codes),
        area_codes=codes,
        area_polygon=data.polygon,
        area_desc=_area_desc(uow.session, codes, data.area_desc),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        description=data.description,
        measures=data.measures,
        contact=data.contact,
        channels=list(dict.fromkeys(data.channels)),
        state=WarningState.DRAFT,
        origin="local",
        cap_status="Actual",
        created_by=uow.actor.user_id,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(w)
    uow.session.flush()
    _record(uow, w, "compose", None, "")
    uow.audit("early_warnings.warning.compose", "warning", w.id, after=_snapshot(w))
    return w.id


def _apply_revision(uow: UnitOfWork, w: Warning, data: WarningRevision) -> None:
    codes = sorted(set(data.division_codes)) if data.division_codes is not None else w.area_codes
    polygon = data.polygon if "polygon" in data.model_fields_set else w.area_polygon
    values = {name: getattr(data, name) for name in _CONTENT_FIELDS}
    merged = {
        name: (values[name] if values[name] is not None else getattr(w, name)) for name in values
    }
    _check_content(
        uow,
        signal=w.signal,
        level=str(merged["level"]),
        starts_at=merged["starts_at"],
        ends_at=merged["ends_at"],
        channels=list(merged["channels"]),
        codes=list(codes),
        polygon=polygon,
    )
    for name, value in merged.items():
        setattr(w, name, str(value) if name == "level" else value)
    if data.division_codes is not None:
        w.area_codes = list(codes)
        w.division_code = _jurisdiction(uow, list(codes))
        if data.area_desc is None:
            w.area_desc = _area_desc(uow.session, list(codes), None)
    w.area_polygon = polygon
    w.updated_at = uow.clock.now()


def edit_warning(uow: UnitOfWork, warning_id: int, data: WarningRevision) -> None:
    """Change a draft (only drafts are edited in place; a published warning is updated)."""
    _require_role(uow, COMPOSER_ROLES, "修改")
    w = _load(uow, warning_id)
    before = _snapshot(w)
    _move(uow, w, "edit", data.reason)
    _apply_revision(uow, w, data)
    uow.audit("early_warnings.warning.edit", "warning", w.id, before=before, after=_snapshot(w))


def submit_warning(uow: UnitOfWork, warning_id: int, *, reason: str = "") -> None:
    """Send a draft for approval."""
    _require_role(uow, COMPOSER_ROLES, "提交")
    w = _load(uow, warning_id)
    before = _move(uow, w, "submit", reason)
    w.submitted_by = uow.actor.user_id
    _record(uow, w, "submit", before, reason)
    uow.audit(
        "early_warnings.warning.submit",
        "warning",
        w.id,
        before={"state": before},
        after=_snapshot(w),
        reason=reason or None,
    )


def approve_warning(uow: UnitOfWork, warning_id: int, *, reason: str = "") -> None:
    """Approve a submitted warning; the approver must not be the submitter (four eyes)."""
    _require_role(uow, APPROVER_ROLES, "审批")
    w = _load(uow, warning_id)
    if w.state == WarningState.SUBMITTED and (
        uow.actor.user_id is not None and uow.actor.user_id == w.submitted_by
    ):
        raise Conflict("审批人不能是提交人", code="same_approver")
    before = _move(uow, w, "approve", reason)
    w.approved_by = uow.actor.user_id
    _record(uow, w, "approve", before, reason)
    uow.audit(
        "early_warnings.warning.approve",
        "warning",
        w.id,
        before={"state": before},
        after=_snapshot(w),
        reason=reason or None,
    )


def reject_warning(uow: UnitOfWork, warning_id: int, *, reason: str) -> None:
    """Return a submitted warning to its composer with the reason."""
    _require_role(uow, APPROVER_ROLES, "退回")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "退回时请说明原因")])
    w = _load(uow, warning_id)
    before = _move(uow, w, "reject", reason)
    w.submitted_by = None
    _record(uow, w, "reject", before, reason)
    uow.audit(
        "early_warnings.warning.reject",
        "warning",
        w.id,
        before={"state": before},
        after=_snapshot(w),
        reason=reason,
    )


# --- CAP messages ------------------------------------------------------------------------------


def _messages(session: Session, warning_id: int) -> list[WarningMessage]:
    stmt = select(WarningMessage).where(WarningMessage.warning_id == warning_id)
    return list(session.scalars(stmt.order_by(WarningMessage.seq)))


def _next_identifier(session: Session, profile: CapProfile, sent: datetime) -> str:
    # GB/T 35965.1 A.1.1: the last digit numbers messages of one unit within one second.
    taken = set(
        session.scalars(
            select(WarningMessage.identifier).where(
                WarningMessage.sender == profile.sender_code,
                WarningMessage.identifier.startswith(cn_identifier(profile, sent, 0)[:-1]),
            )
        )
    )
    for n in range(10):
        candidate = cn_identifier(profile, sent, n)
        if candidate not in taken:
            return candidate
    raise Conflict("同一秒内发布的预警消息过多，请稍后重试", code="identifier_exhausted")


def build_alert(
    w: Warning,
    *,
    identifier: str,
    sent: str,
    msg_type: str,
    references: list[tuple[str, str, str]],
    profile: CapProfile,
    note: str | None = None,
) -> CapAlert:
    """Return the CAP message that carries ``w`` as ``msg_type`` (Alert, Update or Cancel)."""
    signal = SIGNALS[w.signal] if w.signal in SIGNALS else SIGNALS["other"]
    label = LEVEL_LABELS.get(w.level, w.level)
    verb = {"Alert": "发布", "Update": "更新", "Cancel": "解除"}[msg_type]
    headline = f"{w.issuer}{verb}{signal.name}{label}预警"
    sent_at = parse_cap_datetime(sent)
    expires = w.ends_at
    if sent_at is not None and expires <= sent_at:
        # A lift after the planned end still needs expires > sent (cap.md §2.2 rule 23).
        expires = sent_at + timedelta(hours=1)
    areas = [
        CapArea(
            area_desc=w.area_desc or "自定义区域",
            polygons=geojson_to_cap_polygons(w.area_polygon),
            geocodes=[(profile.geocode_name, code) for code in w.area_codes],
        )
    ]
    info = CapInfo(
        language=profile.language,
        category=[signal.category],
        event=signal.name,
        response_types=["AllClear"] if msg_type == "Cancel" else ["Prepare"],
        urgency="Past" if msg_type == "Cancel" else LEVEL_URGENCY.get(w.level, "Expected"),
        severity=LEVEL_SEVERITY.get(w.level, "Unknown"),
        certainty="Observed" if msg_type == "Cancel" else "Likely",
        event_codes=[(profile.event_code_name, signal.event_code)] if signal.event_code else [],
        effective=cap_datetime(w.starts_at),
        onset=cap_datetime(w.starts_at),
        expires=cap_datetime(expires),
        sender_name=w.issuer,
        headline=f"{headline}：{w.title}" if w.title and w.title not in headline else headline,
        description=w.description or None,
        instruction=w.measures or None,
        web=f"{profile.web_base}/api/v1/cap/{identifier}.xml" if profile.web_base else None,
        contact=w.contact or None,
        parameters=[(profile.level_parameter, w.level)],
        areas=areas,
    )
    return CapAlert(
        identifier=identifier,
        sender=profile.sender_code,
        sent=sent,
        status=w.cap_status,
        msg_type=msg_type,
        scope="Public",
        codes=[profile.profile_code],
        note=note,
        references=references,
        infos=[info],
    )


def _emit(
    uow: UnitOfWork, w: Warning, action: str, profile: CapProfile, note: str | None
) -> WarningMessage:
    msg_type = ACTION_MSG_TYPES[action]
    now = uow.clock.now().replace(microsecond=0)
    sent = cap_datetime(now)
    previous = _messages(uow.session, w.id)
    # Two publishes in the same second on PostgreSQL may both see a number free; the unique
    # identifier refuses the second, which then takes the next number (savepoint, retry).
    for _attempt in range(10):
        identifier = _next_identifier(uow.session, profile, now)
        message, alert = _message_for(w, identifier, now, sent, msg_type, previous, profile, note)
        try:
            with uow.session.begin_nested():
                uow.session.add(message)
                uow.session.flush()
        except IntegrityError:
            continue
        break
    else:
        raise Conflict("同一秒内发布的预警消息过多，请稍后重试", code="identifier_exhausted")
    # 规则 19: Draft/Test/Exercise/System messages never reach a public channel.
    if w.cap_status == "Actual":
        info = alert.infos[0]
        body = "".join(
            part
            for part in (
                info.headline or "",
                f"。{info.description}" if info.description else "",
                f" 防御措施：{info.instruction}" if info.instruction else "",
            )
        )
        message.queued = dissemination.queue_broadcast(
            uow,
            warning_id=w.id,
            seq=message.seq,
            area=TargetArea(division_codes=list(w.area_codes), polygon=w.area_polygon),
            channels=list(w.channels),
            subject=info.headline or w.title,
            body=body,
            # Named responsible persons must confirm (叫应) a warning, not its lifting.
            require_ack=action != "lift",
        )
    return message


def _fact(w: Warning, message: WarningMessage) -> dict[str, Any]:
    return {
        "warning_id": w.id,
        "division_code": w.division_code,
        "signal": w.signal,
        "level": w.level,
        "identifier": message.identifier,
    }


def _local_only(w: Warning) -> None:
    if w.origin != "local":
        raise Conflict("外部导入的预警只能由原发布机构更新或解除", code="imported_warning")


def publish_warning(
    uow: UnitOfWork, warning_id: int, *, profile: CapProfile | None = None, reason: str = ""
) -> int:
    """Publish an approved warning: CAP Alert, deliveries queued; return the message id."""
    _require_role(uow, APPROVER_ROLES, "发布")
    profile = profile or CapProfile()
    w = _load(uow, warning_id)
    if w.state == WarningState.APPROVED and w.ends_at <= uow.clock.now():
        raise Conflict("预计结束时间已过，请退回修改后再发布", code="expired")
    before = _move(uow, w, "publish", reason)
    message = _emit(uow, w, "publish", profile, None)
    w.published_at = uow.clock.now()
    _record(uow, w, "publish", before, reason)
    uow.audit(
        "early_warnings.warning.publish",
        "warning",
        w.id,
        before={"state": before},
        after={**_snapshot(w), "identifier": message.identifier, "queued": message.queued},
        reason=reason or None,
    )
    uow.add_event(WarningPublished(**_fact(w, message)))
    return message.id


def update_warning(
    uow: UnitOfWork, warning_id: int, data: WarningRevision, *, profile: CapProfile | None = None
) -> int:
    """Change a published warning: CAP Update referencing every earlier message."""
    _require_role(uow, APPROVER_ROLES, "更新")
    profile = profile or CapProfile()
    w = _load(uow, warning_id)
    _local_only(w)
    before_snapshot = _snapshot(w)
    before = _move(uow, w, "update", data.reason)
    _apply_revision(uow, w, data)
    message = _emit(uow, w, "update", profile, data.reason or None)
    _record(uow, w, "update", before, data.reason)
    uow.audit(
        "early_warnings.warning.update",
        "warning",
        w.id,
        before=before_snapshot,
        after={**_snapshot(w), "identifier": message.identifier},
        reason=data.reason or None,
    )
    uow.add_event(WarningUpdated(**_fact(w, message)))
    return message.id


def lift_warning(
    uow: UnitOfWork, warning_id: int, *, reason: str = "", profile: CapProfile | None = None
) -> int:
    """Lift (解除) a published warning: CAP Cancel referencing every earlier message."""
    _require_role(uow, APPROVER_ROLES, "解除")
    profile = profile or CapProfile()
    w = _load(uow, warning_id)
    _local_only(w)
    before = _move(uow, w, "lift", reason)
    message = _emit(uow, w, "lift", profile, reason or "预警解除")
    w.lifted_at = uow.clock.now()
    _record(uow, w, "lift", before, reason)
    uow.audit(
        "early_warnings.warning.lift",
        "warning",
        w.id,
        before={"state": before},
        after={**_snapshot(w), "identifier": message.identifier},
        reason=reason or None,
    )
    uow.add_event(WarningLifted(**_fact(w, message)))
    return message.id


# --- import from other authorities --------------------------------------------------------------


def _level_rank(level: str) -> int:
    return _LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else 0


def _signal_of(event: str) -> str:
    text = event.strip()
    if text in SIGNALS_BY_NAME:
        return SIGNALS_BY_NAME[text].code
    # "暴雨橙色预警" and the like: the longest signal name the event starts with.
    for name in sorted(SIGNALS_BY_NAME, key=len, reverse=True):
        if text.startswith(name):
            return SIGNALS_BY_NAME[name].code
    return "other"


def _level_of(info: CapInfo, profile: CapProfile) -> str:
    for name, value in info.parameters:
        if name == profile.level_parameter and value.strip() in LEVEL_LABELS:
            return value.strip()
    return SEVERITY_LEVELS.get(info.severity, "blue")


def _pick_infos(alert: CapAlert) -> list[CapInfo]:
    """Return every info of the language the warning is filed in (Chinese first).

    CAP 1.2 allows several infos per language; a provincial message often has one per county.
    All of them are kept: their areas together are the warning's area.
    """
    if not alert.infos:
        return []
    chinese = [i for i in alert.infos if i.language.lower().startswith("zh")]
    if chinese:
        return chinese
    language = alert.infos[0].language.lower()
    return [i for i in alert.infos if i.language.lower() == language]


_LEVEL_ORDER = ("blue", "yellow", "orange", "red")


def _stored_bytes(message: WarningMessage) -> bytes:
    """Return a stored message's document bytes (an import's original, else our UTF-8)."""
    return message.raw if message.raw is not None else message.xml.encode("utf-8")


def _difference(stored: bytes, xml: bytes) -> list[str]:
    """Name the elements in which two messages with one sender+identifier differ."""
    try:
        old = asdict(from_xml(parse(stored)))
    except SyntaxError:  # lxml's XMLSyntaxError; a stored message is always well-formed
        return ["xml"]
    new_alert = from_xml(parse(xml))
    new = asdict(new_alert)
    names = [name for name in new if name != "infos" and old.get(name) != new[name]]
    old_infos, new_infos = old.get("infos") or [], new["infos"]
    if len(old_infos) != len(new_infos):
        names.append(f"info（{len(old_infos)} → {len(new_infos)} 个）")
    else:
        for index, (a, b) in enumerate(zip(old_infos, new_infos, strict=True), start=1):
            names.extend(f"info[{index}]/{name}" for name in b if a.get(name) != b[name])
    return names


def validate_import(
    xml: bytes, *, profile: CapProfile | None = None, deadline: float | None = None
) -> CapReport:
    """Validate a message for import (no database: the API runs it on a bounded worker).

    Only CAP 1.2 itself refuses an import; the profile's rules come back as warnings.
    Raises caprules.ValidationTimeout past ``deadline``.
    """
    profile = profile or CapProfile()
    return validate_cap(
        xml, profile=profile, strict_cn=profile.strict_import, mode=IMPORT, deadline=deadline
    )


def import_cap(
    uow: UnitOfWork,
    xml: bytes,
    *,
    profile: CapProfile | None = None,
    district_code: str = "",
    report: CapReport | None = None,
) -> tuple[int, str, bool, CapReport]:
    """Import another authority's CAP message; return (warning id, identifier, new, report).

    Idempotent by (sender, identifier): the same message imported again returns the warning
    it created. An Update or Cancel must reference the latest message stored for its warning
    (every one under the strict setting, rule 18). Imported warnings are recorded, not
    relayed to the public. ``report`` is validate_import's outcome when the caller already
    validated (the API does, under a timeout); the bytes are stored exactly as given.
    """
    _require_role(uow, APPROVER_ROLES, "导入")
    profile = profile or CapProfile()
    if report is None:
        report = validate_import(xml, profile=profile)
    if not report.valid or report.root is None:
        raise CapInvalid(report.errors)
    alert = from_xml(report.root)
    session = uow.session
    existing = session.scalars(
        select(WarningMessage).where(
            WarningMessage.sender == alert.sender, WarningMessage.identifier == alert.identifier
        )
    ).one_or_none()
    if existing is not None:
        # Idempotent only for the same message: new content under a used identifier is a
        # conflict (CAP 1.2 §3.2.1: identifier is unique for the sender).
        stored = _stored_bytes(existing)
        if stored != xml:
            changed = _difference(stored, xml)
            if changed:
                raise Conflict(
                    f"该发送方的标识 {alert.identifier} 已用于另一条内容不同的消息，"
                    f"不同之处：{'、'.join(changed[:20])}",
                    code="identifier_reused",
                )
        return existing.warning_id, alert.identifier, False, report
    if alert.msg_type not in {"Alert", "Update", "Cancel"}:
        raise CapInvalid(
            [Finding("/alert/msgType[1]", "IMPORT", f"不导入 {alert.msg_type} 类消息")]
        )
    infos = _pick_infos(alert)
    w = _referenced_warning(session, alert)
    now = uow.clock.now()
    if w is None:
        if alert.msg_type == "Cancel" or not infos:
            raise Conflict("被解除的预警尚未导入，无法解除", code="unknown_reference")
        w = Warning(
            origin="imported",
            state=WarningState.PUBLISHED,
            cap_status=alert.status,
            created_by=uow.actor.user_id,
            created_at=now,
            updated_at=now,
            published_at=now,
            channels=[],
        )
        _fill_from_info(w, alert, infos, profile, district_code)
        session.add(w)
        session.flush()
        _record(uow, w, "import", None, alert.identifier)
    else:
        _check_complete_references(session, w, alert, profile, report)
        if w.state == WarningState.LIFTED:
            raise Conflict("该预警已解除", code="illegal_transition")
        if alert.msg_type == "Cancel":
            w.state = WarningState.LIFTED
            w.lifted_at = now
        elif infos:
            _fill_from_info(w, alert, infos, profile, district_code)
        w.updated_at = now
        _record(
            uow,
            w,
            "lift" if alert.msg_type == "Cancel" else "update",
            WarningState.PUBLISHED,
            alert.identifier,
        )
    sent_at = parse_cap_datetime(alert.sent) or now
    message = WarningMessage(
        warning_id=w.id,
        seq=len(_messages(session, w.id)) + 1,
        identifier=alert.identifier,
        sender=alert.sender,
        sent=alert.sent,
        sent_at=sent_at,
        msg_type=alert.msg_type,
        status=alert.status,
        scope=alert.scope,
        # Stored exactly as received: signatures and digests need the original bytes, in
        # whatever encoding the authority wrote them; the text is for reading.
        xml=decode_document(xml),
        raw=xml,
        created_at=now,
    )
    session.add(message)
    session.flush()
    uow.audit(
        "early_warnings.warning.import",
        "warning",
        w.id,
        after={**_snapshot(w), "identifier": alert.identifier, "msg_type": alert.msg_type},
    )
    event_type = {"Alert": WarningPublished, "Update": WarningUpdated, "Cancel": WarningLifted}[
        alert.msg_type
    ]
    if alert.status == "Actual":
        uow.add_event(event_type(**_fact(w, message)))
    return w.id, alert.identifier, True, report


def _referenced_warning(session: Session, alert: CapAlert) -> Warning | None:
    if not alert.references:
        return None
    keys = {(s, i) for s, i, _ in alert.references}
    rows = [
        m
        for m in session.scalars(
            select(WarningMessage).where(WarningMessage.identifier.in_([i for _, i in keys]))
        )
        if (m.sender, m.identifier) in keys
    ]
    warning_ids = {m.warning_id for m in rows}
    if len(warning_ids) > 1:
        raise CapInvalid([Finding("/alert/references[1]", "R18", "引用的消息属于不同的预警")])
    if not warning_ids:
        return None
    return session.get(Warning, warning_ids.pop())


def _check_complete_references(
    session: Session, w: Warning, alert: CapAlert, profile: CapProfile, report: CapReport
) -> None:
    # cap.md §2.2 rule 18: an Update or Cancel references every message of the warning. It is
    # a profile rule; where configured, referencing the latest message of the chain is enough
    # (a stale Update that skips the latest one is still refused) and the rest is advice.
    referenced = {(s, i) for s, i, _ in alert.references}
    messages = _messages(session, w.id)
    missing = [m.identifier for m in messages if (m.sender, m.identifier) not in referenced]
    latest = messages[-1] if messages else None
    if (
        missing
        and not profile.complete_references_on_import
        and latest is not None
        and (latest.sender, latest.identifier) in referenced
    ):
        report.add(
            Finding(
                "/alert/references[1]",
                "R18",
                f"未引用该预警此前的全部消息（缺少：{'、'.join(missing)}），按引用最新消息导入",
                WARNING,
            )
        )
        return
    if missing:
        raise CapInvalid(
            [
                Finding(
                    "/alert/references[1]",
                    "R18",
                    f"必须引用该预警此前的全部消息，缺少：{'、'.join(missing)}",
                )
            ]
        )


def _fill_from_info(
    w: Warning, alert: CapAlert, infos: list[CapInfo], profile: CapProfile, district_code: str
) -> None:
    # The first info gives the wording and times; every info adds its areas, the highest
    # level of them is the warning's, and each distinct description is kept.
    info = infos[0]
    now_text = alert.sent
    start = parse_cap_datetime(info.effective or info.onset or now_text)
    end = parse_cap_datetime(info.expires or "")
    sent_at = parse_cap_datetime(now_text)
    assert sent_at is not None  # the XSD checked the sent pattern
    w.signal = _signal_of(info.event)
    w.level = max((_level_of(i, profile) for i in infos), key=_level_rank)
    w.title = (info.headline or info.event or alert.identifier)[:200]
    w.issuer = (info.sender_name or alert.sender)[:200]
    codes = sorted(
        {
            value
            for one in infos
            for area in one.areas
            for name, value in area.geocodes
            if name == profile.geocode_name and value.isdigit()
        }
    )
    w.area_codes = codes
    areas = [area for one in infos for area in one.areas]
    polygons = [p for area in areas for p in area.polygons]
    w.area_polygon = cap_polygons_to_geojson(polygons)
    w.area_desc = "、".join(dict.fromkeys(a.area_desc for a in areas if a.area_desc))[:500]
    found = common_division(codes)
    # Scoping needs a division: outside the district (or none given) it is the district's.
    w.division_code = found if found and found.startswith(district_code) else district_code
    # Kept in the profile's offset, as the message gave them (shown in settings.timezone).
    w.starts_at = (start or sent_at).astimezone(CAP_ZONE)
    w.ends_at = (end or (w.starts_at + timedelta(hours=24))).astimezone(CAP_ZONE)
    w.description = "\n".join(dict.fromkeys(i.description for i in infos if i.description))
    w.measures = "\n".join(dict.fromkeys(i.instruction for i in infos if i.instruction))
    w.contact = (info.contact or "")[:200]


def _message_for(
    w: Warning,
    identifier: str,
    now: datetime,
    sent: str,
    msg_type: str,
    previous: list[WarningMessage],
    profile: CapProfile,
    note: str | None,
) -> tuple[WarningMessage, Any]:
    alert = build_alert(
        w,
        identifier=identifier,
        sent=sent,
        msg_type=msg_type,
        # Every earlier message, not only the last (cap.md §2.2 rule 18).
        references=[(m.sender, m.identifier, m.sent) for m in previous],
        profile=profile,
        note=note,
    )
    xml = to_xml(alert)
    report = validate_cap(xml, profile=profile, strict_cn=True)
    if not report.valid:
        # Never let an invalid document out; the findings say which rule the content broke.
        raise CapInvalid(report.errors)
    message = WarningMessage(
        warning_id=w.id,
        seq=len(previous) + 1,
        identifier=identifier,
        sender=profile.sender_code,
        sent=sent,
        sent_at=now,
        msg_type=msg_type,
        status=w.cap_status,
        scope="Public",
        xml=xml.decode("utf-8"),
        created_at=now,
    )
    return message, alert
