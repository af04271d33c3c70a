"""Uploads typed by their bytes and read within a limit (core.files), without a web app."""

from __future__ import annotations

import io
import zipfile

import pytest

from yingji.adapters.storage import MemoryStorage
from yingji.core import files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16
PDF = b"%PDF-1.7\n" + b"\x00" * 16


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (PNG, files.PNG),
        (JPEG, files.JPEG),
        (WEBP, files.WEBP),
        (HEIC, files.HEIC),
        (PDF, files.PDF),
        (_zip("[Content_Types].xml", "xl/workbook.xml"), files.XLSX),
        (_zip("[Content_Types].xml", "word/document.xml"), files.DOCX),
        (_zip("readme.txt"), None),
        (b"GIF89a" + b"\x00" * 10, None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"plain text", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_signature_table(data, mime):
    assert files.sniff(data) == mime


@pytest.mark.parametrize(
    "data",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b'<?xml version="1.0"?><svg/>',
        b"  <!DOCTYPE html><html><script>alert(1)</script>",
        b"<html><body onload=alert(1)>",
        b"\xef\xbb\xbf<svg/>",
        "<svg onload=alert(1)>".encode("utf-16"),
        b"<!-- x --><svg/>",
    ],
)
def test_markup_is_refused_whatever_it_claims(data):
    assert files.is_markup(data)
    with pytest.raises(files.UploadRefused, match="HTML、SVG"):
        files.accept(data, files.PHOTO_OR_PDF_TYPES)


def test_accept_refuses_a_type_the_form_does_not_take():
    assert files.accept(PDF, files.PHOTO_OR_PDF_TYPES) == files.PDF
    with pytest.raises(files.UploadRefused, match="只能上传 JPEG、PNG 或 WebP 图片"):
        files.accept(PDF, files.IMAGE_TYPES)
    with pytest.raises(files.UploadRefused, match="文件为空"):
        files.accept(b"", files.IMAGE_TYPES)


class _CountingStream:
    """A stream of ``size`` bytes that records how much was read from it."""

    def __init__(self, size: int) -> None:
        self.inner = io.BytesIO(PNG + b"\x00" * (size - len(PNG)))
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        assert n > 0, "read_limited never asks for the whole stream"
        chunk = self.inner.read(n)
        self.read_bytes += len(chunk)
        return chunk


def test_read_limited_stops_at_the_limit_without_reading_the_rest():
    stream = _CountingStream(50 * 2**20)
    with pytest.raises(files.UploadRefused, match="文件超过 10 MB 上限"):
        files.read_limited(stream, 10 * 2**20)
    assert stream.read_bytes <= 10 * 2**20 + files.CHUNK
    assert files.read_limited(_CountingStream(1000), 1000)[:8] == PNG[:8]


def test_store_keys_by_the_sniffed_type_not_the_declared_one():
    storage = MemoryStorage()
    key = files.store(storage, io.BytesIO(PNG), allowed=files.IMAGE_TYPES)
    assert key.endswith(".png")
    assert files.store(storage, io.BytesIO(HEIC), allowed=files.IMAGE_TYPES).endswith(".heic")
    with pytest.raises(files.UploadRefused):
        files.store(storage, io.BytesIO(b"<html>"), allowed=files.IMAGE_TYPES)
    assert list(storage.blobs) == [key, next(k for k in storage.blobs if k.endswith(".heic"))]
