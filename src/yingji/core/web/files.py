"""Serving stored files: with the type their bytes show, ``nosniff`` and a disposition.

A route decides first that the key belongs to a record the user may see; this only shapes
the answer so that no browser treats a stored file as anything but what it is.
"""

from __future__ import annotations

from starlette.responses import Response

from yingji.core.files import EXTENSIONS, IMAGE_TYPES, PDF, media_type


def file_response(data: bytes, key: str, *, cache: str | None = None) -> Response:
    """Answer ``data`` (stored under ``key``) with its sniffed type and safe headers."""
    mime = media_type(data)
    # Pictures and PDFs open in the page; anything else is only ever a download.
    disposition = "inline" if mime in IMAGE_TYPES or mime == PDF else "attachment"
    stem = key.rsplit(".", 1)[0][:16] or "file"
    name = stem + EXTENSIONS.get(mime, ".bin")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'{disposition}; filename="{name}"',
    }
    if cache:
        headers["Cache-Control"] = cache
    return Response(content=data, media_type=mime, headers=headers)
