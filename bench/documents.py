#!/usr/bin/env python
"""Document rendering figures (issue 4), as whole jobs through a real Celery worker.

    .venv/bin/python bench/documents.py [--runs 5]

Loads the national roster into a fresh PostgreSQL database, writes 高雄市's 附件1 (the county
with the most roster rows: 353), starts `celery worker` (prefork, 1 process; Redis broker),
and asks for documents the way the page does (service -> on_commit -> queue). A job's time
is its row's finished_at - created_at: queueing, the worker taking it, rendering, storing.
Targets: the 高雄市 plan PDF under 4 s; the national roster (3,633 rows) to Excel under 3 s.
Also timed: `manage.py render_plan` and `manage.py export_roster` as whole processes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage, summary

REDIS_DB = os.environ.get("BENCH_REDIS_DB", "15")

SETUP = r"""
import django; django.setup()
from budget import demo
from portal.models import Role, User
from schools.models import County, PlanYear
plan_year = PlanYear.objects.get(year=111)
kaohsiung = County.objects.get(name="高雄市")
demo.seed(county=kaohsiung, plan_year=plan_year, users={})
User.objects.create(username="bench_moe", role=Role.MOE)
"""

REQUEST = r"""
import sys, time, django; django.setup()
from django.db import transaction
from budget.services import plan_for
from portal.models import User
from reporting.models import ExportJob
from reporting.services import export_job_request
from schools.models import County, PlanYear
kind, runs = sys.argv[1], int(sys.argv[2])
plan_year = PlanYear.objects.get(year=111)
user = User.objects.get(username="bench_moe")
county = County.objects.get(name="高雄市") if kind == "plan_pdf" else None
plan = plan_for(county=county, plan_year=plan_year) if county else None
for _ in range(runs):
    with transaction.atomic():
        job = export_job_request(user=user, kind=kind, plan_year=plan_year, county=county, plan=plan)
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.05)
    assert job.status == "done", job.error
    print((job.finished_at - job.created_at).total_seconds(), job.file.size, flush=True)
"""


def jobs(kind: str, runs: int, url: str) -> list[float]:
    done = subprocess.run(
        [PYTHON, "-c", REQUEST, kind, str(runs)],
        cwd=ROOT,
        env=env(url, REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}", DJANGO_SETTINGS_MODULE="portal.settings"),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{kind} jobs failed:\n{done.stderr[-3000:]}")
    return [float(line.split()[0]) for line in done.stdout.splitlines() if line.strip()]


def timed(*args: str, url: str) -> float:
    started = time.perf_counter()
    manage(*args, database_url=url)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    subprocess.run([PYTHON, "-c", SETUP], cwd=ROOT, env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"), check=True)
    subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)
    worker_env = env(url, REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}")
    worker = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "celery"),
            "-A",
            "portal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=worker_env,
    )
    results: dict[str, list[float]] = {}
    try:
        time.sleep(4)  # the worker starts and connects
        jobs("plan_pdf", 1, url)  # warm: fonts and WeasyPrint loaded in the worker
        results["高雄市 plan PDF job (353 rows, queued -> done)"] = jobs("plan_pdf", args.runs, url)
        jobs("roster_xlsx", 1, url)
        results["national roster Excel job (3,633 rows, queued -> done)"] = jobs("roster_xlsx", args.runs, url)
    finally:
        worker.terminate()
        worker.wait()
    pdf = OUT / "kaohsiung.pdf"
    results["manage.py render_plan --county 高雄市 --format pdf (whole process)"] = [
        timed("render_plan", "--county", "高雄市", "--draft", "--out", str(pdf), url=url)
        for _ in range(max(1, args.runs // 2))
    ]
    results["manage.py export_roster (national, whole process)"] = [
        timed("export_roster", "--out", str(OUT / "national-export.xlsx"), url=url)
        for _ in range(max(1, args.runs // 2))
    ]
    drop_database()
    lines = ["| what | median |", "| --- | --- |", *[f"| {name} | {summary(v)} |" for name, v in results.items()]]
    report = "\n".join(lines)
    print(report)
    (OUT / "documents.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "documents.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
