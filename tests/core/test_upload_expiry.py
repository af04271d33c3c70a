"""Unattached uploads expire (core/uploads.py): a photo no record names is deleted after
``upload_unattached_hours``; one a record names is kept however old; every column that holds
file keys is declared by its domain, so a new one cannot be forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, String

from yingji.bootstrap import import_models
from yingji.core.audit import AuditEntry
from yingji.core.db import Base
from yingji.core.uploads import UPLOAD_HOLDERS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
P_A1 = (105.55, 29.42)


def _upload(grid, data: bytes) -> str:
    answer = grid.client.post(
        "/api/v1/patrol-photos", headers=grid.headers, files={"file": ("p.png", data, "image/png")}
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["key"])


def test_unnamed_uploads_expire_and_named_ones_stay(as_user, ctx):
    grid = as_user("grid_a")
    kept = _upload(grid, PNG + b"kept")
    orphan = _upload(grid, PNG + b"orphan")
    fresh = _upload(grid, PNG + b"fresh")
    report = grid.post(
        "/api/v1/grid-reports",
        json={
            "report_type": "hazard",
            "category": "electrical",
            "title": "电线私拉乱接",
            "longitude": P_A1[0],
            "latitude": P_A1[1],
            "photo_keys": [kept],
        },
    )
    assert report.status_code == 201, report.text
    storage = ctx.storage
    old = datetime.now(UTC) - timedelta(hours=ctx.settings.upload_unattached_hours + 1)
    storage.stored_at[kept] = storage.stored_at[orphan] = old
    job = ctx.jobs.get("core.expire_uploads").fn
    assert job(ctx, datetime.now(UTC)) == 1
    assert orphan not in storage.blobs
    assert kept in storage.blobs, "a photo a report names is never expired"
    assert fresh in storage.blobs, "a recent upload may still be attached"
    assert job(ctx, datetime.now(UTC)) == 0, "idempotent"
    with ctx.session_factory() as session:
        row = session.query(AuditEntry).filter(AuditEntry.action == "core.upload.expire").one()
        assert row.after["keys"] == [orphan]


def test_a_reupload_of_an_old_blob_counts_as_new(as_user, ctx):
    grid = as_user("grid_a")
    key = _upload(grid, PNG + b"again")
    ctx.storage.stored_at[key] = datetime.now(UTC) - timedelta(days=3)
    assert _upload(grid, PNG + b"again") == key
    job = ctx.jobs.get("core.expire_uploads").fn
    assert job(ctx, datetime.now(UTC)) == 0
    assert key in ctx.storage.blobs


def test_every_file_key_column_is_declared(ctx):
    """A column named like a photo or file key must be an UPLOAD_HOLDER, or its files expire."""
    import_models()
    declared = {h.name for h in ctx.extensions.get(UPLOAD_HOLDERS)}
    found = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if any(word in column.name for word in ("photo", "attachment", "file_key"))
        and isinstance(column.type, String | JSON)
    }
    assert found, "the scan finds the known photo columns"
    assert found <= declared, f"undeclared file-key columns: {sorted(found - declared)}"


def test_file_storage_finds_stale_blobs_and_deletes_them(tmp_path):
    import os

    from yingji.adapters.storage import FileStorage

    storage = FileStorage(tmp_path)
    old = storage.put(PNG + b"old", "image/png")
    new = storage.put(PNG + b"new", "image/png")
    three_days = (datetime.now(UTC) - timedelta(days=3)).timestamp()
    os.utime(tmp_path / old[:2] / old, (three_days, three_days))
    assert storage.stale_keys(datetime.now(UTC) - timedelta(days=1)) == [old]
    storage.put(PNG + b"old", "image/png")  # stored anew: no longer stale
    assert storage.stale_keys(datetime.now(UTC) - timedelta(days=1)) == []
    storage.delete(new)
    storage.delete(new)  # already gone: no error
    assert new not in storage.stale_keys(datetime.now(UTC) + timedelta(days=1))
