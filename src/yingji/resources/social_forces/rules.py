"""Social force rules (pure): registration status.

A social emergency force is registered with the civil-affairs authority (登记证号) or holds a
统一社会信用代码; the platform only requires the number to be present and unique — the
registering authority checks it (应急管理部《关于进一步推进社会应急力量健康发展的意见》).
"""

from __future__ import annotations

from enum import StrEnum


class SocialForceStatus(StrEnum):
    """Whether the organisation takes part in the district's response now."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


STATUS_LABELS = {"active": "正常", "suspended": "暂停"}


def normalize_registration_no(value: str) -> str:
    """Return the registration number without spaces (people paste it with them)."""
    return "".join(value.split())
