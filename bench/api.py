#!/usr/bin/env python
"""Issue 15: the read-only API with the national data, under 20 concurrent tokens.

    BENCH_DB=bench_wt15 BENCH_PORT=8215 BENCH_REDIS_DB=15 .venv/bin/python bench/api.py [--seconds 10]
    ... bench/api.py --smoke          # 2 s a list, 4 connections: does it all run?

A fresh PostgreSQL database gets the national roster (3,633 rows, through `import_roster`),
a plan for every county, three months of usage hours on two platforms for every school
(~21,600 rows, through `import_usage`), a monthly report per county, and 20 users with a
personal token each (2 MOE reviewers, 18 county officers of 18 counties). gunicorn serves
it (DEBUG=0, Redis for the cache and the rate-limit counters; the limit raised for the run).

Measured:
- each list endpoint's first page (`limit` 100) loaded by `wrk` over 20 connections, each
  request carrying one of the 20 tokens in turn (a Lua hook), for `--seconds`: p50/p95/p99.
  Target: p95 < 200 ms.
- a full paginated walk of the national roster rows by an MOE token, following `next`
  (limit 1,000 and the default 100), timed as a client sees it. Target: < 5 s.
The load generator shares the machine's cores with gunicorn and PostgreSQL."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8215"))
ENDPOINTS = (
    "counties",
    "schools",
    "roster-rows",
    "plans",
    "devices",
    "usage",
    "monthly-reports",
    "training-progress",
    "indicators",
)
SETUP = r"""
import datetime
import django; django.setup()
from django.utils import timezone
from api.tokens import token_create
from budget.services import plan_for
from portal.models import Role, User
from reporting.models import MonthlyReport
from schools.models import County, PlanYear
plan_year = PlanYear.objects.get(year=111)
counties = list(County.objects.all())
for county in counties:
    plan_for(county=county, plan_year=plan_year)
    MonthlyReport.objects.get_or_create(plan_year=plan_year, county=county, month=datetime.date(2022, 3, 1),
        defaults={"status": "submitted", "first_submitted_at": timezone.now(), "submitted_at": timezone.now()})
tokens = []
for index in range(20):
    county = None if index < 2 else counties[index - 2]
    user = User.objects.create(username=f"bench_api_{index}", role=Role.MOE if county is None else Role.COUNTY,
                               county=county)
    tokens.append(token_create(user=user, name="bench")[1])
print(json.dumps(tokens))
"""
WRK = """
tokens = %s
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. tokens[(counter %% #tokens) + 1]})
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %%d %%d %%d %%d %%.2f %%.2f %%.2f\\n", summary.requests, summary.duration,
    summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def write_usage(path: Path, codes: list[str]) -> int:
    rows = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("學校代碼,月份,平臺,使用時數,活躍學生數,活躍載具數\n")
        for number, code in enumerate(codes):
            for month in (3, 4, 5):
                for platform in ("因材網", "PaGamO"):
                    devices = 10 + number % 90
                    handle.write(f"{code},111年{month}月,{platform},{devices * (5 + month)}.5,{devices},{devices}\n")
                    rows += 1
    return rows


def load(path: str, tokens: list[str], concurrency: int, seconds: int) -> dict:
    script = OUT / "api.lua"
    script.write_text(WRK % ("{" + ", ".join(json.dumps(t) for t in tokens) + "}"), encoding="utf-8")
    done = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(concurrency),
            "-d",
            f"{seconds}s",
            "-s",
            str(script),
            f"http://{HOST}:{PORT}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))
    requests, duration_us, bad_status, socket_errors, p50, p95, p99 = line.split()[1:]
    if int(bad_status) or int(socket_errors):
        raise SystemExit(f"{path}: {bad_status} non-2xx answers, {socket_errors} socket errors\n{done.stdout}")
    return {
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "requests_per_s": int(requests) / (int(duration_us) / 1e6),
    }


def walk(path: str, token: str) -> tuple[float, int, int]:
    """Seconds, rows and pages of a walk to the last page, over one keep-alive connection."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
    started, rows, pages = time.perf_counter(), 0, 0
    while path:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        body = json.loads(response.read())
        assert response.status == 200, (response.status, body)
        rows += len(body["results"])
        pages += 1
        path = None
        if body["next"]:
            parts = urlsplit(body["next"])
            path = f"{parts.path}?{parts.query}"
    return time.perf_counter() - started, rows, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="2 s a list over 4 connections")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.concurrency = 2, 4
    OUT.mkdir(parents=True, exist_ok=True)

    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    codes = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from schools.models import School; "
            "print(' '.join(School.objects.order_by('code').values_list('code', flat=True)))",
        ],
        cwd=ROOT,
        env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    usage = OUT / "api_usage.csv"
    usage_rows = write_usage(usage, codes)
    manage("import_usage", str(usage), database_url=url)
    setup = "import json\n" + SETUP
    tokens = json.loads(
        subprocess.run(
            [PYTHON, "-c", setup],
            cwd=ROOT,
            env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )

    redis_db = os.environ.get("BENCH_REDIS_DB", "15")
    subprocess.run(["redis-cli", "-n", redis_db, "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)
    server_env = env(
        url,
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        API_RATE_LIMIT="10000000/min",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
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
    results, walks = {}, {}
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/api/v1/openapi.json")
                break
            except OSError:
                time.sleep(0.2)
        for name in ENDPOINTS:
            path = f"/api/v1/{name}/"
            load(path, tokens, args.concurrency, 1 if args.smoke else 2)  # warm up
            results[name] = load(path, tokens, args.concurrency, args.seconds)
            print(name, json.dumps(results[name]), flush=True)
        for limit in (1000, 100):
            seconds, rows, pages = walk(f"/api/v1/roster-rows/?limit={limit}", tokens[0])
            walks[limit] = {"seconds": seconds, "rows": rows, "pages": pages}
            print("walk", limit, json.dumps(walks[limit]), flush=True)
    finally:
        server.terminate()
        server.wait()
        drop_database()

    lines = [
        f"wrk: {args.concurrency} connections rotating 20 tokens, {args.seconds} s a list; gunicorn {args.workers} "
        f"sync workers; national roster 3,633 rows, {usage_rows:,} usage rows",
        "",
        "| list (first page, limit 100) | p50 | p95 | p99 | req/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        lines.append(
            f"| /api/v1/{name}/ | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms "
            f"| {r['requests_per_s']:.0f} |"
        )
    lines += ["", "| walk of the national roster rows | seconds | rows | pages |", "| --- | --- | --- | --- |"]
    for limit, w in walks.items():
        lines.append(f"| limit {limit:,} | {w['seconds']:.2f} s | {w['rows']:,} | {w['pages']} |")
    report = "\n".join(lines)
    print(report)
    (OUT / "api.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "api.json").write_text(json.dumps({"lists": results, "walks": walks}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
