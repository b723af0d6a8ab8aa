#!/usr/bin/env python
"""Speed figures of the office/training app (issue 6), on PostgreSQL.

    BENCH_DB=bench_wt6 BENCH_PORT=8126 BENCH_REDIS_DB=6 .venv/bin/python bench/training.py [--runs 3]

1. A national year of attendance: the national roster (3,633 rows), 12 sessions a county,
   and ~200,000 completion rows written with COPY (not through the import).
2. `manage.py import_attendance` of a 50,000-row workbook for 高雄市 (50 sessions, teachers of
   its schools and some of other counties), as a whole process: target < 20 s. The rows are
   deleted between runs.
3. The pages with all of that loaded, through gunicorn (DEBUG=0, Redis sessions and cache, as
   in docker-compose.yml) and `wrk`: the county progress page (高雄市) target p95 < 300 ms; the
   MOE's national progress, the county's office page and attendance list for comparison.

The load generator shares the machine's two cores with gunicorn and PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage
from page_latency import HOST, PORT, load, log_in

ATTENDANCE_ROWS = 200_000
IMPORT_ROWS = 50_000

SETUP = r"""
import io, random, sys, datetime
import django; django.setup()
from django.db import connection
from openpyxl import Workbook
from portal.models import Role, User
from schools.models import County, PlanYear, RosterRow
from training.models import SessionKind, TrainingSession

target_rows, import_rows, import_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
plan_year = PlanYear.objects.get(year=111)
kaohsiung = County.objects.get(name="高雄市")
for username, role, county in (("bench_county", Role.COUNTY, kaohsiung), ("bench_moe", Role.MOE, None)):
    user = User(username=username, role=role, county=county)
    user.set_password("bench-password-2022")
    user.save()
    if user.mfa_required:  # MOE reviewers log in with password + TOTP (issue 12)
        from django_otp.plugins.otp_totp.models import TOTPDevice
        TOTPDevice.objects.create(user=user, name="bench", key="31323334353637383930" * 2, confirmed=True)

kinds = [SessionKind.A1] * 3 + [SessionKind.A2] * 3 + [SessionKind.LITERACY_MEDIA, SessionKind.LITERACY_PRIVACY,
         SessionKind.LITERACY_SECURITY, SessionKind.IT_STAFF, SessionKind.PBL, SessionKind.LEADERSHIP]
sessions = []
for county in County.objects.all():
    for n, kind in enumerate(kinds):
        sessions.append(TrainingSession(plan_year=plan_year, county=county, code=f"N-{n:02d}", kind=kind,
                                        title=f"研習 {n}", held_on=datetime.date(2022, 3 + n % 9, 10), place="研習中心",
                                        substitute_periods_elementary=10))
for n in range(50):
    sessions.append(TrainingSession(plan_year=plan_year, county=kaohsiung, code=f"IMP-{n:02d}", kind=kinds[n % 12],
                                    title=f"匯入研習 {n}", held_on=datetime.date(2022, 9, 1), place="研習中心"))
TrainingSession.objects.bulk_create(sessions)
by_county = {}
for s in TrainingSession.objects.filter(code__startswith="N-"):
    by_county.setdefault(s.county_id, []).append(s.pk)

teachers = list(RosterRow.objects.values_list("school_id", "school__county_id", "level", "teachers"))
total_teachers = sum(t for *_, t in teachers)
rng = random.Random(6)
p = target_rows / (total_teachers * len(kinds))
buffer, rows = io.StringIO(), 0
for school_id, county_id, level, count in teachers:
    prefix = "E" if level == "國小" else "J"  # a school's two levels have their own teachers
    for i in range(count):
        for session_id in by_county[county_id]:
            if rng.random() < p:
                buffer.write(f"{session_id}\t{school_id}\t{prefix}{i:04d}\t\t2022-12-01 00:00:00+00\n")
                rows += 1
buffer.seek(0)
with connection.cursor() as cursor:
    cursor.cursor.copy_expert(
        "COPY training_attendance (session_id, school_id, teacher_code, name, created_at) FROM STDIN", buffer)
    cursor.execute("ANALYZE training_attendance")
print(f"attendance rows: {rows}")

codes = list(RosterRow.objects.filter(school__county=kaohsiung).values_list("school__code", flat=True).distinct())
others = list(RosterRow.objects.exclude(school__county=kaohsiung).values_list("school__code", flat=True)[:50])
workbook = Workbook(write_only=True)
sheet = workbook.create_sheet("研習參加名單")
sheet.append(["研習代碼", "學校代碼", "教師識別碼", "姓名"])
for n in range(import_rows):
    school = others[n % len(others)] if n % 20 == 0 else codes[n % len(codes)]
    sheet.append([f"IMP-{n % 50:02d}", school, f"I{n // 50:05d}", "" if n % 3 else "王老師"])
workbook.save(import_file)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--setup-only", action="store_true", help="load the data, keep the database, stop")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    import_file = OUT / "attendance-50k.xlsx"
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-c", SETUP, str(ATTENDANCE_ROWS), str(IMPORT_ROWS), str(import_file)],
        cwd=ROOT,
        env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
        check=True,
    )
    print(f"set-up (sessions, COPY of the attendance, the import file): {time.perf_counter() - started:.1f} s")
    if args.setup_only:
        manage("import_attendance", str(import_file), "--county", "高雄市", database_url=url)
        print(f"kept {url}")
        return

    results: dict = {"import": [], "pages": {}}
    database = os.environ.get("BENCH_DB", "portal_bench")
    for _ in range(args.runs):
        seconds = manage("import_attendance", str(import_file), "--county", "高雄市", database_url=url, quiet=False)
        results["import"].append(seconds)
        print(f"import_attendance: {seconds:.1f} s", flush=True)
        psql_db(
            database,
            "DELETE FROM training_attendance WHERE session_id IN "
            "(SELECT id FROM training_trainingsession WHERE code LIKE 'IMP-%')",
        )
    # Leave one import in: the pages then read ~250,000 rows.
    manage("import_attendance", str(import_file), "--county", "高雄市", database_url=url)

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
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        county, moe = log_in("bench_county"), log_in("bench_moe")
        pages = [
            ("county progress page (高雄市)", "/training/progress/", county),
            (
                "county progress page, searched, page 2",
                "/training/progress/?" + urllib.parse.urlencode({"q": "國小", "page": 2}),
                county,
            ),
            ("county office page (高雄市)", "/office/", county),
            ("county attendance list (page 100)", "/training/attendance/?page=100", county),
            ("MOE national progress (22 counties)", "/training/progress/", moe),
        ]
        for name, path, cookie in pages:
            try:
                load(path, cookie, args.concurrency, 2)  # warm up
                results["pages"][name] = load(path, cookie, args.concurrency, args.seconds)
            except (SystemExit, subprocess.CalledProcessError) as failed:
                results["pages"][name] = {"failed": str(failed).splitlines()[0]}
    finally:
        server.terminate()
        server.wait()
        drop_database()

    runs = results["import"]
    lines = [
        f"attendance import, {IMPORT_ROWS:,} rows, whole process (n={len(runs)}): median "
        f"{statistics.median(runs):.1f} s (min {min(runs):.1f}, max {max(runs):.1f}); target < 20 s",
        "",
        f"wrk: {args.concurrency} connections, {args.seconds} s a page; gunicorn {args.workers} sync workers",
        "",
        "| page | p50 | p95 | p99 | req/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, r in results["pages"].items():
        if "failed" in r:
            lines.append(f"| {name} | failed: {r['failed']} | | | |")
            continue
        lines.append(
            f"| {name} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms "
            f"| {r['requests_per_s']:.0f} |"
        )
    report = "\n".join(lines)
    print(report)
    (OUT / "training.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "training.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


def psql_db(database: str, sql: str) -> None:
    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    subprocess.run(["psql", f"{server}/{database}", "-q", "-c", sql], check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
