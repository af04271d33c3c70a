"""Hazard photos: typed by their bytes, limited in size, served safely and only in scope."""

from __future__ import annotations

from typing import Any

from risks.hazards.helpers import HAZARDS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"


def _upload(api: Any, url: str, data: bytes, declared: str, name: str = "a.png") -> Any:
    return api.post(url, files={"file": (name, data, declared)})


def test_declared_type_and_name_are_ignored(as_user, ctx):
    town = as_user("town_a")
    for data, declared, name in (
        (SVG, "image/png", "a.png"),
        (b"<!doctype html><script>alert(1)</script>", "image/jpeg", "a.jpg"),
        (b"GIF89a" + b"\x00" * 16, "image/png", "a.png"),
    ):
        answer = _upload(town, f"{HAZARDS}/photos", data, declared, name)
        assert answer.status_code == 422, data
        assert answer.json()["errors"][0]["field"] == "file"
    assert (
        "SVG" in _upload(town, f"{HAZARDS}/photos", SVG, "image/png").json()["errors"][0]["reason"]
    )
    assert ctx.storage.blobs == {}
    # A real PNG sent as text/plain named .txt is a PNG.
    kept = _upload(town, f"{HAZARDS}/photos", PNG, "text/plain", "notes.txt")
    assert kept.status_code == 201, kept.text
    assert kept.json()["key"].endswith(".png")


def test_size_limit_comes_from_the_settings(as_user, ctx, monkeypatch):
    monkeypatch.setattr(ctx.settings, "upload_max_bytes", 1024)
    town = as_user("town_a")
    big = _upload(town, f"{HAZARDS}/photos", PNG + b"\x00" * 2000, "image/png")
    assert big.status_code == 422
    assert big.json()["errors"][0]["field"] == "file"
    assert "文件超过" in big.json()["errors"][0]["reason"]
    assert _upload(town, f"{HAZARDS}/photos", PNG, "image/png").status_code == 201


def test_photo_is_served_with_its_type_nosniff_and_only_in_scope(as_user, make_hazard):
    hazard_id = make_hazard("reported")
    town = as_user("town_a")
    url = f"{HAZARDS}/{hazard_id}/photos"
    key = _upload(town, url, PNG, "application/octet-stream", "x.bin").json()["key"]
    shown = town.get(f"{url}/{key}")
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.headers["content-disposition"].startswith("inline; filename=")
    # Another township's user learns nothing, not even that the key exists.
    assert as_user("town_b").get(f"{url}/{key}").status_code == 404
    # A key held in storage but not this hazard's is not served through it.
    other = make_hazard("reported")
    assert town.get(f"{HAZARDS}/{other}/photos/{key}").status_code == 404
