"""What the demo seed's steps share: the unit of work, ids found so far, the report tallies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from yingji.core.uow import UnitOfWork
from yingji.demo.fixtures import DemoFixtures
from yingji.registry.service import create_record
from yingji.registry.spec import RegistrySpec


@dataclass
class Tally:
    """How many rows one step created and how many it found already there."""

    label: str
    created: int = 0
    existing: int = 0
    updated: int = 0

    def line(self) -> str:
        """Return the report line (figures first: Chinese labels are double width)."""
        total = self.created + self.existing + self.updated
        detail = f"new {self.created}, existing {self.existing}"
        if self.updated:
            detail += f", updated {self.updated}"
        return f"  {total:>5}  {detail:<34} {self.label}"


@dataclass
class SeedState:
    """What the steps share: the unit of work, ids found or created, and the report."""

    uow: UnitOfWork
    fixtures: DemoFixtures
    district_code: str
    tallies: list[Tally] = field(default_factory=list)
    departments: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    warehouses: dict[str, int] = field(default_factory=dict)
    enterprises: dict[str, int] = field(default_factory=dict)

    def tally(self, label: str) -> Tally:
        """Start counting a step."""
        found = Tally(label)
        self.tallies.append(found)
        return found


def ensure_record(
    state: SeedState, spec: RegistrySpec, payload: dict[str, Any], keys: Sequence[str], tally: Tally
) -> int:
    """Create the record unless one with the same natural key exists; return its id."""
    data = spec.create_schema.model_validate(payload)
    model = spec.model
    clauses = [getattr(model, key) == getattr(data, key) for key in keys]
    found = state.uow.session.scalar(select(model.id).where(*clauses).order_by(model.id).limit(1))
    if found is not None:
        tally.existing += 1
        return int(found)
    read = create_record(state.uow, spec, data)
    tally.created += 1
    return int(read.id)
