#!/usr/bin/env python
"""The four spreadsheet imports as whole processes (`python manage.py …`, Django start-up included,
DEBUG=0) on PostgreSQL.

    BENCH_DB=portal_bench_imports .venv/bin/python bench/imports.py [--runs 3] [--only roster,devices,...]

1. roster: `import_roster` of the national roster (3,633 rows, `roster_from_realdata`) into an
   empty database (a fresh database every run), then the same file again (every row unchanged).
2. devices: `import_devices FILE --county 高雄市` of a 100,000-row .xlsx into a database holding
   600,000 devices written with COPY; the imported serials are deleted between runs.
3. attendance: `import_attendance FILE --county 高雄市 --year 111` of a 50,000-row .xlsx, with 12
   sessions a county and ~200,000 attendance rows written with COPY; the imported rows are
   deleted between runs.
4. usage: `import_usage FILE` of 215,820 rows (3,597 schools x 12 months x 5 platforms; the plan
   period widened to 111年1月) into an empty usage table, then a file with every figure changed
   (every row replaced); the table is emptied between runs.

Each part gets a fresh database (BENCH_DB, default portal_bench_imports), dropped at the end.
After every clean-up the table is VACUUM ANALYZEd, so that no run meets another's dead rows
or an autovacuum. Redis is not used. The input files are written here with their headers
spelled out, not with the project's format modules, so that the script runs unchanged while
those modules move: the set-up snippets use only the models, `budget.services.plan_for` and
`portal.db.refresh_statistics`. Only the `manage.py` commands are timed. A Markdown table is
printed and kept in bench/out/imports.md, the raw figures in bench/out/imports.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("BENCH_DB", "portal_bench_imports")  # common.py reads it when imported
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DB, OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage

PARTS = ("roster", "devices", "attendance", "usage", "hostile")
INPUTS = OUT / "imports"
COUNTY = "高雄市"
DEVICE_HEADER = (
    "產品序號",
    "採購案號",
    "學校代碼",
    "用途（教師／學生）",
    "財產編號",
    "狀態",
    "到校日期",
    "MDM註冊日期",
    "廠牌",
)
ATTENDANCE_HEADER = ("研習代碼", "學校代碼", "教師識別碼", "姓名")
USAGE_HEADER = ("學校代碼", "月份", "平臺", "使用時數", "活躍學生數", "活躍載具數")
PLATFORMS = ("因材網", "均一教育平台", "PaGamO", "學習吧", "Cool English")
# bench/README.md, for comparison (quiet machine, except the roster's n=5 of issue 2).
README = {
    "roster_empty": "1.75 s (1.60–2.27, n=5)",
    "roster_unchanged": "1.42 s (1.28–1.72, n=5)",
    "devices": "13.4 s (13.4–14.7, n=3)",
    "attendance": "4.4 s (4.3–4.5, n=3)",
    "usage_empty": "8.2 s",
    "usage_replace": "11.0 s",
}

CODE_ROOT = r"""
import devices, portal, reporting, schools, training
print("\n".join(module.__file__ for module in (devices, portal, reporting, schools, training)))
"""

ROSTER_COUNT = r"""
import django; django.setup()
from schools.models import RosterRow
print(RosterRow.objects.count())
"""

# 600,000 devices over every school in proportion to its entitlement (largest remainders),
# one procurement batch a county, and the batch the imported serials belong to (bench/devices.py).
DEVICES_SETUP = r"""
import django, io, json, sys; django.setup()
from datetime import date
from django.db import connection
from django.db.models import F, Sum
from budget.services import plan_for
from devices.models import Device, ProcurementBatch
from portal.db import refresh_statistics
from schools.models import County, PlanYear, RosterRow, School

total, county_name = int(sys.argv[1]), sys.argv[2]
plan_year = PlanYear.objects.get(year=111)
entitled = dict(sorted(
    RosterRow.objects.filter(plan_year=plan_year).values("school_id")
    .annotate(n=Sum(F("entitled_teacher_devices") + F("entitled_student_devices"))).values_list("school_id", "n")
))
weight_sum = sum(entitled.values())
shares = {school_id: total * weight // weight_sum for school_id, weight in entitled.items()}
largest = sorted(entitled, key=lambda school_id: (-(total * entitled[school_id] % weight_sum), -entitled[school_id]))
for school_id in largest[: total - sum(shares.values())]:
    shares[school_id] += 1
county_of = dict(School.objects.values_list("pk", "county_id"))
batches = {}
for county in County.objects.all():
    plan_for(county=county, plan_year=plan_year)
    batches[county.pk] = ProcurementBatch.objects.create(
        county=county, plan_year=plan_year, tender_number=f"111-{county.code}-001", vendor="宏碁", brand="Acer",
        model_name="B3", unit_price=13000, quantity=total, contract_date=date(2022, 7, 1),
        delivery_date=date(2022, 9, 20),
    )
county = County.objects.get(name=county_name)
ProcurementBatch.objects.create(
    county=county, plan_year=plan_year, tender_number="111-IMPORT", vendor="宏碁", brand="Acer", model_name="B3",
    unit_price=13000, quantity=10 * total, contract_date=date(2022, 7, 1), delivery_date=date(2022, 9, 20),
)
statuses = ["in_use"] * 17 + ["assigned", "lent", "spare"]
buffer = io.StringIO()
serial = 0
for school_id, count in shares.items():
    batch = batches[county_of[school_id]]
    for n in range(count):
        status = statuses[serial % len(statuses)]
        mdm = chr(92) + "N" if serial % 9 == 0 else "2022-09-30"
        use = "teacher" if n % 20 == 0 else "student"
        fields = (f"BN{serial:08d}", "", batch.pk, batch.county_id, school_id, use, status, "2022-09-20",
                  mdm, "2026-09-19", "2026-09-19")
        buffer.write("\t".join(str(f) for f in fields) + "\n")
        serial += 1
buffer.seek(0)
columns = ("serial, asset_tag, batch_id, county_id, school_id, use, status, delivered_on, mdm_enrolled_on, "
           "licence_until, warranty_until")
with connection.cursor() as cursor:
    cursor.cursor.copy_expert(f"COPY {Device._meta.db_table} ({columns}) FROM STDIN", buffer)
refresh_statistics(Device)
codes = list(School.objects.filter(county=county).order_by("code").values_list("code", flat=True))
print(json.dumps({"devices": Device.objects.count(), "county_devices": Device.objects.filter(county=county).count(),
                  "codes": codes}))
"""

DEVICES_CLEAN = r"""
import django; django.setup()
from django.db import connection
from devices.models import Device, ProcurementBatch
batch = ProcurementBatch.objects.get(tender_number="111-IMPORT")
table = connection.ops.quote_name(Device._meta.db_table)
with connection.cursor() as cursor:
    cursor.execute(f"DELETE FROM {table} WHERE batch_id = %s", [batch.pk])
    print(cursor.rowcount)
    cursor.execute(f"VACUUM ANALYZE {table}")
"""

# 12 sessions a county, 50 more for the import, ~200,000 completion rows (bench/training.py).
ATTENDANCE_SETUP = r"""
import datetime, io, json, random, sys
import django; django.setup()
from django.db import connection
from schools.models import County, PlanYear, RosterRow
from training.models import Attendance, SessionKind, TrainingSession

target_rows, county_name = int(sys.argv[1]), sys.argv[2]
plan_year = PlanYear.objects.get(year=111)
county = County.objects.get(name=county_name)
kinds = [SessionKind.A1] * 3 + [SessionKind.A2] * 3 + [SessionKind.LITERACY_MEDIA, SessionKind.LITERACY_PRIVACY,
         SessionKind.LITERACY_SECURITY, SessionKind.IT_STAFF, SessionKind.PBL, SessionKind.LEADERSHIP]
sessions = []
for other in County.objects.all():
    for n, kind in enumerate(kinds):
        sessions.append(TrainingSession(plan_year=plan_year, county=other, code=f"N-{n:02d}", kind=kind,
                                        title=f"研習 {n}", held_on=datetime.date(2022, 3 + n % 9, 10), place="研習中心",
                                        substitute_periods_elementary=10))
for n in range(50):
    sessions.append(TrainingSession(plan_year=plan_year, county=county, code=f"IMP-{n:02d}", kind=kinds[n % 12],
                                    title=f"匯入研習 {n}", held_on=datetime.date(2022, 9, 1), place="研習中心"))
TrainingSession.objects.bulk_create(sessions)
by_county = {}
for s in TrainingSession.objects.filter(code__startswith="N-"):
    by_county.setdefault(s.county_id, []).append(s.pk)

teachers = list(RosterRow.objects.order_by("pk").values_list("school_id", "school__county_id", "level", "teachers"))
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
table = connection.ops.quote_name(Attendance._meta.db_table)
with connection.cursor() as cursor:
    columns = "session_id, school_id, teacher_code, name, created_at"
    cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    cursor.execute(f"ANALYZE {table}")
in_county = RosterRow.objects.filter(school__county=county)
codes = sorted(set(in_county.values_list("school__code", flat=True)))
others = sorted(set(RosterRow.objects.exclude(school__county=county).values_list("school__code", flat=True)))[:50]
print(json.dumps({"rows": rows, "codes": codes, "others": others}))
"""

ATTENDANCE_CLEAN = r"""
import django; django.setup()
from django.db import connection
from training.models import Attendance, TrainingSession
quote = connection.ops.quote_name
table, sessions = quote(Attendance._meta.db_table), quote(TrainingSession._meta.db_table)
imported = list(TrainingSession.objects.filter(code__startswith="IMP-").values_list("pk", flat=True))
with connection.cursor() as cursor:
    cursor.execute(f"DELETE FROM {table} WHERE session_id = ANY(%s)", [imported])
    print(cursor.rowcount)
    cursor.execute(f"VACUUM ANALYZE {table}")
"""

# The plan period widened to 111年1月 so that a year is 12 months (bench/reporting.py).
USAGE_SETUP = r"""
import datetime, json
import django; django.setup()
from schools.models import PlanYear
plan_year = PlanYear.objects.get(year=111)
plan_year.period_start = datetime.date(2022, 1, 1)
plan_year.save()
codes = plan_year.roster_rows.order_by("school__code").values_list("school__code", flat=True).distinct()
print(json.dumps(list(codes)))
"""

USAGE_CLEAN = r"""
import django; django.setup()
from django.db import connection
from reporting.models import UsageRecord
table = connection.ops.quote_name(UsageRecord._meta.db_table)
with connection.cursor() as cursor:
    cursor.execute(f"DELETE FROM {table}")
    print(cursor.rowcount)
    cursor.execute(f"VACUUM ANALYZE {table}")
"""


def django_script(script: str, url: str, *args: str) -> str:
    """A set-up snippet run as `python -c` in the checkout, its last line of output."""
    done = subprocess.run(
        [PYTHON, "-c", script, *args],
        cwd=ROOT,
        env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def timed(url: str, *args: str) -> tuple[float, str]:
    """`manage.py ARGS` as a whole process: seconds, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env(url), check=True, stdout=subprocess.PIPE, text=True
    )
    return time.perf_counter() - started, done.stdout.strip()


def check_code_root() -> None:
    """The venv's editable install points at another checkout: make sure this one's code runs."""
    done = subprocess.run([PYTHON, "-c", CODE_ROOT], cwd=ROOT, env=env(), check=True, capture_output=True, text=True)
    elsewhere = [path for path in done.stdout.split() if not Path(path).resolve().is_relative_to(ROOT)]
    if elsewhere:
        sys.exit(f"the code imported is not this checkout's ({ROOT}): {elsewhere}")


def database_with_roster(roster: Path) -> str:
    url = fresh_database()
    manage("import_roster", str(roster), database_url=url)
    return url


def expect(what: str, found: int, wanted: int) -> None:
    if found != wanted:
        raise SystemExit(f"{what}: {found:,} rows, expected {wanted:,}")


def bench_roster(roster: Path, runs: int, record: dict) -> None:
    for run in range(runs):
        url = fresh_database()
        seconds, output = timed(url, "import_roster", str(roster))
        record["roster_empty"].append(seconds)
        again, output_again = timed(url, "import_roster", str(roster))
        record["roster_unchanged"].append(again)
        rows = int(django_script(ROSTER_COUNT, url))
        record["meta"]["roster_rows"] = rows
        record["outputs"]["roster_empty"] = output
        record["outputs"]["roster_unchanged"] = output_again
        print(f"roster run {run + 1}: {seconds:.2f} s empty, {again:.2f} s again ({rows:,} rows)", flush=True)


def bench_devices(roster: Path, runs: int, record: dict, devices: int, rows: int) -> None:
    from openpyxl import Workbook

    url = database_with_roster(roster)
    started = time.perf_counter()
    world = json.loads(django_script(DEVICES_SETUP, url, str(devices), COUNTY))
    print(f"devices: {world['devices']:,} loaded with COPY in {time.perf_counter() - started:.1f} s", flush=True)
    record["meta"]["devices"] = {"existing": world["devices"], "county_existing": world["county_devices"]}
    path = INPUTS / f"devices-{rows}.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("載具序號")
    sheet.append(list(DEVICE_HEADER))
    codes = world["codes"]
    for n in range(rows):
        code = codes[n % len(codes)]
        sheet.append(
            [f"KH{n:08d}", "111-IMPORT", code, "學生", f"A{n:08d}", "已配發", "111/09/20", "111/09/25", "Acer"]
        )
    workbook.save(path)
    record["meta"]["devices"].update(rows=rows, mb=round(path.stat().st_size / 2**20, 1))
    for run in range(runs):
        seconds, output = timed(url, "import_devices", str(path), "--county", COUNTY)
        record["devices"].append(seconds)
        record["outputs"]["devices"] = output
        expect("devices imported", int(django_script(DEVICES_CLEAN, url)), rows)
        print(f"devices run {run + 1}: {seconds:.2f} s", flush=True)


def bench_attendance(roster: Path, runs: int, record: dict, existing: int, rows: int) -> None:
    from openpyxl import Workbook

    url = database_with_roster(roster)
    started = time.perf_counter()
    world = json.loads(django_script(ATTENDANCE_SETUP, url, str(existing), COUNTY))
    print(f"attendance: {world['rows']:,} rows with COPY in {time.perf_counter() - started:.1f} s", flush=True)
    record["meta"]["attendance"] = {"existing": world["rows"], "rows": rows}
    path = INPUTS / f"attendance-{rows}.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("研習參加名單")
    sheet.append(list(ATTENDANCE_HEADER))
    codes, others = world["codes"], world["others"]
    for n in range(rows):
        school = others[n % len(others)] if n % 20 == 0 else codes[n % len(codes)]
        sheet.append([f"IMP-{n % 50:02d}", school, f"I{n // 50:05d}", "" if n % 3 else "王老師"])
    workbook.save(path)
    for run in range(runs):
        seconds, output = timed(url, "import_attendance", str(path), "--county", COUNTY, "--year", "111")
        record["attendance"].append(seconds)
        record["outputs"]["attendance"] = output
        expect("attendance imported", int(django_script(ATTENDANCE_CLEAN, url)), rows)
        print(f"attendance run {run + 1}: {seconds:.2f} s", flush=True)


def write_usage(path: Path, codes: list[str], *, changed: bool) -> int:
    """A national year of usage hours; `changed` adds one to every figure of every row."""
    rng = random.Random(1)
    plus = 1 if changed else 0
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(USAGE_HEADER)
        for code in codes:
            for month in range(1, 13):
                for platform in PLATFORMS:
                    devices = rng.randint(10, 200)
                    hours = rng.randint(0, devices * 30)
                    writer.writerow((code, f"111年{month}月", platform, hours + plus, devices + plus, devices + plus))
                    rows += 1
    return rows


def bench_usage(roster: Path, runs: int, record: dict, schools: int | None) -> None:
    url = database_with_roster(roster)
    codes = json.loads(django_script(USAGE_SETUP, url))[:schools]
    first, changed = INPUTS / "usage.csv", INPUTS / "usage-changed.csv"
    rows = write_usage(first, codes, changed=False)
    write_usage(changed, codes, changed=True)
    record["meta"]["usage"] = {"rows": rows, "schools": len(codes), "mb": round(first.stat().st_size / 2**20, 1)}
    for run in range(runs):
        seconds, output = timed(url, "import_usage", str(first))
        record["usage_empty"].append(seconds)
        replaced, output_replaced = timed(url, "import_usage", str(changed))
        record["usage_replace"].append(replaced)
        record["outputs"]["usage_empty"] = output
        record["outputs"]["usage_replace"] = output_replaced
        expect("usage rows", int(django_script(USAGE_CLEAN, url)), rows)
        print(f"usage run {run + 1}: {seconds:.2f} s empty, {replaced:.2f} s replacing", flush=True)


# A whole process's wall time and peak RSS, measured by a parent that has no other child.
MEASURE = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"status": done.returncode, "seconds": time.perf_counter() - started,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""
HOSTILE_COMMANDS = {
    "import_roster": [],
    "import_devices": ["--county", COUNTY],
    "import_attendance": ["--county", COUNTY],
    "import_usage": [],
}


def bench_hostile(runs: int, record: dict) -> None:
    """Issue 10: the 1.6 KB workbooks with one cell at XFD199000 / XFD20000, refused by every
    import command as a whole process (Django start-up included). Target: under 2 s and 300 MB."""
    sys.path.insert(0, str(ROOT))
    from tests.imports.hostile import far_cell

    url = fresh_database()
    record["hostile"] = {}
    for ref in ("XFD199000", "XFD20000"):
        path = INPUTS / f"sparse-{ref}.xlsx"
        path.write_bytes(far_cell(ref))
        for command, extra in HOSTILE_COMMANDS.items():
            seconds, rss = [], []
            for _ in range(runs):
                done = subprocess.run(
                    [PYTHON, "-c", MEASURE, PYTHON, "manage.py", command, str(path), *extra],
                    cwd=ROOT, env=env(url), capture_output=True, text=True, check=True,
                )  # fmt: skip
                result = json.loads(done.stdout)
                if result["status"] != 1:
                    raise SystemExit(f"{command} {ref}: exit status {result['status']}, expected 1")
                seconds.append(result["seconds"])
                rss.append(result["max_rss_kb"] / 1024)
            record["hostile"][f"{command} {ref}"] = {"seconds": seconds, "max_rss_mb": rss}
            print(f"hostile {command} {ref}: {statistics.median(seconds):.2f} s, {max(rss):.0f} MB", flush=True)


def figure(values: list[float]) -> str:
    if not values:
        return "not run"
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def report(record: dict) -> str:
    meta = record["meta"]
    roster = f"{meta['roster_rows']:,}" if "roster_rows" in meta else "national"
    devices = meta.get("devices", {})
    attendance = meta.get("attendance", {})
    usage = meta.get("usage", {})
    lines = [
        "| import (whole process) | database | median (min–max, n) | bench/README.md |",
        "| --- | --- | --- | --- |",
        f"| `import_roster`, {roster} rows | empty | {figure(record['roster_empty'])} | {README['roster_empty']} |",
        f"| `import_roster`, same file again (unchanged) | {roster} rows | {figure(record['roster_unchanged'])} "
        f"| {README['roster_unchanged']} |",
        f"| `import_devices --county {COUNTY}`, {devices.get('rows', 0):,} rows .xlsx "
        f"| {devices.get('existing', 0):,} devices | {figure(record['devices'])} | {README['devices']} |",
        f"| `import_attendance --county {COUNTY} --year 111`, {attendance.get('rows', 0):,} rows .xlsx "
        f"| {attendance.get('existing', 0):,} attendance rows | {figure(record['attendance'])} "
        f"| {README['attendance']} |",
        f"| `import_usage`, {usage.get('rows', 0):,} rows .csv | empty usage table "
        f"| {figure(record['usage_empty'])} | {README['usage_empty']} |",
        f"| `import_usage`, every figure changed (every row replaced) | {usage.get('rows', 0):,} rows "
        f"| {figure(record['usage_replace'])} | {README['usage_replace']} |",
    ]
    if record.get("hostile"):
        lines += [
            "",
            "| hostile file, refused (whole process) | median (min–max, n) | peak RSS |",
            "| --- | --- | --- |",
        ]
        for name, result in record["hostile"].items():
            lines.append(f"| `{name}` | {figure(result['seconds'])} | {max(result['max_rss_mb']):.0f} MB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS))
    parser.add_argument("--devices", type=int, default=600_000, help="devices already in the database")
    parser.add_argument("--device-rows", type=int, default=100_000, help="rows of the device file")
    parser.add_argument("--attendance", type=int, default=200_000, help="attendance rows already there (about)")
    parser.add_argument("--attendance-rows", type=int, default=50_000, help="rows of the attendance file")
    parser.add_argument("--usage-schools", type=int, help="only the first N schools in the usage file")
    args = parser.parse_args()
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    if unknown := sorted(set(parts) - set(PARTS)):
        parser.error(f"--only: unknown {', '.join(unknown)} (choose from {', '.join(PARTS)})")

    started = time.perf_counter()
    check_code_root()
    INPUTS.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    record: dict = {
        "meta": {
            "root": str(ROOT),
            "commit": commit,
            "database": BENCH_DB,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "runs": args.runs,
            "parts": parts,
            "load_average_before": os.getloadavg(),
        },
        "outputs": {},
        **{key: [] for key in README},
    }
    try:
        url = fresh_database()
        roster = INPUTS / "national.xlsx"
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
        if "roster" in parts:
            bench_roster(roster, args.runs, record)
        if "devices" in parts:
            bench_devices(roster, args.runs, record, args.devices, args.device_rows)
        if "attendance" in parts:
            bench_attendance(roster, args.runs, record, args.attendance, args.attendance_rows)
        if "usage" in parts:
            bench_usage(roster, args.runs, record, args.usage_schools)
        if "hostile" in parts:
            bench_hostile(args.runs, record)
    finally:
        drop_database()
    record["meta"]["load_average_after"] = os.getloadavg()
    record["meta"]["total_s"] = round(time.perf_counter() - started, 1)

    table = report(record)
    print(table)
    print(f"\nwhole run: {record['meta']['total_s']:.0f} s")
    (OUT / "imports.md").write_text(table + "\n", encoding="utf-8")
    (OUT / "imports.json").write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
