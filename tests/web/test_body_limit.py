"""The request-body ceiling: an oversize upload is refused while it streams (413), before any
endpoint reads it, whether or not the client declares its length."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import pytest
from fastapi.testclient import TestClient

from yingji.bootstrap import create_app
from yingji.core.web.body_limit import RequestSizeLimit

LIMIT = 256 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def small(ctx):
    """The app with a 256 KB request ceiling."""
    settings = ctx.settings.model_copy(update={"upload_request_max_bytes": LIMIT})
    app = create_app(ctx=dataclasses.replace(ctx, settings=settings))
    with TestClient(app) as client:
        yield client


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "yingjiboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + b"\x00" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_declared_oversize_is_refused_before_reading(small, tokens):
    body, content_type = _multipart(LIMIT)
    headers = {"Authorization": f"Bearer {tokens['grid_a']}", "Content-Type": content_type}
    answer = small.post("/api/v1/patrol-photos", content=body, headers=headers)
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "MB" in answer.json()["detail"]


def test_a_chunked_oversize_is_cut_off_while_streaming(small, tokens):
    body, content_type = _multipart(LIMIT * 4)
    chunks = [body[i : i + 16384] for i in range(0, len(body), 16384)]
    headers = {"Authorization": f"Bearer {tokens['grid_a']}", "Content-Type": content_type}
    answer = small.post("/api/v1/patrol-photos", content=iter(chunks), headers=headers)
    assert answer.status_code == 413


def test_an_upload_under_the_ceiling_goes_through(small, tokens):
    body, content_type = _multipart(1024)
    headers = {"Authorization": f"Bearer {tokens['grid_a']}", "Content-Type": content_type}
    answer = small.post("/api/v1/patrol-photos", content=body, headers=headers)
    assert answer.status_code == 201, answer.text


def test_the_middleware_stops_reading_at_the_limit():
    """Counted at the ASGI level: the body after the ceiling is never pulled from the client."""
    pulled = 0
    chunk = b"x" * 1000

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < 10_000}

    async def reader(scope, receive_, send):
        while (await receive_()).get("more_body"):
            pass

    sent = []

    async def send(message):
        sent.append(message)

    guard = RequestSizeLimit(reader, max_bytes=10_000)
    scope = {"type": "http", "method": "POST", "path": "/x", "headers": []}
    # A thread of its own: a browser test earlier in the same process may leave an event loop
    # running in the main thread (Playwright's sync API), where asyncio.run refuses to start.
    worker = threading.Thread(target=lambda: asyncio.run(guard(scope, receive, send)))
    worker.start()
    worker.join(timeout=30)
    assert sent[0]["status"] == 413
    assert pulled == 11, "reading stops at the first chunk past the ceiling"
