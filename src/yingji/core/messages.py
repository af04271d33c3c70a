"""Chinese reasons for pydantic validation errors (what people read in forms and reports).

The API keeps pydantic's machine ``type`` next to the Chinese ``reason`` so integrators can
still branch on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TEMPLATES: dict[str, str] = {
    "missing": "必填项",
    "string_too_short": "长度至少 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）",
    "finite_number": "应为有限的数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "bool_parsing": "应为“是”或“否”",
    "bool_type": "应为“是”或“否”",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601（如 2026-03-01T08:30:00+08:00）",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601（如 2026-03-01T08:30:00+08:00）",
    "list_type": "应为列表",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "url_parsing": "网址格式不正确",
    "uuid_parsing": "格式不正确",
    "dict_type": "应为对象",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "JSON 格式错误",
}


def _format(template: str, ctx: Mapping[str, Any]) -> str:
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def pydantic_reason(error: Mapping[str, Any]) -> str:
    """Return the Chinese reason for one pydantic error dict."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、")
        return f"取值应为：{expected}" if expected else "取值不在允许范围内"
    if kind == "value_error":
        # Our own validators raise ValueError with a Chinese message already.
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ")
    template = _TEMPLATES.get(kind)
    return _format(template, ctx) if template else str(error.get("msg", "格式不正确"))
