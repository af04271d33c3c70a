"""Early-warning rules (pure, no I/O): levels, signal types, the state machine, the CAP profile.

A warning (预警) is issued by an authority to the public and to named responsible persons; it
is composed, submitted, approved by somebody else, published, updated and lifted. Every
published change is a new CAP 1.2 message that references all earlier ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from yingji.core.errors import Conflict, DomainError
from yingji.core.extensions import LabelTable
from yingji.core.statemachine import StateMachine, Transition
from yingji.notify.schemas import CHANNEL_LABELS


class Level(StrEnum):
    """Warning level: four colours, blue lowest (四级) to red highest (一级)."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


# 中国气象局令第16号 (气象灾害预警信号发布与传播办法) 第四条: Ⅳ 蓝 / Ⅲ 黄 / Ⅱ 橙 / Ⅰ 红.
LEVEL_LABELS: dict[str, str] = {
    Level.BLUE: "蓝色",
    Level.YELLOW: "黄色",
    Level.ORANGE: "橙色",
    Level.RED: "红色",
}
LEVEL_GRADES: dict[str, str] = {
    Level.BLUE: "四级",
    Level.YELLOW: "三级",
    Level.ORANGE: "二级",
    Level.RED: "一级",
}
# CAP severity per colour: the MeteoAlarm convention (cap.md §3.3); blue → Minor.
LEVEL_SEVERITY: dict[str, str] = {
    Level.BLUE: "Minor",
    Level.YELLOW: "Moderate",
    Level.ORANGE: "Severe",
    Level.RED: "Extreme",
}
# Orange and red are urgent (气象预警信息业务规范: 二级以上走绿色通道); the others are expected.
LEVEL_URGENCY: dict[str, str] = {
    Level.BLUE: "Expected",
    Level.YELLOW: "Expected",
    Level.ORANGE: "Immediate",
    Level.RED: "Immediate",
}


@dataclass(frozen=True)
class SignalType:
    """A warning signal type: code, Chinese name, CAP category and national event code."""

    code: str
    name: str
    category: str
    event_code: str | None  # the 11B.. series seen in the national feed (unconfirmed)
    levels: tuple[str, ...] = (Level.BLUE, Level.YELLOW, Level.ORANGE, Level.RED)


_ALL = (Level.BLUE, Level.YELLOW, Level.ORANGE, Level.RED)
_NO_BLUE = (Level.YELLOW, Level.ORANGE, Level.RED)
# 中国气象局令第16号 附件: the 14 meteorological signals and the levels each one has; the
# 11B.. event codes come from consumers of the national feed (regulations-incidents.md §7).
SIGNAL_TYPES: tuple[SignalType, ...] = (
    SignalType("typhoon", "台风", "Met", "11B01", _ALL),
    SignalType("rainstorm", "暴雨", "Met", "11B03", _ALL),
    SignalType("snowstorm", "暴雪", "Met", "11B04", _ALL),
    SignalType("cold_wave", "寒潮", "Met", "11B05", _ALL),
    SignalType("gale", "大风", "Met", "11B06", _ALL),
    SignalType("sandstorm", "沙尘暴", "Met", "11B07", _NO_BLUE),
    SignalType("heat", "高温", "Met", "11B09", _NO_BLUE),
    SignalType("drought", "干旱", "Met", "11B22", (Level.ORANGE, Level.RED)),
    SignalType("lightning", "雷电", "Met", "11B14", _NO_BLUE),
    SignalType("hail", "冰雹", "Met", "11B15", (Level.ORANGE, Level.RED)),
    SignalType("frost", "霜冻", "Met", "11B16", (Level.BLUE, Level.YELLOW, Level.ORANGE)),
    SignalType("fog", "大雾", "Met", "11B17", _NO_BLUE),
    SignalType("haze", "霾", "Met", "11B19", (Level.YELLOW, Level.ORANGE)),
    SignalType("road_icing", "道路结冰", "Met", "11B21", _NO_BLUE),
    # Non-meteorological warnings the bureau relays or issues (regulations-incidents.md §6.2).
    SignalType("flood", "洪水", "Geo", "11A01", _ALL),
    SignalType("flash_flood", "山洪", "Geo", "11A51", _ALL),
    SignalType("geohazard", "地质灾害", "Geo", "11D01", _ALL),
    SignalType("forest_fire", "森林火险", "Fire", "11B25", _ALL),
    SignalType("other", "其他", "Other", None, _ALL),
)
SIGNALS: dict[str, SignalType] = {s.code: s for s in SIGNAL_TYPES}
SIGNALS_BY_NAME: dict[str, SignalType] = {s.name: s for s in SIGNAL_TYPES}

# Dissemination channels (glossary 发布渠道); notify owns the delivery.
# The channels are notify's; a warning names the ones it goes out on.
CHANNELS: dict[str, str] = {str(k): v for k, v in CHANNEL_LABELS.items()}


class WarningState(StrEnum):
    """Where a warning stands in its issuing workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"
    LIFTED = "lifted"


STATE_LABELS: dict[str, str] = {
    WarningState.DRAFT: "草稿",
    WarningState.SUBMITTED: "待审批",
    WarningState.APPROVED: "已审批待发布",
    WarningState.PUBLISHED: "已发布",
    WarningState.LIFTED: "已解除",
}

ACTION_LABELS: dict[str, str] = {
    "submit": "提交审批",
    "approve": "审批通过",
    "reject": "退回修改",
    "publish": "发布",
    "update": "更新",
    "lift": "解除",
    "edit": "修改",
}


def transition_problem(state: str, action: str) -> str | None:
    """Return why ``action`` is illegal in ``state`` (Chinese), or None when it is allowed."""
    if MACHINE.find(state, action) is not None:
        return None
    label = ACTION_LABELS.get(action, action)
    return f"预警处于“{STATE_LABELS.get(state, state)}”状态，不能{label}"


def _refusal(machine: StateMachine, state: str, action: str) -> DomainError:
    """The warning's own 409 (same wording and code as before the shared machine)."""
    return Conflict(transition_problem(state, action) or "", code="illegal_transition")


W = WarningState
# The allowed transitions. Drafts never reach a channel (cap.md §2.2 rule 19): only
# ``publish`` (after approval) and later actions emit CAP.
MACHINE = StateMachine(
    name="early_warning",
    title_zh="预警",
    states=tuple(WarningState),
    transitions=(
        Transition(W.DRAFT, "edit", W.DRAFT),
        Transition(W.DRAFT, "submit", W.SUBMITTED),
        Transition(W.SUBMITTED, "reject", W.DRAFT),
        Transition(W.SUBMITTED, "approve", W.APPROVED),
        Transition(W.APPROVED, "publish", W.PUBLISHED),
        Transition(W.PUBLISHED, "update", W.PUBLISHED),
        Transition(W.PUBLISHED, "lift", W.LIFTED),
    ),
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    error=_refusal,
)
# The CAP msgType each publishing action sends (GB/T 35965.1: 首次 Alert, 更新 Update, 解除 Cancel).
ACTION_MSG_TYPES: dict[str, str] = {"publish": "Alert", "update": "Update", "lift": "Cancel"}


def next_state(state: str, action: str) -> str | None:
    """Return the state ``action`` leads to from ``state``, or None when it is not allowed."""
    row = MACHINE.find(state, action)
    return None if row is None else str(row.next_state)


def level_problem(signal: str, level: str) -> str | None:
    """Return why ``level`` does not exist for ``signal`` (Chinese), or None."""
    signal_type = SIGNALS.get(signal)
    if signal_type is None:
        return f"未知的预警信号类型 {signal}"
    if level not in signal_type.levels:
        return f"{signal_type.name}预警没有{LEVEL_LABELS.get(level, level)}级别"
    return None


# --- the Chinese CAP profile (GB/T 35965.1-2018 Annex A; cap.md §3) ----------------------------

# GB/T 35965.1 A.1.3 (cap.md rule CN5): every CAP dateTime and identifier is in Beijing time,
# +08:00, whatever zone the deployment shows people (``settings.timezone``, core.clock). This is
# the wire format's fixed offset, not a local-time setting.
CAP_ZONE = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class CapProfile:
    """How this bureau's CAP messages are identified (GB/T 35965.1 Annex A, configurable).

    The standard's full text was not available (cap.md §3.2), so every part of the
    identifier is configuration: the national 14-digit unit code, or the 11-digit Tianjin
    variant (DB12/T 1128-2022) via ``unit_code_length``.
    """

    # 发布单位代码: GB/T 2260 division (6) + GB/T 4657 institution (3) + sub-unit (3) + ext (2).
    sender_code: str = "50015300000000"
    sender_name: str = "荣昌区应急管理局"
    unit_code_length: int = 14
    language: str = "zh-CN"
    # A <code> naming the profile, as CAP profiles do (IPAWSv1.0, profile:CAP-CP:0.4).
    profile_code: str = "profile:CN:GB/T35965.1-2018"
    # valueNames of the extra carriers (cap.md §3.3): still to be confirmed from the standard.
    geocode_name: str = "GB/T2260"
    event_code_name: str = "CN-EVENT"
    level_parameter: str = "WARNING_LEVEL"
    # Absolute base URL for <web> links (omitted when empty: <web> must be absolute).
    web_base: str = ""
    # Strict CN rules (CN1–CN8) on imported messages; our own messages always follow them.
    strict_import: bool = False
    # Rule 18 (a profile rule) on imported Updates/Cancels: every earlier message referenced.
    # When False (the default), referencing the latest message of the chain is enough (the
    # rest is advice); CAP 1.2 itself does not demand more.
    complete_references_on_import: bool = False

    def problem(self) -> str | None:
        """Return why the profile is unusable, or None."""
        if not re.fullmatch(rf"\d{{{self.unit_code_length}}}", self.sender_code):
            return f"发布单位代码应为 {self.unit_code_length} 位数字"
        return None


def cap_datetime(value: datetime) -> str:
    """Format ``value`` as a CAP dateTime in Beijing time (seconds, ``+08:00``)."""
    local = value.astimezone(CAP_ZONE).replace(microsecond=0)
    return local.isoformat()


def cn_identifier(profile: CapProfile, sent: datetime, sequence: int) -> str:
    """Return the 31-character identifier ``<unit>_<YYYYMMDDhhmmss>_<N>`` (GB/T 35965.1 A.1.1)."""
    if not 0 <= sequence <= 9:
        raise ValueError("sequence must be 0–9")
    stamp = sent.astimezone(CAP_ZONE).strftime("%Y%m%d%H%M%S")
    return f"{profile.sender_code}_{stamp}_{sequence}"


def common_division(codes: list[str]) -> str | None:
    """Return the deepest division containing every code (longest common level prefix)."""
    if not codes:
        return None
    prefix = codes[0]
    for code in codes[1:]:
        n = 0
        while n < min(len(prefix), len(code)) and prefix[n] == code[n]:
            n += 1
        prefix = prefix[:n]
    # Division codes nest at 6 → 9 → 12 → 15 digits (GB/T 2260 + township/village codes).
    for size in (15, 12, 9, 6):
        if len(prefix) >= size:
            return prefix[:size]
    return None


def load_profile(settings: object) -> CapProfile:
    """Return the deployment's CAP profile: ``warning_*`` settings over national defaults.

    Settings read (all optional): ``warning_sender_code``, ``warning_sender_name``,
    ``warning_unit_code_length``, ``warning_web_base``, ``warning_strict_import``,
    ``warning_import_complete_references``. Without a
    sender code the district's division code is padded with zeros (institution 000,
    sub-unit 000, extension 00 — GB/T 35965.1 A.1.2 defaults).
    """
    district = str(getattr(settings, "district_code", "500153") or "500153")
    length = int(getattr(settings, "warning_unit_code_length", None) or 14)
    sender = getattr(settings, "warning_sender_code", None) or district.ljust(length, "0")
    return CapProfile(
        sender_code=str(sender),
        sender_name=str(getattr(settings, "warning_sender_name", None) or CapProfile.sender_name),
        unit_code_length=length,
        web_base=str(getattr(settings, "warning_web_base", None) or "").rstrip("/"),
        strict_import=bool(getattr(settings, "warning_strict_import", False)),
        complete_references_on_import=bool(
            getattr(settings, "warning_import_complete_references", False)
        ),
    )


# Roles that may compose (township officers for their own township only) and that may
# approve, publish, update and lift (the bureau's issuing authority).
COMPOSER_ROLES = frozenset(
    {"admin", "bureau_staff", "duty_officer", "township_officer", "department_officer"}
)
APPROVER_ROLES = frozenset({"admin", "bureau_staff", "duty_officer"})
# Reverse of LEVEL_SEVERITY for imports that carry no colour parameter.
SEVERITY_LEVELS: dict[str, str] = {v: k for k, v in LEVEL_SEVERITY.items()}


#: The display layer's labels for warning codes (contributed by the manifest).
LABELS: tuple[LabelTable, ...] = (
    LabelTable("warning_level", LEVEL_LABELS),
    LabelTable("warning_state", STATE_LABELS),
    LabelTable("warning_action", ACTION_LABELS),
    LabelTable("warning_signal", {s.code: s.name for s in SIGNAL_TYPES}),
)
