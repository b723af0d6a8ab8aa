#!/usr/bin/env python
"""Fault drills under the deadline-day load (issue 11): what users saw, what was lost.

    BENCH_DB=bench_load .venv/bin/python bench/load.py setup        # the data, once
    BENCH_DB=bench_load .venv/bin/python bench/drills.py [--users 40] [--drills worker,redis,postgres]
    # PostgreSQL really restarted: a private cluster (never the machine's shared server)
    .venv/bin/python bench/drills.py private-pg --pgdata /tmp/bench-pg --port 8614     # initdb + start
    BENCH_POSTGRES=postgres://postgres@127.0.0.1:8614 BENCH_DB=bench_load .venv/bin/python bench/load.py setup
    BENCH_POSTGRES=postgres://postgres@127.0.0.1:8614 BENCH_DB=bench_load \\
        .venv/bin/python bench/drills.py --pgdata /tmp/bench-pg

The stack is bench/load.py's (private redis-server, gunicorn, a Celery worker, beat). Each drill
runs Locust (bench/load/locustfile.py) in two phases, "during" (the fault happens a few seconds
in and lasts its time) and "after" (once the fault is over), and reports the errors by page of
each phase. What was lost is counted in the database: every export job asked for must end DONE
or FAILED with its reason (the drill waits for them, and runs what beat runs after its delay if
a job's message was lost with Redis), and every upload a user was told was imported must be
there (the confirm answers counted by Locust against the uploads CONFIRMED in the database).

- worker: an export is asked for and, once a job is RUNNING, the worker's pool process running
  it is SIGKILLed (what the OOM killer does); acks_late + reject_on_worker_lost give the message
  back and the claim counts the attempt.
- redis: the private redis-server is stopped for 30 s (--redis-seconds) and started again,
  empty (no persistence: the worst case; the broker's queue, the read cache and the cached
  sessions are gone; sessions live on in the database).
- postgres: with --pgdata, `pg_ctl restart -m fast` of that private cluster; without, every
  connection of the bench database is terminated (pg_terminate_backend): what the application
  sees of a restart, without touching a server that others share.

Every wait has a timeout; the stack's processes are stopped (by pid) whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT
from load import WORLD, Stack, django_script, errors_by_page, run_locust, wait_for

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))

NEWEST_RUNNING = r"""
import django; django.setup()
from reporting.models import ExportJob
print(ExportJob.objects.filter(status="running").count())
"""
ASK_EXPORT = r"""
import django; django.setup()
from portal.models import User
from reporting.models import ExportJob
from reporting.services import export_job_request
from schools.models import PlanYear
user = User.objects.filter(username__startswith="load_moe_").first()
job = export_job_request(user=user, kind=ExportJob.Kind.ROSTER_XLSX, plan_year=PlanYear.objects.get(year=111))
print(job.pk)
"""
REQUEUE = r"""
import django, json; django.setup()
from reporting.services import export_jobs_requeue
print(json.dumps(export_jobs_requeue(queued_minutes=0)))
"""
CONFIRMED_UPLOADS = r"""
import django; django.setup()
from portal.models import PendingUpload
print(PendingUpload.objects.filter(kind="usage", status="confirmed").count())
"""


def during(stack: Stack, users: int, seconds: int, label: str, weights: str | None, action) -> tuple[list, dict]:
    """Locust for `seconds` while `action` runs in this thread (a few seconds in)."""
    result: dict = {}

    def run():
        result["rows"] = run_locust(users, seconds, label, spawn_rate=users, weights=weights)

    thread = threading.Thread(target=run)
    thread.start()
    notes = {}
    try:
        time.sleep(min(8, seconds / 4))
        notes = action() or {}
    finally:
        thread.join(seconds + 180)
    return result.get("rows", []), notes


def drill_worker(stack: Stack) -> dict:
    job = int(django_script(ASK_EXPORT, stack.url).split()[-1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and int(django_script(NEWEST_RUNNING, stack.url).split()[-1]) == 0:
        time.sleep(0.3)
    children = stack.worker_children()
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    return {"asked_job": job, "killed_pool_processes": children}


def drill_redis(stack: Stack, seconds: int) -> dict:
    stack.stop("redis", signal.SIGTERM)
    started = time.monotonic()
    time.sleep(seconds)
    stack.start_redis()
    return {"redis_away_s": round(time.monotonic() - started, 1)}


def drill_postgres(stack: Stack, pgdata: str | None) -> dict:
    started = time.monotonic()
    if pgdata:
        subprocess.run(
            as_cluster_owner([str(PG_BIN / "pg_ctl"), "-D", pgdata, "restart", "-m", "fast", "-w", "-t", "60"]),
            check=True,
        )
        how = f"pg_ctl restart -m fast ({pgdata})"
    else:
        database = stack.url.rsplit("/", 1)[1]
        terminated = subprocess.run(
            ["psql", stack.url.rsplit("/", 1)[0] + "/postgres", "-qAt", "-v", f"db={database}"],
            input="SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :'db' AND pid <> pg_backend_pid();",
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        how = f"{terminated} connections of the bench database terminated (pg_terminate_backend)"
    return {"how": how, "took_s": round(time.monotonic() - started, 1)}


def confirmed_uploads(stack: Stack) -> int:
    return int(django_script(CONFIRMED_UPLOADS, stack.url).split()[-1])


def told_imported(rows: list[dict]) -> int:
    for row in rows:
        if row["name"] == "/usage/import/[id]/confirm/ (POST)":
            return row["n"] - row["errors"]
    return 0


def settle(stack: Stack, seconds: float) -> dict:
    """Every export job ends DONE or FAILED. Jobs whose message was lost with Redis wait for
    beat's requeue (after 5 minutes): after `seconds` the drill runs that requeue itself."""
    counts = wait_for_settled(stack, seconds)
    requeued = None
    if counts["jobs"].get("queued") or counts["jobs"].get("running"):
        requeued = json.loads(django_script(REQUEUE, stack.url).splitlines()[-1])
        counts = wait_for_settled(stack, seconds)
    counts["requeued_by_the_drill"] = requeued
    return counts


def wait_for_settled(stack: Stack, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    counts = stack.counts()
    while time.monotonic() < deadline and (counts["jobs"].get("queued") or counts["jobs"].get("running")):
        time.sleep(2)
        counts = stack.counts()
    return counts


def run_drill(stack: Stack, name: str, args) -> list[str]:
    before = stack.counts()
    uploads_before = confirmed_uploads(stack)
    actions = {
        "worker": lambda: drill_worker(stack),
        "redis": lambda: drill_redis(stack, args.redis_seconds),
        "postgres": lambda: drill_postgres(stack, args.pgdata),
    }
    seconds = args.seconds + (args.redis_seconds if name == "redis" else 0)
    rows, notes = during(stack, args.users, seconds, f"drill-{name}-during", args.weights, actions[name])
    errors_during = errors_by_page(OUT / f"locust-drill-{name}-during")
    after_rows = run_locust(args.users, args.after_seconds, f"drill-{name}-after", weights=args.weights)
    errors_after = errors_by_page(OUT / f"locust-drill-{name}-after")
    counts = settle(stack, args.settle_seconds)
    uploads_after = confirmed_uploads(stack)
    told = told_imported(rows) + told_imported(after_rows)
    unfinished = counts["jobs"].get("queued", 0) + counts["jobs"].get("running", 0)
    lost_uploads = max(0, told - (uploads_after - uploads_before))
    verdict = "nothing lost" if not unfinished and not lost_uploads else "LOST SOMETHING"
    lines = [
        f"## Drill: {name} — {verdict}",
        "",
        f"- what happened: `{json.dumps(notes, ensure_ascii=False)}`",
        f"- errors by page during ({sum(errors_during.values())}):",
        *[f"  - {count} × {what}" for what, count in sorted(errors_during.items())],
        f"- errors by page after ({sum(errors_after.values())}):",
        *[f"  - {count} × {what}" for what, count in sorted(errors_after.items())],
        f"- export jobs before: `{json.dumps(before['jobs'])}`; after: `{json.dumps(counts['jobs'])}`"
        + (
            f"; requeued by the drill (beat's task, early): `{counts['requeued_by_the_drill']}`"
            if counts["requeued_by_the_drill"]
            else ""
        ),
        f"- failed jobs' reasons: {counts['failed_reasons'] or 'none'}; jobs by attempts: `{counts['attempts']}`",
        f"- uploads users were told were imported: {told}; confirmed uploads in the database "
        f"{uploads_before} → {uploads_after} (+{uploads_after - uploads_before}); lost: {lost_uploads}",
        f"- jobs neither DONE nor FAILED after {args.settle_seconds:.0f} s: {unfinished}",
        "",
    ]
    print("\n".join(lines), flush=True)
    return lines


def as_cluster_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def private_pg(args) -> None:
    """A throw-away cluster for the PostgreSQL drill (trust auth on 127.0.0.1, user postgres)."""
    pgdata = Path(args.pgdata)
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(pgdata, "postgres", "postgres")
        subprocess.run(
            as_cluster_owner(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--auth",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    options = f"-p {args.port} -k /tmp -c listen_addresses=127.0.0.1"
    subprocess.run(
        as_cluster_owner(
            [str(PG_BIN / "pg_ctl"), "-D", str(pgdata), "-o", options, "-l", str(pgdata / "log"), "-w", "start"]
        ),
        check=True,
    )
    print(f"BENCH_POSTGRES=postgres://postgres@127.0.0.1:{args.port}  (stop: pg_ctl -D {pgdata} stop)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="drills", choices=["drills", "private-pg"])
    parser.add_argument("--drills", default="worker,redis,postgres")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--weights", default=None, help="county,school,moe (default 22,300,3)")
    parser.add_argument("--seconds", type=int, default=40, help="the 'during' phase (plus the Redis outage)")
    parser.add_argument("--after-seconds", type=int, default=30)
    parser.add_argument("--redis-seconds", type=int, default=30)
    parser.add_argument("--settle-seconds", type=float, default=90)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pgdata", default=None, help="a private cluster's data directory: really restarted")
    parser.add_argument("--port", type=int, default=8614)
    args = parser.parse_args()
    if args.command == "private-pg":
        if not args.pgdata:
            raise SystemExit("--pgdata is required")
        private_pg(args)
        return
    if not WORLD.exists():
        raise SystemExit("no data: run bench/load.py setup first (same BENCH_DB)")
    report = [f"# Fault drills under load ({time.strftime('%Y-%m-%d %H:%M')}, {args.users} users)", ""]
    with Stack(workers=args.workers) as stack:
        wait_for(lambda: stack.worker_children(), 30, "the Celery worker's pool")
        for name in args.drills.split(","):
            report += run_drill(stack, name.strip(), args)
    (OUT / "drills.md").write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"-> {OUT / 'drills.md'}")


if __name__ == "__main__":
    main()
