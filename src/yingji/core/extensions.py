"""Named, typed extension points that domains contribute to through their manifests.

A lower layer (or core) declares a point — an ``ExtensionPoint[T]`` with a name — and the
domains above it contribute values of type ``T`` in their ``manifest.py``. ``bootstrap``
collects every contribution into one ``Extensions`` value on the context; the owner of the
point reads ``ctx.extensions.get(POINT)``. Nothing is registered at import time, so a domain
left out of ``bootstrap.DOMAINS`` contributes nothing, visibly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ExtensionPoint(Generic[T]):
    """A named slot that domains fill with values of type ``T``."""

    name: str
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Contribution(Generic[T]):
    """One value a domain gives to an extension point."""

    point: ExtensionPoint[T]
    value: T


def contribute(point: ExtensionPoint[T], *values: T) -> tuple[Contribution[T], ...]:
    """Return contributions of ``values`` to ``point`` (for a manifest's tuple)."""
    return tuple(Contribution(point, value) for value in values)


@dataclass(frozen=True, slots=True)
class LabelTable:
    """The Chinese labels of one enum or state field: ``kind`` → {code: label}."""

    kind: str
    labels: Mapping[str, str]


class Extensions:
    """Every contribution of the mounted domains, by point, in ``DOMAINS`` order."""

    def __init__(self, contributions: Iterable[Contribution[Any]] = ()) -> None:
        self._values: dict[str, list[Any]] = defaultdict(list)
        self._points: dict[str, ExtensionPoint[Any]] = {}
        for item in contributions:
            self.add(item)

    def add(self, item: Contribution[Any]) -> None:
        """Add one contribution (a point of the same name must be the same point)."""
        known = self._points.setdefault(item.point.name, item.point)
        if known is not item.point:
            raise ValueError(f"two extension points are called {item.point.name!r}")
        self._values[item.point.name].append(item.value)

    def get(self, point: ExtensionPoint[T]) -> list[T]:
        """Return the values contributed to ``point`` (empty when none)."""
        return cast(list[T], list(self._values.get(point.name, [])))

    def points(self) -> list[str]:
        """Return the names of the points that received contributions."""
        return sorted(self._values)


# The points every layer may fill. Each names what its values are; owners read them.
LABEL_TABLES: ExtensionPoint[LabelTable] = ExtensionPoint(
    "labels", "Chinese labels of enums and states, read by the display layer"
)
