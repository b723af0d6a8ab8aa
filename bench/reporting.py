#!/usr/bin/env python
"""Issue 7: a national year of usage hours, imported as a whole process; then the national
dashboard and the completeness grid under load with it in the database.

    BENCH_DB=bench_wt7 BENCH_PORT=8127 BENCH_REDIS_DB=17 .venv/bin/python bench/reporting.py [--seconds 10]

The national roster (3,633 rows, 3,597 schools) is imported first; the plan period is
widened to 111年1月..12月 for the run so that a year is 12 months (the 111 plan's own
period is 11), giving 3,597 schools x 12 months x 5 platforms = 215,820 rows in one CSV.
Timed: `manage.py import_usage` into an empty table, the same file again (every row
unchanged) and a file with every figure changed (every row replaced). Then every county
gets monthly reports for the first months (on time, late, returned) and gunicorn + wrk load
the pages as in bench/page_latency.py (Redis for sessions and the read cache).
Targets: import < 30 s; p95 < 300 ms for the dashboard and the grid.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DB, OUT, PYTHON, ROOT, SERVER, drop_database, env, fresh_database, manage
from page_latency import HOST, PORT, load, log_in

PLATFORMS = ("因材網", "均一教育平台", "PaGamO", "學習吧", "Cool English")
SETUP = r"""
import datetime
import django; django.setup()
from portal.models import Role, User
from schools.models import PlanYear
plan_year = PlanYear.objects.get(year=111)
plan_year.period_start = datetime.date(2022, 1, 1)
plan_year.save()
user = User(username="bench_moe", role=Role.MOE)
user.set_password("bench-password-2022")
user.save()
if user.mfa_required:  # MOE reviewers log in with password + TOTP (issue 12)
    from django_otp.plugins.otp_totp.models import TOTPDevice
    TOTPDevice.objects.create(user=user, name="bench", key="31323334353637383930" * 2, confirmed=True)
print("\n".join(plan_year.roster_rows.order_by("school__code").values_list("school__code", flat=True).distinct()))
"""
REPORTS = r"""
import datetime
import django; django.setup()
from django.utils import timezone
from reporting.models import MonthlyReport
from schools.models import County, PlanYear
plan_year = PlanYear.objects.get(year=111)
reports = []
for index, county in enumerate(County.objects.all()):
    for month in range(1, 7):
        if (index + month) % 5 == 0:
            continue  # missing
        when = timezone.make_aware(datetime.datetime(2022, month + 1, 8 + (index % 5), 10))
        status = "returned" if (index + month) % 7 == 0 else "submitted"
        reports.append(MonthlyReport(plan_year=plan_year, county=county, month=datetime.date(2022, month, 1),
                                     status=status, notes="bench", first_submitted_at=when, submitted_at=when))
MonthlyReport.objects.bulk_create(reports)
print(len(reports))
"""


def write_usage(path: Path, codes: list[str], seed: int) -> int:
    rng = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("學校代碼", "月份", "平臺", "使用時數", "活躍學生數", "活躍載具數"))
        for code in codes:
            for month in range(1, 13):
                for platform in PLATFORMS:
                    devices = rng.randint(10, 200)
                    writer.writerow((code, f"111年{month}月", platform, rng.randint(0, devices * 30), devices, devices))
                    rows += 1
    return rows


def timed(path: Path, url: str) -> float:
    started = time.perf_counter()
    manage("import_usage", str(path), database_url=url)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database for a --reuse run")
    parser.add_argument("--reuse", action="store_true", help="only the pages, on a database kept by --keep")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reuse:
        url = f"{SERVER}/{BENCH_DB}"
        results = json.loads((OUT / "reporting.json").read_text())["import"]
        rows, codes = results["rows"], range(results["schools"])
    else:
        url, results, rows, codes = load_data()
    serve_and_load(url, results, rows, codes, args)


def load_data():
    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    done = subprocess.run(
        [PYTHON, "-c", SETUP],
        cwd=ROOT,
        env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
        check=True,
        capture_output=True,
        text=True,
    )
    codes = done.stdout.split()
    first, changed = OUT / "usage_national.csv", OUT / "usage_national_changed.csv"
    rows = write_usage(first, codes, 1)
    write_usage(changed, codes, 2)
    results = {
        "rows": rows,
        "schools": len(codes),
        "mb": round(first.stat().st_size / 2**20, 1),
        "import_empty_s": timed(first, url),
        "import_unchanged_s": timed(first, url),
        "import_replace_all_s": timed(changed, url),
    }
    print(json.dumps(results), flush=True)
    subprocess.run(
        [PYTHON, "-c", REPORTS], cwd=ROOT, env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"), check=True
    )
    (OUT / "reporting.json").write_text(json.dumps({"import": results}, indent=1), encoding="utf-8")
    return url, results, rows, codes


def serve_and_load(url, results, rows, codes, args):

    redis_db = os.environ.get("BENCH_REDIS_DB", "15")
    subprocess.run(["redis-cli", "-n", redis_db, "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)
    server_env = env(
        url,
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=server_env, check=True)
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )
    pages = {}
    try:
        import http.client

        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        moe = log_in("bench_moe")
        for name, path in (
            ("national dashboard (22 counties, 215,820 usage rows)", "/dashboard/"),
            ("completeness grid (22 counties x 12 months)", "/completeness/"),
            ("usage overview, national", "/usage/"),
            ("usage overview, 高雄市, page 2", "/usage/?county=12&page=2"),
            ("for comparison: roster list, national, page 40 (issue 3's page)", "/roster/?page=40"),
        ):
            try:
                load(path, moe, args.concurrency, 2)  # warm up
                pages[name] = load(path, moe, args.concurrency, args.seconds)
            except SystemExit as failed:  # timeouts: report them rather than lose the other pages
                print(failed, file=sys.stderr)
                pages[name] = {
                    "p50_ms": float("nan"),
                    "p95_ms": float("nan"),
                    "p99_ms": float("nan"),
                    "requests_per_s": 0,
                    "n": 0,
                }
            print(name, pages[name], flush=True)
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            drop_database()

    lines = [
        f"usage rows: {rows:,} ({len(codes):,} schools x 12 months x {len(PLATFORMS)} platforms, "
        f"{results['mb']} MB CSV)",
        "",
        "| import (whole process, `manage.py import_usage`) | seconds |",
        "| --- | --- |",
        f"| into an empty table | {results['import_empty_s']:.1f} |",
        f"| the same file again (all unchanged) | {results['import_unchanged_s']:.1f} |",
        f"| every figure changed (all replaced) | {results['import_replace_all_s']:.1f} |",
        "",
        f"wrk: {args.concurrency} connections, {args.seconds} s a page; gunicorn {args.workers} sync workers",
        "",
        "| page | p50 | p95 | p99 | req/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, r in pages.items():
        lines.append(
            f"| {name} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms "
            f"| {r['requests_per_s']:.0f} |"
        )
    report = "\n".join(lines)
    print(report)
    (OUT / "reporting.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "reporting.json").write_text(json.dumps({"import": results, "pages": pages}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
