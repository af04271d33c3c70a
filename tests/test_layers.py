"""The import contracts: the repository keeps them, and the public-surface contract bites.

``lint-imports`` (also run by ``make lint``) checks the layers, the kernel's independence and
that only a domain's public surface crosses to another domain. The fixture package below
has one import of each kind the public-surface contract must tell apart, so a contract that
silently passes everything fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.domain.contract import InvalidContractOptions

from tools.importlinter_contracts import PublicSurfaceContract

REPO = Path(__file__).resolve().parents[1]
CONTRACT_NAME = "Domains meet at their public surface (no foreign models/rules)"


def test_repository_keeps_every_import_contract() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "200"},  # one line per contract in the summary
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{CONTRACT_NAME} KEPT" in result.stdout
    assert "0 broken" in result.stdout


# The fixture: domains a, b (with sub-domain b.sub) and c; kit is no domain; boot is exempt.
FIXTURE = {
    "__init__.py": "",
    "boot.py": "from shop.b.models import Thing\nfrom shop.c.rules import Rate\n",
    "kit/__init__.py": "",
    "kit/roles.py": "from shop.b.rules import Kernel\n",
    "kit/mixed.py": "from shop.b.rules import Kernel, Secret\n",
    "a/__init__.py": "",
    "a/queries.py": "from shop.b.schemas import ThingRead\nfrom shop.b.queries import get_thing\n",
    "a/service.py": "from shop.b.models import Thing\n",
    "a/pages.py": "from shop.b import models\n",
    "a/manifest.py": "from shop.c.models import Price\n",
    "a/lazy.py": "def later():\n    from shop.c.rules.deep import Rate\n    return Rate\n",
    "b/__init__.py": "",
    "b/models.py": "class Thing: ...\n",
    "b/rules.py": "class Kernel: ...\nclass Secret: ...\n",
    "b/schemas.py": "from shop.b.rules import Kernel as Kernel\nclass ThingRead: ...\n",
    "b/queries.py": "from shop.b.models import Thing\ndef get_thing(): ...\n",
    "b/sub/__init__.py": "",
    "b/sub/models.py": "from shop.b.models import Thing\nclass Part: ...\n",
    "b/sub/service.py": "from shop.b.rules import Secret\n",
    "b/pages.py": "from shop.b.sub.models import Part\n",
    "c/__init__.py": "",
    "c/models.py": "class Price: ...\n",
    "c/rules/__init__.py": "",
    "c/rules/deep.py": "class Rate: ...\n",
    "c/service.py": "from shop.b.sub.models import Part\nfrom .rules.deep import Rate\n",
    "c/pages.py": "from ..b.models import Thing\n",
}

OPTIONS: dict[str, Any] = {
    "container": "shop",
    "not_domains": ["shop.kit", "shop.boot"],
    "exempt_importers": ["shop.boot", "shop.**.manifest"],
    "ignore": [
        {"import": "shop.** -> shop.b.rules", "names": ["Kernel"], "reason": "the kernel type"},
    ],
}


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> grimp.ImportGraph:
    for name, source in FIXTURE.items():
        path = tmp_path / "shop" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return grimp.build_graph("shop", cache_dir=None)


def _check(graph: grimp.ImportGraph, **overrides: Any) -> Any:
    contract = PublicSurfaceContract("public surface", {}, {**OPTIONS, **overrides})
    return contract.check(graph, verbose=False)


def test_only_crossings_into_another_domains_internals_are_reported(
    shop: grimp.ImportGraph,
) -> None:
    check = _check(shop)

    assert not check.kept
    reported = {(v.importer, v.imported, v.names) for v in check.metadata["violations"]}
    assert reported == {
        # another domain's table
        ("shop.a.service", "shop.b.models", frozenset({"Thing"})),
        # the whole models module of another domain
        ("shop.a.pages", "shop.b.models", None),
        # below another domain's rules, from inside a function
        ("shop.a.lazy", "shop.c.rules.deep", frozenset({"Rate"})),
        # a cousin's internals: b.sub is a domain of its own, c is not its relative
        ("shop.c.service", "shop.b.sub.models", frozenset({"Part"})),
        # a relative import is resolved like any other
        ("shop.c.pages", "shop.b.models", frozenset({"Thing"})),
        # no domain at all (a kit): the ignore entry covers Kernel, not Secret
        ("shop.kit.mixed", "shop.b.rules", frozenset({"Kernel", "Secret"})),
    }
    # kit.roles takes only the kernel name: ignored, and counted as such.
    assert check.ignored_import_count == 1
    assert check.metadata["unused_ignores"] == []


def test_relatives_the_public_surface_and_exempt_importers_pass(
    shop: grimp.ImportGraph,
) -> None:
    importers = {v.importer for v in _check(shop).metadata["violations"]}

    # a sub-domain and its parent read each other's internals (both directions)
    assert "shop.b.sub.models" not in importers
    assert "shop.b.sub.service" not in importers
    assert "shop.b.pages" not in importers
    # schemas/queries of another domain, the composition root, a manifest
    assert "shop.a.queries" not in importers
    assert "shop.boot" not in importers
    assert "shop.a.manifest" not in importers


def test_an_ignore_entry_that_matches_nothing_breaks_the_contract(
    shop: grimp.ImportGraph,
) -> None:
    stale = {"import": "shop.a.queries -> shop.c.models", "reason": "long gone"}
    check = _check(shop, ignore=[*OPTIONS["ignore"], stale])

    assert [e.describe() for e in check.metadata["unused_ignores"]] == [
        "shop.a.queries -> shop.c.models"
    ]


def test_the_contract_is_kept_once_every_crossing_is_accepted(
    shop: grimp.ImportGraph,
) -> None:
    everything = {"import": "shop.** -> shop.**", "reason": "accept all, for this test"}
    check = _check(shop, ignore=[everything])

    assert check.kept
    assert check.ignored_import_count == 7


def test_every_ignore_entry_needs_a_reason() -> None:
    with pytest.raises(InvalidContractOptions) as raised:
        PublicSurfaceContract(
            "public surface", {}, {**OPTIONS, "ignore": [{"import": "shop.a -> shop.b.models"}]}
        )
    assert "ignore" in raised.value.errors
