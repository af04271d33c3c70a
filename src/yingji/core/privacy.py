"""Personal information masking (《个人信息保护法》, GB/T 35273-2020 §6.3 去标识化 on display).

Pure functions, no I/O: the registry kit, pages and exports call them on what they show to a
role without the reveal right (``Settings.pii_reveal_roles``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from yingji.core.actor import Actor

MASK = "*"
# Keys of nested personal values (an enterprise's contacts list) that are masked like phones.
PHONE_KEYS = frozenset({"phone", "mobile", "tel", "telephone"})
# Service numbers (110, 119, 12345, 12350) are public: shorter numbers are shown unchanged.
_PUBLIC_MAX_DIGITS = 5


def mask_phone(value: str | None) -> str | None:
    """Return ``value`` with the middle digits hidden: ``13812341234`` → ``138****1234``.

    The last four digits stay (the way people confirm a number) and up to four digits before
    them are hidden; what comes first (a mobile's 3-digit prefix, a landline's area code,
    ``+86``) stays, as do separators: ``023-46781234`` → ``023-****1234``. Numbers of five
    digits or fewer are public service numbers and are returned unchanged.
    """
    if not value:
        return value
    positions = [i for i, c in enumerate(value) if c.isdigit()]
    count = len(positions)
    if count <= _PUBLIC_MAX_DIGITS:
        return value
    hidden = min(4, count - 4)
    head = count - 4 - hidden
    masked = set(positions[head : head + hidden])
    return "".join(MASK if i in masked else c for i, c in enumerate(value))


def mask_value(value: Any) -> Any:
    """Return a personal value masked: a phone string, or the phones in a list of dicts."""
    if isinstance(value, str):
        return mask_phone(value)
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, dict):
        return {
            k: mask_phone(v) if k in PHONE_KEYS and isinstance(v, str) else v
            for k, v in value.items()
        }
    return value


def can_reveal(actor: Actor, reveal_roles: Collection[str]) -> bool:
    """Tell whether ``actor`` sees personal fields in full (system processes always do)."""
    return actor.is_system or actor.role in reveal_roles
