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

    @property
    def is_system(self) -> bool:
        """Tell whether this is a system process rather than a person."""
        return self.user_id is None


def system_actor(name: str = "system") -> Actor:
    """Return the actor for seeds, jobs and the scheduler (audited under ``name``)."""
    return Actor(user_id=None, username=name, role="admin")
