"""Personal information masking (《个人信息保护法》, GB/T 35273-2020 §6.3 去标识化 on display).

Pure functions, no I/O: the registry kit, pages and exports call them on what they show to a
role without the reveal right (``Settings.pii_reveal_roles``).
"""

from __future__ import annotations

import logging
import re
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


# Mainland mobile numbers (11 digits from 13–19) and resident identity numbers (GB 11643-1999:
# 17 digits and a check character), not inside a longer run of digits (ids, timestamps).
_PERSONAL_NUMBERS = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


def mask_text(text: str) -> str:
    """Return ``text`` with mobile and identity numbers masked (log lines, error reports)."""
    return _PERSONAL_NUMBERS.sub(lambda m: _mask_number(m.group(0)), text)


def _mask_number(number: str) -> str:
    if len(number) == 11:
        return mask_phone(number) or number
    return number[:6] + MASK * 8 + number[-4:]  # region code and last four, as cards print


_installed = False


def install_log_masking() -> None:
    """Mask personal numbers in every log record this process writes (idempotent).

    《个人信息保护法》第五十一条 asks for technical measures against leaks; a log line or a
    traceback (a database error quotes the row's values) is the usual one. A record factory
    reaches every logger and handler, ours and the libraries' (uvicorn, SQLAlchemy): the
    message is rendered and masked at creation, and a traceback is rendered and masked then,
    so no formatter sees the raw values.
    """
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def masked(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            record.msg = mask_text(record.getMessage())
            record.args = None
        except (TypeError, ValueError):  # a malformed call: keep what the caller gave
            pass
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(formatter.formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(masked)
