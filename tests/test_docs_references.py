"""The architecture docs stay true: every file and symbol they name exists.

``docs/architecture.md`` walks one request through the layers naming ``path.py::symbol``
places; a rename that forgets the docs fails here instead of misleading the next reader.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "yingji"
# `dir/file.py` or `dir/file.py::name` (a bare `file.py` is a per-domain convention, not a path).
_REFERENCE = re.compile(r"`((?:[a-z_]+/)+[a-z_]+\.py)(?:::([A-Za-z_][\w.]*))?`")


def _references() -> list[tuple[str, str | None]]:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    return sorted({(m.group(1), m.group(2)) for m in _REFERENCE.finditer(text)}, key=str)


def _defined(tree: ast.Module, dotted: str) -> bool:
    """Tell whether ``dotted`` (``name`` or ``Class.method``) is defined in ``tree``."""
    scope: list[ast.stmt] = tree.body
    for part in dotted.split("."):
        found = None
        for node in scope:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name == part:
                    found = node
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == part for t in targets):
                    found = node
        if found is None:
            return False
        scope = getattr(found, "body", [])
    return True


def test_the_docs_name_places():
    assert len(_references()) >= 15


@pytest.mark.parametrize(("path", "symbol"), _references())
def test_each_named_place_exists(path: str, symbol: str | None):
    file = ROOT / path if path.startswith(("tests/", "tools/")) else PACKAGE / path
    assert file.is_file(), f"docs/architecture.md names {path}, which does not exist"
    if symbol:
        tree = ast.parse(file.read_text("utf-8"))
        assert _defined(tree, symbol), f"{path} defines no {symbol}"
