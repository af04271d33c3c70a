"""Excel columns every sited registry shares: where the record is."""

from __future__ import annotations

from yingji.core.excel import Column

LOCATION_COLUMNS = [
    Column("longitude", "经度", "float", required=True, example=105.594),
    Column("latitude", "纬度", "float", required=True, example=29.405),
    Column("division_code", "行政区划代码", note="留空则按坐标自动判定"),
    Column("address", "地址"),
]
