"""File storage for photos and attachments (hazard photos, patrol photos, task feedback).

The adapter trusts the type its caller names: uploads reach it through
``yingji.core.files.store``, which decides the type from the file's bytes.

``FileStorage`` keeps blobs under a directory (``YINGJI_STORAGE_DIR``); ``MemoryStorage`` is
the fake used by tests. Keys are content hashes, so storing the same photo twice stores it
once and a retried upload is harmless.

Both also answer ``stale_keys`` (blobs last stored before an instant) and ``delete``, which the
``core.expire_uploads`` job uses to remove uploads no record ever named (``core/files.py``).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

MAX_BYTES = 10 * 1024 * 1024
# Images and documents a phone or an officer uploads; anything else is refused.
ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}


class StorageError(ValueError):
    """The upload was refused (too large, wrong type, empty)."""


class Storage(Protocol):
    """Where uploaded files live."""

    def put(self, data: bytes, content_type: str) -> str:
        """Store ``data`` and return its key."""
        ...

    def get(self, key: str) -> bytes:
        """Return the bytes stored under ``key`` (KeyError when missing)."""
        ...

    def stale_keys(self, before: datetime) -> list[str]:
        """Return the keys last stored before ``before`` (a re-upload counts as stored anew)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob under ``key`` (no error when it is already gone)."""
        ...


def _key(data: bytes, content_type: str) -> str:
    if not data:
        raise StorageError("文件为空")
    if len(data) > MAX_BYTES:
        raise StorageError("文件超过 10 MB")
    if content_type not in ALLOWED_TYPES:
        raise StorageError(f"不支持的文件类型：{content_type}")
    return hashlib.sha256(data).hexdigest() + ALLOWED_TYPES[content_type]


class FileStorage:
    """Blobs in a local directory, two-level fan-out by hash prefix."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if "/" in key or ".." in key:
            raise KeyError(key)
        return self.root / key[:2] / key

    def put(self, data: bytes, content_type: str) -> str:
        """Store ``data`` (once per content) and return its key."""
        key = _key(data, content_type)
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_bytes(data)
            tmp.replace(path)  # atomic: a reader never sees half a file
        else:
            # Stored anew: an old unattached copy must not expire under the new upload.
            os.utime(path)
        return key

    def get(self, key: str) -> bytes:
        """Return the stored bytes (KeyError when missing)."""
        path = self._path(key)
        if not path.exists():
            raise KeyError(key)
        return path.read_bytes()

    def stale_keys(self, before: datetime) -> list[str]:
        """Return the keys whose file was last written before ``before``."""
        if not self.root.is_dir():
            return []
        cutoff = before.timestamp()
        return sorted(
            path.name
            for path in self.root.glob("??/*")
            if path.is_file() and not path.name.endswith(".part") and path.stat().st_mtime < cutoff
        )

    def delete(self, key: str) -> None:
        """Remove the file under ``key`` if it is there."""
        self._path(key).unlink(missing_ok=True)


class MemoryStorage:
    """The fake: blobs in a dict (tests)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        # When each blob was last stored (tests move these to make uploads old).
        self.stored_at: dict[str, datetime] = {}

    def put(self, data: bytes, content_type: str) -> str:
        """Store ``data`` and return its key."""
        key = _key(data, content_type)
        self.blobs[key] = data
        self.stored_at[key] = datetime.now(UTC)
        return key

    def get(self, key: str) -> bytes:
        """Return the stored bytes (KeyError when missing)."""
        return self.blobs[key]

    def stale_keys(self, before: datetime) -> list[str]:
        """Return the keys last stored before ``before``."""
        return sorted(k for k, at in self.stored_at.items() if at < before)

    def delete(self, key: str) -> None:
        """Forget the blob under ``key``."""
        self.blobs.pop(key, None)
        self.stored_at.pop(key, None)
