"""Benchmark: `yingji seed demo` on a fresh database, then again (the idempotent rerun).

The seed runs in `make demo`, so it should take seconds, not minutes. Prints the time of the
geometry planning alone, of the first run and of the rerun. Not a test: it asserts nothing.

    python bench/bench_demo_seed.py [--database-url URL]   (default: a temporary SQLite file)
"""

from __future__ import annotations

import argparse
import tempfile
import time

from sqlalchemy import create_engine, text

from yingji.demo.district import plan_divisions
from yingji.demo.fixtures import load_fixtures
from yingji.demo.seed import seed_demo
from yingji.migrations.runner import upgrade
from yingji.settings import Settings


def _fresh_database(url: str | None, tmp: str) -> str:
    if url is None:
        return f"sqlite:///{tmp}/demo-bench.db"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS yingji_bench_demo WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE yingji_bench_demo"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/yingji_bench_demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="a PostgreSQL admin URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = _fresh_database(args.database_url, tmp)
        upgrade(url)
        settings = Settings(database_url=url, demo=True)
        started = time.perf_counter()
        plan_divisions(load_fixtures())
        planned = time.perf_counter() - started
        started = time.perf_counter()
        seed_demo(settings)
        first = time.perf_counter() - started
        started = time.perf_counter()
        seed_demo(settings)
        again = time.perf_counter() - started
    print(f"engine:              {url.split(':', 1)[0]}")
    print(f"geometry planning:   {planned:6.2f} s (fixtures read included)")
    print(f"first run:           {first:6.2f} s")
    print(f"rerun (no changes):  {again:6.2f} s")


if __name__ == "__main__":
    main()
