"""No control characters in stored text: refuse them at the edge, for every write at once.

A C0 control character (``\\x00``–``\\x1f`` except tab, line feed and carriage return, and
``\\x7f``) has no meaning in a name, an address or a report, and XML 1.0 cannot hold it, so a
single one made every later .xlsx or .docx export of that record fail (a fuzz run found 58 such
500s). This ASGI middleware reads JSON and form bodies of POST/PUT/PATCH requests before the
application does and answers 422 naming each field that holds one; nothing reaches a service,
so nothing is half written. Uploads (multipart) are files and are checked by their readers;
the Excel importer strips control characters from cells (``core/excel.py``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yingji.core.web.problems import PROBLEM_JSON

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REASON = "含有不可见的控制字符，请删除后重新提交"
# Bodies larger than this are passed on unread: the endpoints' own limits answer them.
_MAX_SCAN = 2 * 1024 * 1024
_WRITES = frozenset({"POST", "PUT", "PATCH"})


def control_fields(value: Any, path: str = "") -> list[str]:
    """Return the dotted paths of the strings (and keys) in ``value`` that hold a control char."""
    if isinstance(value, str):
        return [path or "body"] if CONTROL.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if CONTROL.search(str(key)):
                found.append(where)
            found += control_fields(item, where)
        return found
    if isinstance(value, list):
        return [
            f
            for i, item in enumerate(value)
            for f in control_fields(item, f"{path}.{i}" if path else str(i))
        ]
    return []


def _fields_in(content_type: str, body: bytes) -> list[str]:
    if "application/json" in content_type or content_type.endswith("+json"):
        try:
            return control_fields(json.loads(body))
        except ValueError:
            return []  # not JSON: the endpoint's validation answers it
    if "application/x-www-form-urlencoded" in content_type:
        text = body.decode("utf-8", "replace")
        return [k for k, v in parse_qsl(text, keep_blank_values=True) if CONTROL.search(k + v)]
    return []


class ControlCharacterGuard:
    """Refuse write bodies whose text fields hold control characters (422, field by field)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Scan the body of a write, then replay it to the application or answer 422."""
        if scope["type"] != "http" or scope["method"] not in _WRITES:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if "json" not in content_type and "x-www-form-urlencoded" not in content_type:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        more = True
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = message.get("more_body", False) and size <= _MAX_SCAN
        complete = not messages[-1].get("more_body", False)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        fields = _fields_in(content_type, body) if complete else []
        if fields:
            await _refuse(scope, send, fields)
            return
        pending = list(messages)

        async def replay() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, send: Send, fields: list[str]) -> None:
    problem = {
        "type": "https://yingji.dev/problems/validation_failed",
        "title": "数据校验失败",
        "status": 422,
        "detail": "提交的文字含有控制字符",
        "instance": scope.get("path", ""),
        "code": "validation_failed",
        "errors": [{"field": f, "reason": REASON} for f in dict.fromkeys(fields)],
    }
    payload = json.dumps(problem, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode("ascii")),
                (b"content-length", str(len(payload)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
