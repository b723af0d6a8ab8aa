#!/usr/bin/env python
"""Devices (issue 5): the 100,000-serial import and the device pages with 600,000 devices.

    BENCH_DB=bench_wt5 BENCH_PORT=8125 BENCH_REDIS_DB=15 .venv/bin/python bench/devices.py [--runs 3]

1. A fresh PostgreSQL database with the national roster (3,633 rows); one procurement batch
   a county; 600,000 devices spread over every school in proportion to its entitlement,
   written with COPY (not through the import: that is measured on its own).
2. `manage.py import_devices` of a 100,000-row workbook for 高雄市, as a whole process
   (Django start-up, reading, every check against the 600,000 serials, the writes), `--runs`
   times, each into a database with the previous run's serials removed. Target < 30 s.
3. gunicorn (2 sync workers, DEBUG=0, Redis sessions and read cache as in production) and
   wrk with 10 connections: the device list (unfiltered, by school, by status, by batch) and
   the reconciliation, as 高雄市's officer and as an MOE reviewer. Target p95 < 300 ms.
   Each page is loaded once with the read cache cold (the first request computes it), then
   under load; a second series runs with the read cache off, so every request hits the database.
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
from page_latency import HOST, PORT, WRK_REPORT, log_in

DEVICES = 600_000
IMPORT_ROWS = 100_000
SETUP = r"""
import django, io, json, sys; django.setup()
from datetime import date, timedelta
from django.db import connection
from django.db.models import F, Sum
from devices.allocation import largest_remainder
from devices.models import Device, ProcurementBatch
from portal.db import refresh_statistics
from portal.models import Role, User
from schools.models import County, PlanYear, RosterRow, School
from budget.services import plan_for

total = int(sys.argv[1])
plan_year = PlanYear.objects.get(year=111)
entitled = dict(
    RosterRow.objects.filter(plan_year=plan_year).values("school_id")
    .annotate(n=Sum(F("entitled_teacher_devices") + F("entitled_student_devices"))).values_list("school_id", "n")
)
shares = largest_remainder(total, dict(sorted(entitled.items())))
county_of = dict(School.objects.values_list("pk", "county_id"))
batches = {}
for county in County.objects.all():
    plan_for(county=county, plan_year=plan_year)
    batch = ProcurementBatch.objects.create(
        county=county, plan_year=plan_year, tender_number=f"111-{county.code}-001", vendor="宏碁", brand="Acer",
        model_name="B3", unit_price=13000, quantity=total, contract_date=date(2022, 7, 1),
        delivery_date=date(2022, 9, 20),
    )
    batches[county.pk] = batch
kaohsiung = County.objects.get(name="高雄市")
ProcurementBatch.objects.create(
    county=kaohsiung, plan_year=plan_year, tender_number="111-IMPORT", vendor="宏碁", brand="Acer", model_name="B3",
    unit_price=13000, quantity=10 * total, contract_date=date(2022, 7, 1), delivery_date=date(2022, 9, 20),
)
statuses = ["in_use"] * 17 + ["assigned", "lent", "spare"]
buffer = io.StringIO()
serial = 0
for school_id, count in shares.items():
    batch = batches[county_of[school_id]]
    for n in range(count):
        status = statuses[serial % len(statuses)]
        mdm = "" if serial % 9 == 0 else "2022-09-30"
        use = "teacher" if n % 20 == 0 else "student"
        fields = (f"BN{serial:08d}", "", batch.pk, batch.county_id, school_id, use, status, "2022-09-20",
                  mdm or chr(92) + "N", "2026-09-19", "2026-09-19")
        buffer.write("\t".join(str(f) for f in fields) + "\n")
        serial += 1
buffer.seek(0)
columns = ("serial, asset_tag, batch_id, county_id, school_id, use, status, delivered_on, mdm_enrolled_on, "
           "licence_until, warranty_until")
with connection.cursor() as cursor:
    cursor.cursor.copy_expert(f"COPY devices_device ({columns}) FROM STDIN", buffer)
refresh_statistics(Device)
for username, role, county in (("bench_county", Role.COUNTY, kaohsiung), ("bench_moe", Role.MOE, None)):
    user = User(username=username, role=role, county=county)
    user.set_password("bench-password-2022")
    user.save()
    if user.mfa_required:  # MOE reviewers log in with password + TOTP (issue 12)
        from django_otp.plugins.otp_totp.models import TOTPDevice
        TOTPDevice.objects.create(user=user, name="bench", key="31323334353637383930" * 2, confirmed=True)
school = School.objects.filter(county=kaohsiung).order_by("code").first()
batch = batches[kaohsiung.pk]
print(json.dumps({"devices": Device.objects.count(), "kaohsiung": Device.objects.filter(county=kaohsiung).count(),
                  "school": school.code, "batch": batch.pk}))
"""

WORKBOOK = r"""
import django, sys; django.setup()
from openpyxl import Workbook
from devices.importing import HEADER_TEXTS
from schools.models import School
rows, path = int(sys.argv[1]), sys.argv[2]
codes = list(School.objects.filter(county__name="高雄市").order_by("code").values_list("code", flat=True))
workbook = Workbook(write_only=True)
sheet = workbook.create_sheet("載具序號")
sheet.append(list(HEADER_TEXTS.values()))
for n in range(rows):
    code = codes[n % len(codes)]
    sheet.append([f"KH{n:08d}", "111-IMPORT", code, "學生", f"A{n:08d}", "已配發", "111/09/20", "111/09/25", "Acer"])
workbook.save(path)
"""

CLEAN = r"""
import django; django.setup()
from devices.models import Device
from portal.db import bulk_delete_rows
bulk_delete_rows(Device.objects.filter(batch__tender_number="111-IMPORT"))
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


def serve(url: str, redis_db: str, *, read_cache: bool, workers: int) -> subprocess.Popen:
    subprocess.run(["redis-cli", "-n", redis_db, "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)
    server_env = env(
        url,
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DJANGO_SETTINGS_MODULE="portal.settings",
        READ_CACHE="1" if read_cache else "0",
    )
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=server_env, check=True)
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/login/")
            break
        except OSError:
            time.sleep(0.2)
    return server


def load(path: str, cookie: str, concurrency: int, seconds: int) -> dict:
    """page_latency.load, but a slow answer counts as slow (wrk's timeout 10 s, not 2 s)
    and errors are reported rather than fatal."""
    script = OUT / "report.lua"
    script.write_text(WRK_REPORT)
    done = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(concurrency),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            "-H",
            f"Cookie: {cookie}",
            f"http://{HOST}:{PORT}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))
    requests, duration_us, bad_status, socket_errors, p50, p95, p99 = line.split()[1:]
    return {
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "requests_per_s": int(requests) / (int(duration_us) / 1e6),
        "n": int(requests),
        "errors": int(bad_status) + int(socket_errors),
    }


def first_request_ms(path: str, cookie: str) -> float:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    assert response.status == 200, (path, response.status)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--devices", type=int, default=DEVICES)
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    started = time.perf_counter()
    world = json.loads(django_script(SETUP, url, str(args.devices)).strip().splitlines()[-1])
    setup_s = time.perf_counter() - started
    print(f"loaded {world['devices']:,} devices with COPY in {setup_s:.1f} s (高雄市 {world['kaohsiung']:,})")

    workbook = OUT / f"serials-{args.import_rows}.xlsx"
    if not workbook.exists():
        django_script(WORKBOOK, url, str(args.import_rows), str(workbook))
    imports = []
    for run in range(args.runs):
        if run:
            django_script(CLEAN, url)
        imports.append(manage("import_devices", str(workbook), "--county", "高雄市", database_url=url))
        print(f"import run {run + 1}: {imports[-1]:.1f} s")

    redis_db = os.environ.get("BENCH_REDIS_DB", "15")
    pages = [
        ("device list, 高雄市, page 1", "/devices/", "county"),
        ("device list, 高雄市, page 200", "/devices/?page=200", "county"),
        ("device list, by school", f"/devices/?school={world['school']}", "county"),
        ("device list, by status (借出)", "/devices/?status=lent", "county"),
        ("device list, by batch + status", f"/devices/?batch={world['batch']}&status=in_use&page=3", "county"),
        ("device list, by serial prefix", "/devices/?q=KH0009", "county"),
        ("reconciliation, 高雄市", "/devices/reconciliation/", "county"),
        ("device list, national (MOE)", "/devices/?" + urllib.parse.urlencode({"status": "spare", "page": 10}), "moe"),
        ("reconciliation, national (MOE)", "/devices/reconciliation/", "moe"),
    ]
    results = {}
    try:
        measure(url, redis_db, pages, results, args)
    finally:
        drop_database()
    report(world, setup_s, imports, results, args)


def measure(url, redis_db, pages, results, args) -> None:
    for read_cache in (True, False):
        server = serve(url, redis_db, read_cache=read_cache, workers=args.workers)
        try:
            cookies = {"county": log_in("bench_county"), "moe": log_in("bench_moe")}
            for name, path, who in pages:
                cold = first_request_ms(path, cookies[who])
                load(path, cookies[who], args.concurrency, 2)  # warm up
                figures = load(path, cookies[who], args.concurrency, args.seconds)
                figures["first_ms"] = cold
                results[f"{name}{'' if read_cache else ' (no cache)'}"] = figures
        finally:
            server.terminate()
            server.wait()


def report(world, setup_s, imports, results, args) -> None:
    lines = [
        f"{world['devices']:,} devices (高雄市 {world['kaohsiung']:,}); COPY load {setup_s:.1f} s",
        "",
        f"`import_devices` of {args.import_rows:,} serials, whole process: median "
        f"{statistics.median(imports):.1f} s (min {min(imports):.1f}, max {max(imports):.1f}, n={len(imports)})",
        "",
        f"wrk: {args.concurrency} connections, {args.seconds} s a page; gunicorn {args.workers} sync workers",
        "",
        "| page | first request | p50 | p95 | p99 | req/s | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['first_ms']:.0f} ms | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms "
            f"| {r['requests_per_s']:.0f} | {r['errors']} |"
        )
    report = "\n".join(lines)
    print(report)
    (OUT / "devices.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "devices.json").write_text(json.dumps({"imports_s": imports, "pages": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
