"""What the benchmarks share: a throw-away PostgreSQL database and `manage.py` as a process."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# Separate names let two checkouts benchmark at once without dropping each other's database.
BENCH_DB = os.environ.get("BENCH_DB", "portal_bench")
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def env(database_url: str | None = None, **extra) -> dict:
    inherited = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # only when asked for
    values = {
        **inherited,
        "DEBUG": "0",  # DEBUG keeps every query in memory: not how a server runs
        "SECRET_KEY": SECRET,
        "PORTAL_VAR_DIR": str(OUT / "var"),
        **extra,
    }
    if database_url:
        values["DATABASE_URL"] = database_url
    return values


def manage(*args: str, database_url: str | None = None, check: bool = True, quiet: bool = True) -> float:
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env(database_url),
        check=check,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - started


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def fresh_database() -> str:
    psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    psql(f"CREATE DATABASE {BENCH_DB}")
    url = f"{SERVER}/{BENCH_DB}"
    manage("migrate", "--noinput", "-v0", database_url=url)
    return url


def drop_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def summary(values: list[float]) -> str:
    """Seconds as the tables print them: median (min, max, n)."""
    return f"{statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"
