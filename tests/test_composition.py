"""The composition root: every domain is in DOMAINS, whole, and a broken one fails loudly."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from yingji import bootstrap
from yingji.alarms.events import AlarmPromoted
from yingji.core.composition import Domain, Subscription, TemplateFolder
from yingji.core.events import Event
from yingji.settings import Settings

SRC = Path(bootstrap.__file__).parent


def test_the_shipped_domains_compose() -> None:
    assert bootstrap.composition_problems() == []


def test_every_package_with_routes_is_in_domains() -> None:
    for edge in [*SRC.rglob("api.py"), *SRC.rglob("pages.py")]:
        package = ".".join(("yingji", *edge.parent.relative_to(SRC).parts))
        covered = any(d.covers(package) for d in bootstrap.DOMAINS)
        assert covered or package in bootstrap.KIT_PACKAGES, package


def test_a_domain_left_out_of_domains_is_reported() -> None:
    without_alarms = tuple(d for d in bootstrap.DOMAINS if d.package != "yingji.alarms")
    problems = bootstrap.composition_problems(without_alarms)
    assert any("yingji.alarms has api.py but is in no manifest" in p for p in problems)
    # The incidents domain subscribes to AlarmPromoted, which nobody publishes any more.
    assert any("alarms.promoted" in p and "no domain in DOMAINS publishes" in p for p in problems)


def test_a_misspelled_domain_fails_loudly() -> None:
    misspelled = Domain(package="yingji.alrams", title="报警（拼错）")
    with pytest.raises(RuntimeError, match=r"'yingji\.alrams': no such package"):
        bootstrap.build_context(
            Settings(database_url="sqlite://", demo=True),
            domains=(*bootstrap.DOMAINS, misspelled),
        )


def test_a_subscription_to_an_unpublished_event_is_reported() -> None:
    class NobodyPublishes(Event):
        name = "tests.nobody_publishes"

    def handler(_uow: object, _event: Event) -> None:
        return None

    stray = Domain(
        package="yingji.onemap",
        title="x",
        subscriptions=(Subscription(NobodyPublishes, handler, "tests.stray"),),  # type: ignore[arg-type]
    )
    problems = bootstrap.composition_problems((*bootstrap.DOMAINS, stray))
    assert any("tests.nobody_publishes" in p for p in problems)


def test_a_missing_or_doubled_template_folder_is_reported() -> None:
    alarms = next(d for d in bootstrap.DOMAINS if d.package == "yingji.alarms")
    broken = dataclasses.replace(
        alarms,
        templates=(
            TemplateFolder("alarms", "yingji.alarms"),
            TemplateFolder("geo", "yingji.geo"),  # geo has no templates/ folder
        ),
    )
    domains = tuple(broken if d is alarms else d for d in bootstrap.DOMAINS)
    problems = bootstrap.composition_problems(domains)
    assert any("no templates folder in yingji.geo" in p for p in problems)
    doubled = dataclasses.replace(alarms, templates=(TemplateFolder("duty", "yingji.alarms"),))
    domains = tuple(doubled if d is alarms else d for d in bootstrap.DOMAINS)
    assert any("'duty' is used twice" in p for p in bootstrap.composition_problems(domains))


def test_every_published_event_type_is_decodable() -> None:
    ctx = bootstrap.build_context(Settings(database_url="sqlite://", demo=True))
    try:
        for domain in bootstrap.DOMAINS:
            for event_type in domain.events:
                assert ctx.events.is_registered(event_type.name), event_type.name
        assert ctx.events.is_registered(AlarmPromoted.name)
    finally:
        ctx.engine.dispose()


def test_bootstrap_holds_no_dynamic_imports() -> None:
    source = (SRC / "bootstrap.py").read_text(encoding="utf-8")
    assert "importlib" not in source
    assert "ModuleNotFoundError" not in source


def _manifest_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            found += [n for n in names if n.endswith(".manifest")]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.endswith(".manifest")]
    return found


def test_nothing_but_bootstrap_imports_a_manifest() -> None:
    importers = {
        str(path.relative_to(SRC)) for path in SRC.rglob("*.py") if _manifest_imports(path)
    }
    assert importers == {"bootstrap.py"}
