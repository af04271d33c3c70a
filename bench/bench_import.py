"""Benchmark: Excel import of 10,000 registry rows (issue target: under 10 s on this machine).

Builds a fresh database (SQLite by default, ``--database-url`` for PostgreSQL), a two-township
district, and a workbook of N shelter rows; then imports it through the same service the API
uses (parse → validate every row → insert all in one transaction with an audit row each).
Prints per-phase times, throughput and peak memory. Not a test: it asserts nothing.

    python bench/bench_import.py [--rows 10000] [--runs 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from yingji.bootstrap import build_context
from yingji.core.actor import system_actor
from yingji.core.excel import export_rows, parse_upload
from yingji.geo.schemas import DivisionWrite
from yingji.geo.service import upsert_division
from yingji.migrations.runner import upgrade
from yingji.registry.service import import_workbook
from yingji.resources.shelters.registry import SHELTERS
from yingji.settings import Settings


def _square(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _district(url: str) -> None:
    ctx = build_context(Settings(database_url=url, demo=True))
    with ctx.uow(system_actor("bench")) as uow:
        upsert_division(
            uow,
            DivisionWrite(code="500153", name="荣昌区", boundary=_square(105.5, 29.4, 105.7, 29.5)),
        )
        upsert_division(
            uow,
            DivisionWrite(
                code="500153001", name="昌元街道", boundary=_square(105.5, 29.4, 105.6, 29.5)
            ),
        )
        upsert_division(
            uow,
            DivisionWrite(
                code="500153002", name="昌州街道", boundary=_square(105.6, 29.4, 105.7, 29.5)
            ),
        )
        uow.commit()
    ctx.engine.dispose()


def _workbook(rows: int) -> bytes:
    data = []
    for i in range(rows):
        data.append(
            {
                "name": f"避难场所{i:05d}",
                "shelter_class": ("emergency", "short_term")[i % 2],
                "effective_area_m2": 4000 + i % 1000,
                "capacity_persons": 1500,
                "facilities": ["应急供水", "应急照明"],
                "status": "open",
                "manager": "张三",
                "phone": "13800000000",
                "longitude": 105.51 + (i % 180) / 1000,
                "latitude": 29.41 + (i % 80) / 1000,
                # Half the rows name their division, half are resolved from the point.
                "division_code": "500153001"
                if i % 2 == 0 and (105.51 + (i % 180) / 1000) < 105.6
                else None,
            }
        )
    return export_rows(SHELTERS.sheet, SHELTERS.columns, data)


def _fresh_database(url: str | None, tmp: Path, run: int) -> str:
    if url is None:
        return f"sqlite:///{tmp}/bench-{run}.db"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"yingji_bench_{run}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL admin URL (a fresh database is created per run)",
    )
    args = parser.parse_args()
    content = _workbook(args.rows)
    print(f"workbook: {args.rows} rows, {len(content) / 1e6:.2f} MB")
    t0 = time.perf_counter()
    parse_upload(content, SHELTERS.sheet, SHELTERS.columns)
    print(f"parse only: {time.perf_counter() - t0:.2f} s")
    totals: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            url = _fresh_database(args.database_url, Path(tmp), run)
            upgrade(url)
            _district(url)
            ctx = build_context(Settings(database_url=url, demo=True, inline_relay=False))
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            start = time.perf_counter()
            with ctx.uow(system_actor("bench")) as uow:
                created = import_workbook(uow, SHELTERS, content)
                uow.commit()
            elapsed = time.perf_counter() - start
            # tracemalloc would slow the import several times over; max RSS is free.
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            ctx.engine.dispose()
            totals.append(elapsed)
            print(
                f"run {run + 1}: {created} rows in {elapsed:.2f} s "
                f"({created / elapsed:,.0f} rows/s), peak RSS {rss_after:.0f} MB "
                f"(+{rss_after - rss_before:.0f} MB)"
            )
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine = "postgresql" if args.database_url else "sqlite"
    print(
        f"import {args.rows} rows [{engine}]: median {statistics.median(totals):.2f} s, "
        f"best {min(totals):.2f} s, worst {max(totals):.2f} s; target < 10 s; "
        f"process peak RSS {maxrss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
