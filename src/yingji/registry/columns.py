"""Excel columns every sited registry shares: where the record is."""

from __future__ import annotations

from yingji.core.excel import Column

LOCATION_COLUMNS = [
    Column(
        "longitude", "经度", "float", required=True, example=105.594, synonyms=("东经", "经度(°)")
    ),
    Column(
        "latitude", "纬度", "float", required=True, example=29.405, synonyms=("北纬", "纬度(°)")
    ),
    Column(
        "division_code",
        "行政区划代码",
        note="留空则按坐标自动判定",
        synonyms=("区划代码", "行政区划编码", "所在区划代码"),
    ),
    Column("address", "地址", synonyms=("详细地址", "所在地址", "地点")),
]
