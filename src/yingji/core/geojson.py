"""GeoJSON helpers (RFC 7946): features and collections as plain dicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def point_feature(
    longitude: float, latitude: float, properties: Mapping[str, Any], feature_id: object = None
) -> dict[str, Any]:
    """Return a Point feature (coordinates in WGS84/CGCS2000 longitude, latitude order)."""
    feature: dict[str, Any] = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": dict(properties),
    }
    if feature_id is not None:
        feature["id"] = feature_id
    return feature


def feature(
    geometry: Mapping[str, Any] | None, properties: Mapping[str, Any], feature_id: object = None
) -> dict[str, Any]:
    """Return a feature with any geometry (None allowed by RFC 7946 §3.2)."""
    out: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": dict(properties)}
    if feature_id is not None:
        out["id"] = feature_id
    return out


def feature_collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Return a FeatureCollection of ``features``."""
    return {"type": "FeatureCollection", "features": list(features)}
