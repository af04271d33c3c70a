"""Generate a migration from the models: ``python -m yingji.migrations.autogen "message"``.

``--rebuild-initial`` regenerates revision 0001 from scratch; it is only for the period
before the first release, while no deployed database exists. After that, every schema
change is a new revision.
"""

from __future__ import annotations

import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from alembic import command

from yingji.migrations.runner import alembic_config, upgrade


def main(argv: list[str]) -> int:
    """Generate a revision; return the exit code."""
    rebuild = "--rebuild-initial" in argv
    words = [a for a in argv if not a.startswith("--")]
    if not words and not rebuild:
        print('usage: python -m yingji.migrations.autogen "message" | --rebuild-initial')
        return 2
    versions = Path(str(files("yingji.migrations"))) / "versions"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/autogen.db"
        if rebuild:
            for old in versions.glob("0001_*.py"):
                old.unlink()
            command.revision(
                alembic_config(url), message="initial schema", autogenerate=True, rev_id="0001"
            )
            return 0
        upgrade(url)
        existing = sorted(p.name[:4] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))
        next_id = f"{int(existing[-1]) + 1:04d}" if existing else "0001"
        command.revision(alembic_config(url), message=words[0], autogenerate=True, rev_id=next_id)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
