"""Run every benchmark in bench/ one after another and print their figures (`make bench`).

Each benchmark runs in its own process so peak-memory figures are its own. Benchmarks that
need a service (MQTT broker, PostgreSQL) say so in their output and skip what is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Run each bench_*.py with its defaults; return non-zero if one failed."""
    here = Path(__file__).resolve().parent
    failed = 0
    for script in sorted(here.glob("bench_*.py")):
        print(f"=== {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
