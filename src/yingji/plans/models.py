"""Emergency plans, their immutable published versions, levels, task templates, activations,
tasks with their history, drills and evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime


class EmergencyPlan(Base):
    """An emergency plan (应急预案) with its owner and filing (备案) data."""

    __tablename__ = "plans_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # Jurisdiction the plan belongs to (district, township ...): scopes who may edit it.
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    owner_department_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_department.id"))
    owner_enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    filing_number: Mapped[str | None] = mapped_column(String(80))
    filing_authority: Mapped[str | None] = mapped_column(String(120))
    filed_on: Mapped[date | None] = mapped_column(Date)
    current_version_id: Mapped[int | None] = mapped_column(Integer)
    last_evaluated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanVersion(Base):
    """One version of a plan; once published it never changes (a revision is a new version)."""

    __tablename__ = "plans_version"
    __table_args__ = (UniqueConstraint("plan_id", "version_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans_plan.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # draft, published, superseded
    summary: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanLevel(Base):
    """A response level of a version and its activation criteria."""

    __tablename__ = "plans_level"
    __table_args__ = (UniqueConstraint("version_id", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plans_version.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")


class TaskTemplate(Base):
    """What a department or role must do, how soon after activation, with what."""

    __tablename__ = "plans_task_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plans_version.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(500))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("accounts_department.id"))
    role: Mapped[str | None] = mapped_column(String(40))
    deadline_minutes: Mapped[int] = mapped_column(Integer)
    resources: Mapped[list[str]] = mapped_column(JSON, default=list)


class PlanActivation(Base):
    """A plan started at a level for an incident (or a warning), confirmed by a person."""

    __tablename__ = "plans_activation"
    # One activation per plan, level and cause: a second click must not double the tasks.
    __table_args__ = (UniqueConstraint("plan_id", "cause", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans_plan.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plans_version.id"))
    level: Mapped[int] = mapped_column(Integer)
    # What it answers: "incident:12", "warning:7", "drill:3".
    cause: Mapped[str] = mapped_column(String(60), index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    activated_by: Mapped[int | None] = mapped_column(ForeignKey("accounts_user.id"))
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanTask(Base):
    """A task created from a template at activation."""

    __tablename__ = "plans_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    activation_id: Mapped[int] = mapped_column(ForeignKey("plans_activation.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("plans_task_template.id"))
    action: Mapped[str] = mapped_column(String(500))
    department_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role: Mapped[str | None] = mapped_column(String(40))
    division_code: Mapped[str] = mapped_column(String(15), index=True)
    resources: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The due time a reminder was last sent for: a moved deadline may be reminded again.
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanTaskEvent(Base):
    """One transition or feedback on a task: who, when, what, where, photo."""

    __tablename__ = "plans_task_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plans_task.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text, default="")
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    photo_key: Mapped[str | None] = mapped_column(String(100))


class Drill(Base):
    """A drill (应急演练) held against a plan."""

    __tablename__ = "plans_drill"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans_plan.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    form: Mapped[str] = mapped_column(String(20))  # tabletop, functional, full_scale
    participants: Mapped[int] = mapped_column(Integer)
    scenario: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
