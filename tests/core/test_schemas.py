"""The row-to-schema mapper: ``ReadModel.of`` and ``Event.of`` take same-named attributes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from pydantic import ValidationError

from yingji.core.events import Event
from yingji.core.schemas import ReadModel


@dataclass
class _Row:
    id: int
    name: str
    occurred_at: datetime
    note: str | None = None


class _Read(ReadModel):
    id: int
    name: str
    label: str
    note: str | None = "default"


class _Happened(Event):
    name: ClassVar[str] = "test.happened"
    row_id: int
    note: str | None = None


ROW = _Row(id=7, name="甲", occurred_at=datetime(2020, 1, 1, tzinfo=UTC))


def test_fields_come_from_the_row_unless_given() -> None:
    read = _Read.of(ROW, label="标签", name="乙")
    assert (read.id, read.name, read.label, read.note) == (7, "乙", "标签", None)


def test_a_field_missing_everywhere_fails_validation() -> None:
    with pytest.raises(ValidationError):
        _Read.of(ROW)


def test_a_misspelt_keyword_is_refused() -> None:
    with pytest.raises(TypeError, match="lable"):
        _Read.of(ROW, label="x", lable="x")


def test_an_event_never_takes_its_own_time_or_id_from_the_row() -> None:
    event = _Happened.of(ROW, row_id=ROW.id)
    assert event.row_id == 7
    assert event.note is None
    assert event.occurred_at != ROW.occurred_at
    assert len(event.event_id) == 32


def test_an_event_time_can_be_given() -> None:
    at = datetime(2021, 5, 6, tzinfo=UTC)
    assert _Happened.of(ROW, row_id=1, occurred_at=at).occurred_at == at
