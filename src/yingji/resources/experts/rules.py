"""Expert rules (pure): genders and the suggested fields of expertise.

The fields follow the bureau's areas of work under 《中华人民共和国安全生产法》 (hazardous
chemicals, non-coal mines, industry and trade) and its disaster-prevention duties (floods,
geological hazards, forest fires). Other fields are accepted.
"""

from __future__ import annotations

from enum import StrEnum


class Gender(StrEnum):
    """An expert's gender (optional)."""

    MALE = "male"
    FEMALE = "female"


GENDER_LABELS = {"male": "男", "female": "女"}

SUGGESTED_FIELDS = (
    "危险化学品",
    "非煤矿山",
    "工贸",
    "消防",
    "地质灾害",
    "防汛抗旱",
    "气象",
    "医疗卫生",
    "建筑施工",
    "道路交通",
    "森林防火",
    "电力",
)
