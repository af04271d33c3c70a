"""Uploaded files: read within a size limit, typed by their magic bytes, stored by content.

The type of an upload is decided here from the file's first bytes, never from the
Content-Type a client declares nor from its file name: a browser or a phone app can claim
``image/png`` for anything, and a stored HTML or SVG file served back would run script in
the platform's origin. ``sniff`` is a pure function over a table of signatures; markup (HTML,
SVG, XML) is recognised separately so that it can be refused with a clear reason.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from yingji.adapters.storage import Storage, StorageError

DEFAULT_MAX_BYTES = 10 * 2**20
CHUNK = 64 * 1024

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

IMAGE_TYPES = frozenset({JPEG, PNG, WEBP, HEIC})
PHOTO_OR_PDF_TYPES = IMAGE_TYPES | {PDF}

# The stored key keeps the sniffed type as its suffix, so a download knows it without a
# second look (and the storage adapter's key check accepts exactly these).
EXTENSIONS = {
    JPEG: ".jpg",
    PNG: ".png",
    WEBP: ".webp",
    HEIC: ".heic",
    PDF: ".pdf",
    XLSX: ".xlsx",
    DOCX: ".docx",
}
LABELS = {
    JPEG: "JPEG",
    PNG: "PNG",
    WEBP: "WebP",
    HEIC: "HEIC",
    PDF: "PDF",
    XLSX: "xlsx",
    DOCX: "docx",
}


@dataclass(frozen=True)
class Signature:
    """Bytes ``magic`` at ``offset`` mark ``mime`` (``also`` at ``also_offset`` when given)."""

    mime: str
    offset: int
    magic: bytes
    also_offset: int = 0
    also: bytes = b""


SIGNATURES: tuple[Signature, ...] = (
    Signature(JPEG, 0, b"\xff\xd8\xff"),
    Signature(PNG, 0, b"\x89PNG\r\n\x1a\n"),
    Signature(WEBP, 0, b"RIFF", 8, b"WEBP"),
    Signature(PDF, 0, b"%PDF-"),
    # HEIC/HEIF: an ISO base media file whose ``ftyp`` box names a HEIF brand.
    *(Signature(HEIC, 4, b"ftyp" + brand) for brand in (b"heic", b"heix", b"hevc", b"hevx")),
    *(Signature(HEIC, 4, b"ftyp" + brand) for brand in (b"heim", b"heis", b"mif1", b"msf1")),
)

_ZIP = b"PK\x03\x04"
_MARKUP_STARTS = (b"<?xml", b"<!doctype", b"<html", b"<svg", b"<head", b"<body", b"<script")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class UploadRefused(ValueError):
    """The upload is refused; ``str(exc)`` is the reason shown to the user (Chinese)."""


def is_markup(data: bytes) -> bool:
    """Whether ``data`` looks like HTML, SVG or other XML (refused: it may carry script)."""
    head = data[:1024]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.replace(b"\x00", b"").lstrip().lower()  # UTF-16 markup has NULs between
    return head.startswith(_MARKUP_STARTS) or (head.startswith(b"<") and b"<svg" in head)


def sniff(data: bytes) -> str | None:
    """Return the MIME type the bytes of ``data`` show, or None when none of the table's.

    Office files are zip archives; they are told apart by their members (an ``xl/`` or a
    ``word/`` part next to ``[Content_Types].xml``), so ``data`` should be the whole file.
    """
    for sig in SIGNATURES:
        if data[sig.offset : sig.offset + len(sig.magic)] != sig.magic:
            continue
        if sig.also and data[sig.also_offset : sig.also_offset + len(sig.also)] != sig.also:
            continue
        return sig.mime
    if data.startswith(_ZIP):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("xl/") for name in names):
        return XLSX
    if any(name.startswith("word/") for name in names):
        return DOCX
    return None


def read_limited(stream: Any, limit: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read ``stream`` in chunks; refuse it as soon as it passes ``limit`` bytes.

    Never more than ``limit`` + one chunk is held, whatever the size of the upload.
    """
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise UploadRefused(too_large(limit))
        parts.append(chunk)
    return b"".join(parts)


def too_large(limit: int) -> str:
    """The reason shown for a file over ``limit`` bytes."""
    if limit % 2**20 == 0:
        return f"文件超过 {limit // 2**20} MB 上限"
    return f"文件超过 {limit} 字节上限"


def accept(data: bytes, allowed: Collection[str]) -> str:
    """Return the sniffed type of ``data`` when it is one of ``allowed``; refuse otherwise."""
    if not data:
        raise UploadRefused("文件为空")
    if is_markup(data):
        raise UploadRefused("不接受 HTML、SVG 或 XML 文件（可能含有脚本）")
    mime = sniff(data)
    if mime is None or mime not in allowed:
        raise UploadRefused(_expected(allowed))
    return mime


def _expected(allowed: Collection[str]) -> str:
    kinds: list[str] = []
    if set(allowed) >= IMAGE_TYPES:
        kinds.append("JPEG、PNG 或 WebP 图片（手机的 HEIC 照片也可）")
    kinds += [f"{LABELS[m]} 文件" for m in (PDF, XLSX, DOCX) if m in allowed]
    if not kinds:
        kinds = [LABELS[m] for m in EXTENSIONS if m in allowed]
    return "只能上传 " + "或".join(kinds)


def store(
    storage: Storage,
    stream: Any,
    *,
    allowed: Collection[str] = PHOTO_OR_PDF_TYPES,
    limit: int = DEFAULT_MAX_BYTES,
) -> str:
    """Read ``stream`` within ``limit``, type it by its bytes and store it; return the key."""
    data = read_limited(stream, limit)
    mime = accept(data, allowed)
    try:
        return str(storage.put(data, mime))
    except StorageError as exc:
        raise UploadRefused(str(exc)) from None


def media_type(data: bytes) -> str:
    """The type to serve stored bytes with: what they are, else a download."""
    return sniff(data) or "application/octet-stream"
