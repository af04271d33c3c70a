"""Actor: who performs a write or a read, and the jurisdiction they act in.

Services take an actor so that every write records who did it and every query can be
scoped. Role names are plain strings here; their meaning lives in ``accounts.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user (or system process) with role and scope."""

    user_id: int | None
    username: str
    role: str
    # Jurisdiction: the division (and everything below it) this actor works in.
    division_code: str | None = None
    # Set for enterprise officers: they act for exactly one enterprise.
    enterprise_id: int | None = None
    department_id: int | None = None
    # The person's name as pages show it ("" for system processes and old callers).
    display_name: str = ""

    @property
    def name(self) -> str:
        """Return the name to show for this actor: the display name, else the username."""
        return self.display_name or self.username

    @property
    def is_system(self) -> bool:
        """Tell whether this is a system process rather than a person."""
        return self.user_id is None


#: What pages call each system process (the audit keeps the code name). A test checks that
#: every ``system_actor("…")`` in the source has an entry here.
SYSTEM_ACTOR_NAMES: dict[str, str] = {
    "system": "系统",
    "ack-link": "系统（确认链接）",
    "alarm-escalation": "系统（报警升级）",
    "auth": "系统（登录）",
    "cli": "系统（命令行）",
    "credential-pruner": "系统（凭据清理）",
    "demo-seed": "演示数据",
    "disaster-report-reminder": "系统（灾情报送提醒）",
    "hazards": "系统（隐患）",
    "hazards.escalation": "系统（隐患督办）",
    "hazards.pages": "系统（隐患页面）",
    "incidents.deadlines": "系统（报告时限）",
    "ingest": "系统（数据接入）",
    "inspections.reminder": "系统（执法提醒）",
    "monitoring.no_data": "系统（数据中断检测）",
    "monitoring.retention": "系统（数据保留）",
    "notify-dispatcher": "系统（消息发送）",
    "notify-escalation": "系统（消息升级）",
    "outbox": "系统（事件处理）",
    "plan-task-reminder": "系统（预案任务提醒）",
    "public-report": "系统（群众举报）",
    "session": "系统（会话）",
    "uploads": "系统（附件清理）",
}


def system_actor(name: str = "system") -> Actor:
    """Return the actor for seeds, jobs and the scheduler (audited under ``name``)."""
    return Actor(
        user_id=None,
        username=name,
        role="admin",
        display_name=SYSTEM_ACTOR_NAMES.get(name, SYSTEM_ACTOR_NAMES["system"]),
    )
