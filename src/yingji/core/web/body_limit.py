"""A ceiling on every request body, enforced while it streams in (413, never a full read).

Starlette spools a multipart body to disk as it arrives, so memory stays bounded, but a client
could still make the server receive and write gigabytes before any endpoint's own limit
(``core.files``, ``upload_max_bytes`` per file) sees a byte. This ASGI middleware refuses a
body whose declared ``Content-Length`` passes ``Settings.upload_request_max_bytes`` before
reading anything, and counts the bytes of one without (chunked) as they come, stopping at the
limit. Both answer 413 as problem+json; nothing reaches a service, so nothing is half written.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yingji.core.web.problems import PROBLEM_JSON


class BodyTooLarge(HTTPException):
    """The body passed the ceiling while streaming (an HTTPException, so FastAPI's body
    parsing re-raises it as it is instead of turning it into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_detail(limit))


def _detail(limit: int) -> str:
    return f"请求内容超过 {limit / 2**20:.0f} MB 的上限，请压缩或分批上传"


class RequestSizeLimit:
    """Answer 413 to any request whose body passes ``max_bytes``, counted as it arrives."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a declared oversize at once; otherwise count the body while relaying it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(scope, send, self.max_bytes)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, send, self.max_bytes)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    problem = {
        "type": "https://yingji.dev/problems/payload_too_large",
        "title": "请求过大",
        "status": 413,
        "detail": _detail(limit),
        "instance": scope.get("path", ""),
        "code": "payload_too_large",
    }
    payload = json.dumps(problem, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
                # The rest of the body is not read: the client must not reuse the connection.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
