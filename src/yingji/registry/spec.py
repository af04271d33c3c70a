"""RegistrySpec: what a registry declares so the kit can serve it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from yingji.accounts.rules import Role
from yingji.accounts.schemas import REGISTRY_WRITERS, WORKING_ROLES
from yingji.core.errors import FieldError
from yingji.core.excel import Column
from yingji.core.extensions import ExtensionPoint
from yingji.core.uow import UnitOfWork
from yingji.settings import Settings

# A business check run before a create or update: (session, merged field values, existing
# row or None) → the field errors. Pure rules live in the domain's rules.py; this adapts.
Validator = Callable[[Session, dict[str, Any], Any | None], list[FieldError]]
# A check that depends on who acts (a referenced record must be one the actor may see):
# (unit of work, merged field values, existing row or None) → the field errors.
ActorValidator = Callable[[UnitOfWork, dict[str, Any], Any | None], list[FieldError]]
# A query filter: value from the query string → WHERE clause.
# A custom list filter: (the filter value, the deployment settings) → a WHERE clause.
FilterFn = Callable[[Any, Settings], ColumnElement[bool]]


@dataclass(frozen=True)
class RegistrySpec:
    """A registry's declaration: table, schemas, Excel layout, permissions and scoping."""

    name: str  # URL collection, e.g. "shelters" → /api/v1/shelters
    entity: str  # singular code name, e.g. "shelter" (audit actions, events)
    title: str  # Chinese title shown in pages, e.g. "应急避难场所"
    model: type[Any]
    read_schema: type[BaseModel]
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    filter_schema: type[BaseModel]
    columns: Sequence[Column]
    sited: bool = True
    # False for district-wide reference data (the supply catalogue): every role in
    # ``reader_roles`` reads every row, whatever its jurisdiction, and ``writer_roles`` alone
    # decides who writes. A non-sited, unscoped row is filed under the district division.
    scoped: bool = True
    enterprise_attr: str | None = None
    writer_roles: frozenset[Role] = REGISTRY_WRITERS
    # Who may create and import (None: the writers). Enterprise officers may update their
    # own enterprise's profile but not register new enterprises.
    creator_roles: frozenset[Role] | None = None
    # Who may retire records (None: the writers). An enterprise officer edits their own
    # enterprise's profile but may not retire it.
    retirer_roles: frozenset[Role] | None = None
    # Roles that may read the registry at all (scoping still applies within them).
    reader_roles: frozenset[Role] = WORKING_ROLES - {Role.ENTERPRISE_OFFICER}
    # Which of the five business domains' menus lists this registry: supervision (监督管理),
    # monitoring (监测预警), response (指挥救援), decision (决策支持), services (政务服务).
    nav_group: str = "services"
    filters: Mapping[str, FilterFn] = field(default_factory=dict)
    search_attrs: Sequence[str] = ("name",)
    order_by: str = "id"
    validate: Validator | None = None
    validate_for_actor: ActorValidator | None = None
    # Fields shown as table columns in the list page and as GeoJSON properties.
    list_fields: Sequence[str] = ("name",)
    # Labels for enum values shown to people, per field: {"status": {"open": "开放"}}.
    choice_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # List fields whose GeoJSON property stays the stored code although pages show its label
    # (a map paints by it: the risk points' "color").
    geojson_codes: frozenset[str] = frozenset()
    # Hooks for child rows (licences) and derived fields: called after the row is flushed.
    after_write: Callable[[Any, Any, dict[str, Any]], None] | None = None
    # Extra read fields computed from the row (e.g. licence list), merged into the read dict.
    extra_read: Callable[[Session, Sequence[Any]], dict[int, dict[str, Any]]] | None = None
    # Personal fields (phones, an enterprise's contacts list): masked (138****1234) in the
    # API, pages and exports for roles outside ``Settings.pii_reveal_roles``; a role with the
    # right reveals one with a stated purpose (audited), see registry/privacy.py.
    personal_fields: frozenset[str] = frozenset()
    # Links a record's detail page offers to other pages: (label, URL with "{id}"), e.g.
    # ("库存", "/stock?warehouse_id={id}"). The kit knows nothing of those pages.
    detail_links: Sequence[tuple[str, str]] = ()

    @property
    def sheet(self) -> str:
        """Return the Excel sheet name."""
        return self.title

    @property
    def table(self) -> str:
        """Return the table name (the audit entity)."""
        return str(self.model.__tablename__)

    @property
    def domain(self) -> str:
        """Return the business domain that owns the registry (its model's top package)."""
        # yingji.resources.shelters.models → "resources"
        return str(self.model.__module__.split(".")[1])

    def audit_action(self, verb: str) -> str:
        """Return the audit action for ``verb`` on this registry: ``domain.entity.verb``."""
        return f"{self.domain}.{self.entity}.{verb}"

    def label(self, field_name: str, value: Any) -> str:
        """Return the Chinese label of an enum value (the value itself when unlabelled)."""
        text = value.value if hasattr(value, "value") else value
        return self.choice_labels.get(field_name, {}).get(str(text), str(text))


# The registries the kit serves (routes, pages, Excel, GeoJSON): each domain contributes its
# specs in its manifest; ``bootstrap`` mounts them in ``DOMAINS`` order.
REGISTRIES: ExtensionPoint[RegistrySpec] = ExtensionPoint(
    "registries", "registry declarations the kit turns into routes and pages"
)
