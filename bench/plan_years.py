#!/usr/bin/env python
"""Issue 13's figures: the 高雄市 plan PDF (target under 4 s), the plan as JSON, opening a plan
year for the whole country, and the 22-county consistency test (target under 60 s in CI).

    BENCH_DB=bench_wt13 .venv/bin/python bench/plan_years.py [--runs 5] [--consistency]

Loads the national roster (3,608 rows once 國立 schools are left out) into a fresh PostgreSQL
database and writes 高雄市's 附件1 (353 roster rows, the largest county). Then, each timed:

- `manage.py open_plan_year 112 --from 111 --set classes_per_device_class=4 --set
  device_unit_price=14000` as a whole process (every rule key, the national roster copied,
  the previously subsidised carried over);
- `manage.py render_plan --county 高雄市 --format pdf --draft` for 111 and 112, whole process;
- the same PDF rendered in one warm process (fonts and templates loaded): what a worker does;
- `manage.py render_plan --county 高雄市 --format json`, whole process;
- with --consistency, `pytest tests/reporting/test_national_consistency.py` (its own SQLite
  test database, as CI runs it), wall time.

The machine is shared while engineers work: these figures are for a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage, summary

SETUP = r"""
import django; django.setup()
from budget import demo
from schools.models import County, PlanYear
kaohsiung = County.objects.get(name="高雄市")
for year in PlanYear.objects.all():
    demo.seed(county=kaohsiung, plan_year=year, users={})
"""

WARM = r"""
import sys, time, django; django.setup()
from budget.services import plan_for
from reporting.rendering import plan_document, plan_pdf
from schools.models import County, PlanYear
year, runs = int(sys.argv[1]), int(sys.argv[2])
plan = plan_for(county=County.objects.get(name="高雄市"), plan_year=PlanYear.objects.get(year=year))
plan_pdf(plan_document(plan, None))  # warm: fonts, templates, WeasyPrint's caches
for _ in range(runs):
    started = time.perf_counter()
    size = len(plan_pdf(plan_document(plan, None)))
    print(time.perf_counter() - started, size, flush=True)
"""


def timed(*args: str, url: str) -> float:
    started = time.perf_counter()
    manage(*args, database_url=url)
    return time.perf_counter() - started


def warm(year: int, runs: int, url: str) -> list[float]:
    done = subprocess.run(
        [PYTHON, "-c", WARM, str(year), str(runs)],
        cwd=ROOT,
        env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"warm rendering failed:\n{done.stderr[-3000:]}")
    return [float(line.split()[0]) for line in done.stdout.splitlines() if line.strip()]


def consistency() -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(Path(PYTHON).parent / "pytest"),
            "-q",
            "-p",
            "no:warnings",
            "tests/reporting/test_national_consistency.py",
        ],
        cwd=ROOT,
        env={k: v for k, v in env().items() if k not in ("DATABASE_URL", "DEBUG", "SECRET_KEY")},
    )
    if done.returncode:
        raise SystemExit("the consistency test failed")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--consistency", action="store_true", help="also time the 22-county consistency test")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = fresh_database()
    roster = OUT / "national.xlsx"
    manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    results: dict[str, list[float]] = {}
    results["manage.py open_plan_year 112 --from 111 --set ... (national roster, whole process)"] = [
        timed(
            "open_plan_year",
            "112",
            "--from",
            "111",
            "--set",
            "classes_per_device_class=4",
            "--set",
            "device_unit_price=14000",
            url=url,
        )
    ]
    subprocess.run([PYTHON, "-c", SETUP], cwd=ROOT, env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"), check=True)
    runs = max(1, args.runs)
    for year in (111, 112):
        pdf = OUT / f"kaohsiung-{year}.pdf"
        results[f"manage.py render_plan --county 高雄市 --year {year} --format pdf (whole process)"] = [
            timed("render_plan", "--county", "高雄市", "--year", str(year), "--draft", "--out", str(pdf), url=url)
            for _ in range(runs)
        ]
    results["高雄市 111 plan PDF in a warm process (what a worker does)"] = warm(111, runs, url)
    results["manage.py render_plan --county 高雄市 --format json (whole process)"] = [
        timed(
            "render_plan",
            "--county",
            "高雄市",
            "--year",
            "111",
            "--format",
            "json",
            "--out",
            str(OUT / "k.json"),
            url=url,
        )
        for _ in range(runs)
    ]
    drop_database()
    if args.consistency:
        results["pytest tests/reporting/test_national_consistency.py (22 counties, wall)"] = [consistency()]
    lines = ["| what | median |", "| --- | --- |", *[f"| {name} | {summary(v)} |" for name, v in results.items()]]
    report = "\n".join(lines)
    print(report)
    (OUT / "plan_years.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "plan_years.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
