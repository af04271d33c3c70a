"""Divisions API: list, tree filters, GeoJSON boundaries, point-in-division lookup."""

from __future__ import annotations

from support.district import POINT_A, POINT_B, TOWN_A


def test_divisions_list_and_filter(as_user):
    api = as_user("town_b")
    page = api.get("/api/v1/divisions").json()
    assert page["total"] == 7
    district = page["items"][0]
    assert (district["code"], district["level"], district["parent_code"]) == (
        "500153",
        "district",
        None,
    )
    below_a = api.get("/api/v1/divisions", params={"division_code": TOWN_A}).json()
    assert {d["code"] for d in below_a["items"]} == {TOWN_A, "500153001001", "500153001002"}
    villages = api.get("/api/v1/divisions", params={"level": "village"}).json()
    assert villages["total"] == 4
    assert all(d["parent_code"] in {"500153001", "500153002"} for d in villages["items"])


def test_locate_returns_deepest_division(as_user):
    api = as_user("bureau")
    r = api.get(
        "/api/v1/divisions/locate", params={"longitude": POINT_A[0], "latitude": POINT_A[1] - 0.02}
    )
    assert r.json() == {
        "code": "500153001001",
        "name": "玉屏社区",
        "level": "village",
        "path": ["500153", "500153001", "500153001001"],
    }
    r = api.get("/api/v1/divisions/locate", params={"longitude": POINT_B[0], "latitude": 29.48})
    assert r.json()["code"] == "500153002002"
    assert (
        api.get("/api/v1/divisions/locate", params={"longitude": 100, "latitude": 20}).status_code
        == 404
    )


def test_geojson_boundaries(as_user):
    r = as_user("bureau").get("/api/v1/divisions.geojson", params={"level": "township"})
    assert r.headers["content-type"].startswith("application/geo+json")
    features = r.json()["features"]
    assert {f["properties"]["code"] for f in features} == {"500153001", "500153002"}
    assert features[0]["geometry"]["type"] == "Polygon"


def test_division_detail_and_404(as_user):
    api = as_user("bureau")
    assert api.get("/api/v1/divisions/500153001").json()["name"] == "昌元街道"
    assert api.get("/api/v1/divisions/999999").status_code == 404
