#!/usr/bin/env python
"""Deadline-day load (issue 11): Locust against gunicorn + a Celery worker + PostgreSQL + Redis.

    pip install -e '.[bench]'          # Locust (the `bench` extra); or LOCUST=/path/to/locust
    BENCH_DB=bench_load .venv/bin/python bench/load.py setup              # the national data, once
    BENCH_DB=bench_load .venv/bin/python bench/load.py ramp [--steps 50,100,200,325,400] [--step-seconds 60]
    BENCH_DB=bench_load .venv/bin/python bench/load.py cold [--users 10] [--seconds 60]
    BENCH_DB=bench_load .venv/bin/python bench/load.py smoke              # small data, short runs

`setup` loads a fresh PostgreSQL database (BENCH_DB) with the national data: the roster (3,633
rows, through `import_roster`), every county's plan (22), 600,000 devices (COPY, as
bench/devices.py), 215,820 usage rows (3,597 schools x 12 months x 5 platforms, through
`import_usage`, which writes with COPY), monthly reports, and the accounts: one officer a county
(22), 300 school accounts, MOE reviewers with a confirmed authenticator of a known key (the run
computes their TOTP codes and logs in through the real login and code pages).

`ramp` starts the stack, each part its own process: a private redis-server (BENCH_REDIS_PORT,
default 8613, no persistence: nobody else's Redis is touched), gunicorn (BENCH_PORT, default 8611,
`--workers`, DEBUG=0), a Celery worker (prefork, 1 process) and Celery beat (the requeue tasks),
against PostgreSQL (BENCH_POSTGRES). Then Locust runs headless (bench/load/locustfile.py) at each
step's user count, users in the proportion 22 county officers : 300 schools : 3 MOE reviewers;
every step prints the per-page p95 table; the answer is the highest step with p95 < 500 ms on
every page and zero errors. `cold` does the same at one user count while a thread drops every
read-cache entry (and the namespaces' tokens) every 10 s: the pages' figures with the cache cold.
Tables land in bench/out/load-*.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DB, OUT, PYTHON, ROOT, SERVER, env, fresh_database, manage

HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8611"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "8613"))
WORLD = OUT / "load_world.json"
PASSWORD = "bench-password-2022"
KEY_HEX = "3132333435363738393031323334353637383930"  # bench/login.py's authenticator key
TARGET_P95_MS = 500

ACCOUNTS = r"""
import datetime, json, sys
import django; django.setup()
from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django_otp.plugins.otp_totp.models import TOTPDevice
from portal.models import Role, User
from schools.models import County, PlanYear, School
schools_wanted, moe_count, password, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
plan_year = PlanYear.objects.get(year=111)
# A year of 12 months for the usage (the 111 plan itself has 11), as bench/reporting.py does.
plan_year.period_start = datetime.date(2022, 1, 1)
plan_year.save()
encoded = make_password(password)  # one Argon2id hash for every account
counties = list(County.objects.order_by("sort_order"))
officers = User.objects.bulk_create(
    [User(username=f"load_county_{c.code}", role=Role.COUNTY, county=c, password=encoded) for c in counties]
)
# Schools spread over every county, the largest ones first within each.
schools = list(
    School.objects.filter(roster_rows__plan_year=plan_year).distinct().order_by("county__sort_order", "code")
)
step = max(1, len(schools) // schools_wanted)
chosen = schools[::step][:schools_wanted]
school_users = User.objects.bulk_create(
    [User(username=f"load_school_{s.code}", role=Role.SCHOOL, county_id=s.county_id, school=s, password=encoded)
     for s in chosen]
)
moe = User.objects.bulk_create(
    [User(username=f"load_moe_{n:02d}", role=Role.MOE, password=encoded) for n in range(moe_count)]
)
TOTPDevice.objects.bulk_create([TOTPDevice(user=u, name="bench", key=key, confirmed=True) for u in moe])
print(json.dumps({
    "county": [u.username for u in officers],
    "school": [[u.username, s.code] for u, s in zip(school_users, chosen)],
    "moe": [u.username for u in moe],
}))
"""

# bench/reporting.py's reports are rows for the completeness grid; a submitted report also
# carries the figures frozen at its submission (the report's page reads them).
FREEZE = r"""
import django; django.setup()
from reporting.models import MonthlyReport
from reporting.selectors_monthly import report_figures
reports = list(MonthlyReport.objects.exclude(status="draft").select_related("plan_year", "county"))
for report in reports:
    report.figures = report_figures(plan_year=report.plan_year, county=report.county, month=report.month)
MonthlyReport.objects.bulk_update(reports, ["figures"], batch_size=50)
print(len(reports))
"""

COUNTS = r"""
import json
import django; django.setup()
from portal.models import PendingUpload
from reporting.models import ExportJob, UsageRecord
jobs = {}
for status, reason in ExportJob.objects.values_list("status", "error"):
    jobs[status] = jobs.get(status, 0) + 1
failed = list(ExportJob.objects.filter(status="failed").values_list("error", flat=True)[:5])
attempts = {}
for n in ExportJob.objects.values_list("attempts", flat=True):
    attempts[n] = attempts.get(n, 0) + 1
uploads = {}
for status in PendingUpload.objects.values_list("status", flat=True):
    uploads[status] = uploads.get(status, 0) + 1
rows = UsageRecord.objects.count()
print(json.dumps({"jobs": jobs, "attempts": attempts, "failed_reasons": failed, "uploads": uploads,
                  "usage_rows": rows}))
"""


def django_script(script: str, url: str, *args: str, **extra) -> str:
    done = subprocess.run(
        [PYTHON, "-c", script, *args],
        cwd=ROOT,
        env=env(url, DJANGO_SETTINGS_MODULE="portal.settings", **extra),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def database_url() -> str:
    return f"{SERVER}/{BENCH_DB}"


# --- The data --------------------------------------------------------------------------------


def setup_data(*, devices: int, schools: int, usage_schools: int | None, moe: int) -> dict:
    import devices as devices_bench
    import reporting as reporting_bench

    started = time.perf_counter()
    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    print(f"roster imported ({time.perf_counter() - started:.0f} s)", flush=True)
    # Plans for every county, the procurement batches, the devices (COPY), bench_county/bench_moe.
    world = json.loads(django_script(devices_bench.SETUP, url, str(devices)).strip().splitlines()[-1])
    print(f"{world['devices']:,} devices ({time.perf_counter() - started:.0f} s)", flush=True)
    accounts = json.loads(django_script(ACCOUNTS, url, str(schools), str(moe), PASSWORD, KEY_HEX).splitlines()[-1])
    codes = sorted(
        django_script(
            "import django; django.setup()\nfrom schools.models import RosterRow\n"
            "print('\\n'.join(sorted(set(RosterRow.objects.values_list('school__code', flat=True)))))",
            url,
        ).split()
    )
    if usage_schools:
        codes = codes[:usage_schools]
    usage = OUT / f"load_usage_{len(codes)}.csv"
    rows = reporting_bench.write_usage(usage, codes, 1)
    manage("import_usage", str(usage), database_url=url)
    django_script(reporting_bench.REPORTS, url)
    django_script(FREEZE, url)
    # The statistics after the bulk loads (as portal.db.refresh_statistics after an import) and
    # the visibility map that index-only scans read.
    subprocess.run(["psql", url, "-q", "-c", "VACUUM ANALYZE"], check=True)
    world |= {"accounts": accounts, "usage_rows": rows, "load_s": round(time.perf_counter() - started)}
    WORLD.write_text(json.dumps(world, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{rows:,} usage rows; loaded in {world['load_s']} s; {WORLD}", flush=True)
    return world


# --- The stack -------------------------------------------------------------------------------


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {seconds:.0f} s")


class Stack:
    """redis-server, gunicorn, a Celery worker and beat, each a process of ours (stopped by pid)."""

    def __init__(self, *, workers: int = 2, worker_concurrency: int = 1):
        self.workers = workers
        self.worker_concurrency = worker_concurrency
        self.url = database_url()
        self.dir = OUT / "load-stack"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = env(
            self.url,
            REDIS_URL=f"redis://{HOST}:{REDIS_PORT}/0",
            ALLOWED_HOSTS=HOST,
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            DJANGO_SETTINGS_MODULE="portal.settings",
        )

    def __enter__(self) -> Stack:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.start_redis()
        # collectstatic hashes and compresses every file (~30 s here): once per checkout of the
        # static files; BENCH_COLLECTSTATIC=1 forces it.
        manifest = OUT / "var" / "staticfiles" / "staticfiles.json"
        if os.environ.get("BENCH_COLLECTSTATIC") == "1" or not manifest.exists():
            subprocess.run(
                [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True
            )
        bin_dir = Path(PYTHON).parent
        self._spawn(
            "gunicorn",
            [
                str(bin_dir / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"{HOST}:{PORT}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
        )
        self.start_worker()
        self._spawn(
            "beat",
            [
                str(bin_dir / "celery"),
                "-A",
                "portal",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(self.dir / "beat-schedule"),
            ],
        )
        wait_for(
            lambda: urllib.request.urlopen(f"http://{HOST}:{PORT}/login/", timeout=2).status == 200, 60, "gunicorn"
        )
        return self

    def __exit__(self, *exc) -> None:
        for name in list(self.processes):
            self.stop(name)

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.dir / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def start_redis(self) -> None:
        redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self._spawn(
            "redis",
            [
                redis_server,
                "--port",
                str(REDIS_PORT),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--protected-mode",
                "no",
            ],
        )
        wait_for(lambda: self.redis().ping(), 20, "redis-server")

    def redis(self):
        import redis

        return redis.Redis(host=HOST, port=REDIS_PORT, db=0, socket_timeout=2, socket_connect_timeout=1)

    def start_worker(self) -> None:
        self._spawn(
            "worker",
            [
                str(Path(PYTHON).parent / "celery"),
                "-A",
                "portal",
                "worker",
                "--loglevel",
                "WARNING",
                "--concurrency",
                str(self.worker_concurrency),
                "--pool",
                "prefork",
                "-n",
                f"load{PORT}@%h",
            ],
        )

    def worker_children(self) -> list[int]:
        worker = self.processes.get("worker")
        if worker is None:
            return []
        done = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True)
        return [int(pid) for pid in done.stdout.split()]

    def counts(self) -> dict:
        return json.loads(django_script(COUNTS, self.url).splitlines()[-1])

    def flush_read_cache(self) -> int:
        client = self.redis()
        keys = list(client.scan_iter(match="*read-cache*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)


# --- Locust ----------------------------------------------------------------------------------


def locust_binary() -> str:
    for candidate in (os.environ.get("LOCUST"), str(Path(PYTHON).parent / "locust"), shutil.which("locust")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("Locust is not installed: pip install -e '.[bench]' (or set LOCUST=/path/to/locust)")


def run_locust(
    users: int, seconds: int, label: str, *, spawn_rate: float | None = None, weights: str | None = None
) -> list[dict]:
    prefix = OUT / f"locust-{label}"
    command = [
        locust_binary(),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://{HOST}:{PORT}",
        "-u",
        str(users),
        "-r",
        str(spawn_rate or max(1, users / 10)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    locust_env = {**os.environ, "LOAD_WORLD": str(WORLD), "LOAD_KEY_HEX": KEY_HEX, "LOAD_PASSWORD": PASSWORD}
    if weights:
        locust_env["LOAD_WEIGHTS"] = weights
    subprocess.run(command, env=locust_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 120)
    return read_stats(prefix)


def read_stats(prefix: Path) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": row["Name"],
                    "method": row["Type"],
                    "n": int(row["Request Count"]),
                    "errors": int(row["Failure Count"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "p99": float(row["99%"] or 0),
                    "rps": float(row["Requests/s"] or 0),
                }
            )
    return rows


def errors_by_page(prefix: Path) -> dict[str, int]:
    errors: dict[str, int] = {}
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = f"{row['Method']} {row['Name']}: {row['Error'][:80]}"
                errors[key] = errors.get(key, 0) + int(row["Occurrences"])
    return errors


def table(rows: list[dict], title: str) -> str:
    lines = [
        title,
        "",
        "| page | requests | errors | p50 | p95 | p99 | req/s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        name = f"**{r['name']}**" if r["name"] == "Aggregated" else f"{r['method']} {r['name']}"
        flag = " ⚠" if r["name"] != "Aggregated" and r["p95"] >= TARGET_P95_MS else ""
        lines.append(
            f"| {name} | {r['n']} | {r['errors']} | {r['p50']:.0f} ms | {r['p95']:.0f} ms{flag} | {r['p99']:.0f} ms "
            f"| {r['rps']:.1f} |"
        )
    return "\n".join(lines)


def holds(rows: list[dict], target_ms: float = TARGET_P95_MS) -> bool:
    pages = [r for r in rows if r["name"] != "Aggregated" and r["n"]]
    return bool(pages) and all(r["errors"] == 0 and r["p95"] < target_ms for r in pages)


# --- Commands --------------------------------------------------------------------------------


def ramp(args) -> None:
    report = [f"# Load ramp ({time.strftime('%Y-%m-%d %H:%M')}, gunicorn {args.workers} workers)", ""]
    best = None
    with Stack(workers=args.workers) as stack:
        before = stack.counts()
        for users in [int(n) for n in args.steps.split(",")]:
            rows = run_locust(users, args.step_seconds, f"ramp-{users}", weights=args.weights)
            ok = holds(rows)
            best = users if ok else best
            text = table(rows, f"## {users} users, {args.step_seconds} s: {'holds' if ok else 'does NOT hold'}")
            print(text, "\n", flush=True)
            report += [text, ""]
            if not ok and not args.all_steps:
                break
        after = wait_for_jobs(stack)
    report += [f"Highest step holding p95 < {TARGET_P95_MS} ms and no errors: **{best or 'none'}** users", ""]
    report += [f"Export jobs and uploads before: `{json.dumps(before)}`", f"after: `{json.dumps(after)}`"]
    write_report("load-ramp.md", report)


def cold(args) -> None:
    report = [f"# Cold read cache: every entry dropped every {args.every} s ({time.strftime('%Y-%m-%d %H:%M')})", ""]
    with Stack(workers=args.workers) as stack:
        stop = threading.Event()
        dropped = []

        def flusher():
            while not stop.wait(args.every):
                with contextlib.suppress(Exception):
                    dropped.append(stack.flush_read_cache())

        thread = threading.Thread(target=flusher, daemon=True)
        thread.start()
        try:
            rows = run_locust(args.users, args.seconds, f"cold-{args.users}", weights=args.weights)
        finally:
            stop.set()
            thread.join(5)
        text = table(rows, f"## {args.users} users, {args.seconds} s, {len(dropped)} flushes ({sum(dropped)} keys)")
        print(text, flush=True)
        report += [text, ""]
    write_report("load-cold.md", report)


def wait_for_jobs(stack: Stack, seconds: float = 180) -> dict:
    """Every export job asked for ends DONE or FAILED (with its reason) before the counts."""
    deadline = time.monotonic() + seconds
    counts = stack.counts()
    while time.monotonic() < deadline and (counts["jobs"].get("queued") or counts["jobs"].get("running")):
        time.sleep(2)
        counts = stack.counts()
    return counts


def write_report(name: str, lines: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-> {OUT / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    setup = sub.add_parser("setup")
    setup.add_argument("--devices", type=int, default=600_000)
    setup.add_argument("--schools", type=int, default=300)
    setup.add_argument("--usage-schools", type=int, default=None, help="all (3,597) unless given")
    setup.add_argument("--moe", type=int, default=12, help="MOE accounts (a TOTP code is used once a window)")
    for name in ("ramp", "cold", "smoke"):
        command = sub.add_parser(name)
        command.add_argument("--workers", type=int, default=2)
        command.add_argument("--weights", default=None, help="county,school,moe (default 22,300,3)")
    sub.choices["ramp"].add_argument("--steps", default="50,100,200,325,400,500")
    sub.choices["ramp"].add_argument("--step-seconds", type=int, default=60)
    sub.choices["ramp"].add_argument("--all-steps", action="store_true", help="go on after a step fails")
    sub.choices["cold"].add_argument("--users", type=int, default=10)
    sub.choices["cold"].add_argument("--seconds", type=int, default=60)
    sub.choices["cold"].add_argument("--every", type=float, default=10)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.command == "setup":
        setup_data(devices=args.devices, schools=args.schools, usage_schools=args.usage_schools, moe=args.moe)
    elif args.command == "ramp":
        ramp(args)
    elif args.command == "cold":
        cold(args)
    else:  # smoke: a small world, short steps (shows that it works, measures nothing)
        setup_data(devices=30_000, schools=30, usage_schools=200, moe=4)
        args.steps, args.step_seconds, args.all_steps = "10,20", 20, True
        args.weights = args.weights or "4,10,2"
        ramp(args)
        args.users, args.seconds, args.every = 10, 20, 5
        cold(args)


if __name__ == "__main__":
    main()
