"""Read the demo fixtures shipped in the package (see demo/fixtures/README.md).

``geo/fixtures/demo_district.yaml`` holds the district, its 镇街 and 村社; ``demo/fixtures/
resources.yaml`` the registry content. Records point to places by ``township_code`` (and, for
village warehouses, ``village_code``) and carry a ``center`` ``[lon, lat]``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

# Sections of resources.yaml whose rows are sited (a point inside a township).
SITED_SECTIONS = (
    "enterprises",
    "rescue_teams",
    "social_forces",
    "warehouses",
    "shelters",
    "equipment",
)


@dataclass(frozen=True)
class DemoFixtures:
    """The parsed fixture files."""

    district: dict[str, Any]
    townships: list[dict[str, Any]]
    resources: dict[str, list[dict[str, Any]]]

    def section(self, name: str) -> list[dict[str, Any]]:
        """Return the rows of one resources.yaml section (empty when absent)."""
        return list(self.resources.get(name) or [])

    def sited_rows(self) -> list[tuple[str, dict[str, Any]]]:
        """Return (section, row) for every sited row, in file order."""
        return [(name, row) for name in SITED_SECTIONS for row in self.section(name)]


# libyaml's parser is ten times faster than the pure-Python one on resources.yaml (the seed
# runs in `make demo`); both are the safe loader.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(package: str, *path: str) -> Any:
    text = resources.files(package).joinpath(*path).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader, C or Python)


@functools.cache
def load_fixtures() -> DemoFixtures:
    """Return the demo fixtures (read once per process)."""
    district = _read("yingji.geo", "fixtures", "demo_district.yaml")
    registry = _read("yingji.demo", "fixtures", "resources.yaml")
    return DemoFixtures(
        district=dict(district["district"]),
        townships=list(district["townships"]),
        resources={key: list(value or []) for key, value in registry.items()},
    )
