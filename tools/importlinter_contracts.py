"""Import-linter contract types of the yingji repository (development tooling, not shipped).

``PublicSurfaceContract`` (type ``public_surface``) enforces the architecture's second rule
between domains: only a domain's public surface (``service``, ``queries``, ``events``,
``schemas``, and ``api``/``pages`` for the edges) crosses to another domain; its internal
modules (``models``: the tables, ``rules``: the pure business rules) do not.

What counts as a domain: every package under ``container`` (``yingji``) except the packages
and modules named in ``not_domains`` (the kernel, the kits, the edges) and anything inside
them. Nested packages are domains of their own: ``yingji.incidents.dispatch`` is one domain,
``yingji.incidents`` another. A module belongs to the deepest domain that contains it.

The nesting rule: a domain may import the internal modules of its ancestors and of its
descendants (``yingji.incidents.review`` reads ``yingji.incidents.models``; the
``yingji.risks`` overview page may read ``yingji.risks.points.rules``). A sub-domain lives
inside its parent's package because it is part of the parent's bounded context and moves
with it. Siblings and cousins (``yingji.incidents.review`` → ``yingji.incidents.dispatch``)
are separate domains and go through the public surface like any other pair. A module that
belongs to no domain (the registry kit, the web kit, ``core``) is checked too: to it every
domain is another domain.

Importers matched by ``exempt_importers`` (the composition root, the demo seed, the
process entrypoints, the domains' manifests) are not checked.

``ignore`` lists the accepted crossings, each a table with ``import`` (an import-linter
import expression, wildcards allowed), optional ``names`` (the entry then covers only
``from <module> import <these names>`` statements, so a later import of anything else
through the same pair of modules is still reported) and a mandatory ``reason``. An entry
that matches nothing is reported (``unmatched_ignore_alerting``, "error" by default) so the
list cannot go stale.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain.imports import ImportExpression, ModuleExpression

__all__ = ["IgnoreEntry", "PublicSurfaceContract", "Violation"]


@dataclass(frozen=True)
class IgnoreEntry:
    """One accepted crossing: which imports it covers and why it is accepted."""

    expression: ImportExpression
    names: frozenset[str] | None
    reason: str

    def describe(self) -> str:
        """Return the entry as a line for the report."""
        names = f" [{', '.join(sorted(self.names))}]" if self.names is not None else ""
        return f"{self.expression}{names}"


@dataclass(frozen=True)
class Violation:
    """An import of another domain's internal module, with the names it takes."""

    importer: str
    imported: str
    line_number: int
    line_contents: str
    names: frozenset[str] | None  # None: the module itself, or the names could not be read

    def describe(self) -> str:
        """Return the violation as a line for the report."""
        names = f": {', '.join(sorted(self.names))}" if self.names else ""
        return f"{self.importer} -> {self.imported} (l.{self.line_number}{names})"


class IgnoreEntriesField(fields.Field[list[IgnoreEntry]]):
    """A list of TOML tables ``{ import = "a -> b", names = [...], reason = "..." }``."""

    def parse(self, raw_data: Any) -> list[IgnoreEntry]:
        """Return the parsed entries; every entry needs an import expression and a reason."""
        if not isinstance(raw_data, list):
            raise fields.ValidationError("Expected a list of tables.")
        entries: list[IgnoreEntry] = []
        for raw in raw_data:
            if not isinstance(raw, dict):
                raise fields.ValidationError(
                    'Each entry must be a table: { import = "a -> b", reason = "..." }.'
                )
            unknown = set(raw) - {"import", "names", "reason"}
            if unknown:
                raise fields.ValidationError(f"Unknown keys in an entry: {sorted(unknown)}.")
            reason = str(raw.get("reason", "")).strip()
            if not reason:
                raise fields.ValidationError(f"The entry {raw.get('import')!r} has no reason.")
            expression = fields.ImportExpressionField().parse(str(raw.get("import", "")))
            names = raw.get("names")
            if names is not None and (
                not isinstance(names, list) or not all(isinstance(n, str) for n in names)
            ):
                raise fields.ValidationError("names must be a list of strings.")
            entries.append(
                IgnoreEntry(expression, frozenset(names) if names is not None else None, reason)
            )
        return entries


class PublicSurfaceContract(Contract):
    """No domain imports another domain's internal modules (see the module docstring).

    Configuration options:
        - container:                 the package whose sub-packages are the domains.
        - not_domains:               modules and packages under it that are no domain.
        - internal_modules:          a domain's internal module names (default models, rules).
        - exempt_importers:          module expressions (with descendants) not checked.
        - ignore:                    accepted crossings, each with a reason.
        - unmatched_ignore_alerting: none / warn / error (default) for unused ignore entries.
    """

    type_name = "public_surface"

    container = fields.StringField()
    not_domains = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    internal_modules = fields.ListField(
        subfield=fields.StringField(), required=False, default=["models", "rules"]
    )
    exempt_importers = fields.ListField(
        subfield=fields.ModuleExpressionField(), required=False, default=[]
    )
    ignore = IgnoreEntriesField(required=False, default=[])
    unmatched_ignore_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Return the crossings not covered by an ignore entry, and the unused entries."""
        container: str = self.container  # type: ignore[assignment]
        domains = _domains(graph, container, self.not_domains)  # type: ignore[arg-type]
        internal: list[str] = self.internal_modules  # type: ignore[assignment]
        exempt = _expand(graph, self.exempt_importers)  # type: ignore[arg-type]
        reader = _ImportReader(container)

        found: list[Violation] = []
        for target in sorted(graph.modules):
            target_domain = _internal_owner(target, domains, internal)
            if target_domain is None:
                continue
            for importer in sorted(graph.find_modules_that_directly_import(target)):
                if importer in exempt:
                    continue
                if _may_import(_owner(importer, domains), target_domain):
                    continue
                for detail in graph.get_import_details(importer=importer, imported=target):
                    line = int(detail["line_number"])
                    found.append(
                        Violation(
                            importer=importer,
                            imported=target,
                            line_number=line,
                            line_contents=str(detail["line_contents"]),
                            names=reader.names(importer, target, line),
                        )
                    )

        entries: list[IgnoreEntry] = self.ignore  # type: ignore[assignment]
        used: set[int] = set()
        kept_violations: list[Violation] = []
        ignored = 0
        pairs_by_entry = [
            {
                (match["importer"], match["imported"])
                for match in graph.find_matching_direct_imports(
                    import_expression=str(entry.expression)
                )
            }
            for entry in entries
        ]
        for violation in found:
            pair = (violation.importer, violation.imported)
            matching = [i for i, pairs in enumerate(pairs_by_entry) if pair in pairs]
            if _covered(violation, [entries[i] for i in matching]):
                used.update(i for i in matching if _contributes(entries[i], violation))
                ignored += 1
            else:
                kept_violations.append(violation)

        unused = [entry for index, entry in enumerate(entries) if index not in used]
        alerting: AlertLevel = self.unmatched_ignore_alerting  # type: ignore[assignment]
        warnings: list[str] = []
        if alerting is AlertLevel.WARN:
            warnings = [f"Ignore entry matched nothing: {e.describe()}" for e in unused]
        stale = unused if alerting is AlertLevel.ERROR else []
        return ContractCheck(
            kept=not kept_violations and not stale,
            warnings=warnings,
            ignored_import_count=ignored,
            metadata={"violations": kept_violations, "unused_ignores": stale},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        """Print each illegal import, then each ignore entry that matched nothing."""
        violations: list[Violation] = check.metadata["violations"]
        if violations:
            output.print_error(
                "Imports of another domain's models/rules; import from that domain's "
                "schemas, queries, service or events instead:",
                bold=False,
            )
            output.new_line()
            for violation in violations:
                output.print_error(f"- {violation.describe()}", bold=False)
            output.new_line()
        unused: list[IgnoreEntry] = check.metadata["unused_ignores"]
        if unused:
            output.print_error("Ignore entries that matched nothing (remove them):", bold=False)
            output.new_line()
            for entry in unused:
                output.print_error(f"- {entry.describe()}", bold=False)
            output.new_line()


def _covered(violation: Violation, entries: list[IgnoreEntry]) -> bool:
    # Covered by an entry without names, or every name it takes is named by some entry.
    if any(entry.names is None for entry in entries):
        return True
    if violation.names is None or not entries:
        return False
    allowed = set().union(*(entry.names or () for entry in entries))
    return violation.names <= allowed


def _contributes(entry: IgnoreEntry, violation: Violation) -> bool:
    # An entry is in use when it covers at least one name the violation takes.
    if entry.names is None:
        return True
    return bool(violation.names and violation.names & entry.names)


def _domains(graph: ImportGraph, container: str, not_domains: list[str]) -> set[str]:
    excluded = tuple(not_domains)
    return {
        module
        for module in graph.modules
        if module.startswith(container + ".")
        and graph.find_children(module)
        and not any(module == x or module.startswith(x + ".") for x in excluded)
    }


def _expand(graph: ImportGraph, expressions: list[ModuleExpression]) -> set[str]:
    # Expressions that match nothing (a manifest not written yet) simply exempt nothing.
    modules: set[str] = set()
    for expression in expressions:
        matches = (
            graph.find_matching_modules(expression.expression)
            if expression.has_wildcard_expression()
            else {expression.expression} & set(graph.modules)
        )
        for module in matches:
            modules.add(module)
            modules.update(graph.find_descendants(module))
    return modules


def _owner(module: str, domains: set[str]) -> str | None:
    # The deepest domain containing the module (a domain package belongs to itself).
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in domains:
            return candidate
    return None


def _internal_owner(module: str, domains: set[str], internal: list[str]) -> str | None:
    # The domain whose internal module this is (``<domain>.models`` or anything below it).
    parts = module.split(".")
    for end in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in domains and parts[end] in internal:
            return candidate
    return None


def _may_import(importer_domain: str | None, target_domain: str) -> bool:
    if importer_domain is None:
        return False
    return (
        importer_domain == target_domain
        or importer_domain.startswith(target_domain + ".")
        or target_domain.startswith(importer_domain + ".")
    )


class _ImportReader:
    """Reads which names an import statement takes, from the importer's source."""

    def __init__(self, container: str) -> None:
        spec = importlib.util.find_spec(container)
        locations = list(spec.submodule_search_locations or []) if spec else []
        self._container = container
        self._base = Path(locations[0]) if locations else None
        self._parsed: dict[str, dict[int, list[tuple[str | None, list[str]]]]] = {}

    def names(self, importer: str, imported: str, line: int) -> frozenset[str] | None:
        """Return the names ``from <imported> import …`` takes at ``line``, or None."""
        statements = self._statements(importer).get(line, [])
        names: set[str] = set()
        for module, aliases in statements:
            if module == imported:
                names.update(aliases)
            elif module is not None and any(f"{module}.{a}" == imported for a in aliases):
                return None  # ``from package import module``: the whole module crosses
        return frozenset(names) if names else None

    def _statements(self, module: str) -> dict[int, list[tuple[str | None, list[str]]]]:
        if module not in self._parsed:
            self._parsed[module] = self._read(module)
        return self._parsed[module]

    def _read(self, module: str) -> dict[int, list[tuple[str | None, list[str]]]]:
        path = self._path(module)
        if path is None:
            return {}
        is_package = path.name == "__init__.py"
        out: dict[int, list[tuple[str | None, list[str]]]] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                resolved = _resolve(module, is_package, node.level, node.module)
                aliases = [alias.name for alias in node.names]
                out.setdefault(node.lineno, []).append((resolved, aliases))
            elif isinstance(node, ast.Import):
                out.setdefault(node.lineno, []).append((None, []))
        return out

    def _path(self, module: str) -> Path | None:
        if self._base is None:
            return None
        if module == self._container:
            parts: list[str] = []
        elif module.startswith(self._container + "."):
            parts = module[len(self._container) + 1 :].split(".")
        else:
            return None
        stem = self._base.joinpath(*parts)
        for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
            if parts and candidate.is_file():
                return candidate
        package = self._base / "__init__.py"
        return package if not parts and package.is_file() else None


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str | None:
    # The absolute module a ``from … import`` names (relative imports resolved).
    if level == 0:
        return name
    package = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, name] if name else base)
