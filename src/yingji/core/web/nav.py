"""Navigation by the five business domains, built from the pages the app actually mounts.

A page module marks the endpoint of each page that belongs in the menu (``mark_nav``); the
layout reads the marks from the mounted routes, so the menu never lists a page that is not
served and core needs to know no domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi.routing import APIRoute

# The five business domains, in menu order (glossary: 监督管理, 监测预警, 指挥救援, 决策支持,
# 政务服务). Registries name their group in RegistrySpec.nav_group.
GROUPS: tuple[tuple[str, str], ...] = (
    ("supervision", "监督管理"),
    ("monitoring", "监测预警"),
    ("response", "指挥救援"),
    ("decision", "决策支持"),
    ("services", "政务服务"),
)

_MARK = "__yingji_nav__"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class NavEntry:
    """One menu link: its business group, label, URL and who may see it (None: everyone)."""

    group: str
    title: str
    url: str
    roles: frozenset[str] | None = None


@dataclass(frozen=True)
class NavLink:
    """A menu link as the layout renders it."""

    title: str
    url: str
    current: bool


@dataclass(frozen=True)
class NavGroup:
    """A business domain's menu: its links, or none yet (shown as under construction)."""

    key: str
    title: str
    links: tuple[NavLink, ...]

    @property
    def current(self) -> bool:
        """Tell whether the current page is in this group."""
        return any(link.current for link in self.links)


def mark_nav(endpoint: F, entry: NavEntry) -> F:
    """Mark a page endpoint as a menu entry (returns the endpoint)."""
    setattr(endpoint, _MARK, entry)
    return endpoint


def endpoints(routes: Sequence[Any]) -> Iterator[Callable[..., Any]]:
    """Yield the endpoint of every mounted API route, in mounting order."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route.endpoint
            continue
        # Newer FastAPI keeps an included router as one lazy route holding the original
        # router; older versions copy its routes in. Look inside either way.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from endpoints(inner.routes)


def nav_entries(routes: Sequence[Any]) -> list[NavEntry]:
    """Return the menu entries of the mounted routes, in mounting order."""
    found: list[NavEntry] = []
    for endpoint in endpoints(routes):
        entry = getattr(endpoint, _MARK, None)
        if isinstance(entry, NavEntry) and entry not in found:
            found.append(entry)
    return found


def _is_current(url: str, path: str) -> bool:
    return path == url or (url != "/" and path.startswith(url + "/"))


# Roles that see only the menu entries naming them (the auditor reads the audit log and
# nothing else; pages open to every role would show them empty lists).
EXPLICIT_ONLY_ROLES = frozenset({"auditor"})


def _visible(entry: NavEntry, role: str | None) -> bool:
    if entry.roles is None:
        return role not in EXPLICIT_ONLY_ROLES
    return role is not None and role in entry.roles


def build_nav(entries: Sequence[NavEntry], role: str | None, path: str) -> list[NavGroup]:
    """Return the five groups with the links ``role`` may see; empty groups stay listed."""
    groups: list[NavGroup] = []
    # Only the most specific match is current: on /stock/alerts that is 库存预警, not 库存台账.
    matches = [e.url for e in entries if _is_current(e.url, path)]
    current = max(matches, key=len) if matches else None
    for key, title in GROUPS:
        mine = [e for e in entries if e.group == key]
        visible = [e for e in mine if _visible(e, role)]
        if mine and not visible:
            continue  # the group has pages, none for this role: leave it out
        links = tuple(NavLink(e.title, e.url, e.url == current) for e in visible)
        groups.append(NavGroup(key, title, links))
    return groups
