"""Benchmark: publish to an area holding 1,000,000 registered residents over 3 channels.

Prints the time to generate the residents (bulk INSERT ... SELECT), to select/count the
recipients of the area (goal ≤ 0.5 s), to queue every delivery — 3,000,000 rows with one
INSERT ... SELECT per channel (goal ≤ 3 s on SQLite) — and the peak RSS. Not a test.

    python bench/bench_fanout.py [--residents N] [--database-url URL]
        (default: a temporary SQLite file; URL: a PostgreSQL admin URL)
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time

from sqlalchemy import create_engine, func, select, text

from yingji.bootstrap import build_context, import_models
from yingji.core.actor import system_actor
from yingji.core.db import Base
from yingji.demo.population import VillagePopulation, insert_residents
from yingji.notify import queries, service
from yingji.notify.models import Delivery
from yingji.notify.schemas import TargetArea
from yingji.settings import Settings

DISTRICT = "500153"
VILLAGES = 400
CHANNELS = ["sms", "voice", "wechat"]


def _fresh_database(url: str | None, tmp: str) -> str:
    if url is None:
        return f"sqlite:///{tmp}/fanout-bench.db"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS yingji_bench_fanout WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE yingji_bench_fanout"))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/yingji_bench_fanout"


def _villages(total: int) -> list[VillagePopulation]:
    per, extra = divmod(total, VILLAGES)
    out = []
    for i in range(VILLAGES):
        town, village = divmod(i, 20)
        code = f"{DISTRICT}{town + 1:03d}{village + 1:03d}"
        lon, lat = 105.3 + town * 0.03, 29.3 + village * 0.02
        out.append(VillagePopulation(code, per + (1 if i < extra else 0), lon, lat))
    return out


class Timer:
    """Wall and CPU time of a step (CPU time shows the cost on a busy shared machine)."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:7.2f} s (cpu {self.cpu:5.2f} s)"


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="a PostgreSQL admin URL (default: SQLite)")
    parser.add_argument("--residents", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = _fresh_database(args.database_url, tmp)
        import_models()
        ctx = build_context(Settings(database_url=url, demo=True))
        Base.metadata.create_all(ctx.engine)
        engine = ctx.engine.dialect.name
        print(f"engine: {engine}, residents: {args.residents:,}, channels: {', '.join(CHANNELS)}")

        with Timer() as t, ctx.uow(system_actor("bench")) as uow:
            written = insert_residents(uow.session, _villages(args.residents), source="bench")
            uow.commit()
        print(f"generate residents (bulk):   {t}  {written:,}")
        if engine == "postgresql":
            with ctx.engine.begin() as conn:
                conn.execute(text("ANALYZE notify_resident"))

        area = TargetArea(division_codes=[DISTRICT])
        with Timer() as t, ctx.session_factory() as session:
            count = queries.count_recipients(session, area)
        print(f"select recipients (count):   {t}  {count.total:,} (goal ≤ 0.5 s)")

        with Timer() as t, ctx.uow(system_actor("bench")) as uow:
            queued = service.queue_broadcast(
                uow,
                source_kind="bench",
                source_id="1",
                area=area,
                channels=CHANNELS,
                subject="暴雨红色预警（演练）",
                body="基准测试：模拟发布，不实际发送。",
                require_ack=False,
            )
            uow.commit()
        print(f"queue deliveries:            {t}  {queued:,} (goal ≤ 3 s)")
        with ctx.session_factory() as session:
            stored = session.scalar(select(func.count()).select_from(Delivery))
        print(f"deliveries stored:           {stored:,}")

        with Timer() as t, ctx.uow(system_actor("bench")) as uow:
            again = service.queue_broadcast(
                uow,
                source_kind="bench",
                source_id="1",
                area=area,
                channels=CHANNELS,
                subject="暴雨红色预警（演练）",
                body="重复发布",
                require_ack=False,
            )
            uow.commit()
        print(f"re-publish (idempotent):     {t}  {again:,} new")
        print(f"peak RSS:                    {_peak_rss_mb():7.1f} MiB")
        print(f"load average (1 min):        {os.getloadavg()[0]:7.2f} on {os.cpu_count()} CPUs")
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
