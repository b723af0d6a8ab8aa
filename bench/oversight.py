#!/usr/bin/env python
"""Issue 15: the national what-if (and, for the record, the national equity view and the
national check against the MOE's statistics) computed in process on PostgreSQL.

    BENCH_DB=bench_wt15 .venv/bin/python bench/oversight.py [--runs 10]
    ... bench/oversight.py --runs 2      # smoke

A fresh database gets the national roster (3,633 rows, 22 counties), a plan for every county
and the MOE's 110 statistics with the 111 remote list (`load_official_statistics`). Timed,
each `--runs` times after one warm-up, with the read cache off (what a first request pays):
- `budget.scenarios.scenario_comparison` of a scenario 「每 5 班」 (classes_per_device_class 5)
  against the real rules, every county and the nation: its queries and the engine for
  3,633 rows twice. Target: < 1 s.
- `reporting.equity.equity` for the 22 counties (the page's computation).
- `schools.official.roster_findings` for the nation (the MOE's findings page)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage

TIMING = r"""
import json, statistics, sys, time
import django; django.setup()
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
settings.READ_CACHE = False
from budget.scenarios import scenario_comparison, scenario_create, scenario_update
from budget.services import plan_for
from portal.models import Role, User
from reporting.equity import equity
from schools.models import County, PlanYear
from schools.official import roster_findings
plan_year = PlanYear.objects.get(year=111)
counties = list(County.objects.all())
for county in counties:
    plan_for(county=county, plan_year=plan_year)
moe = User.objects.create(username="bench_moe", role=Role.MOE)
scenario = scenario_create(user=moe, plan_year=plan_year, name="每 5 班")
scenario = scenario_update(scenario=scenario, user=moe, values={**scenario.rules, "classes_per_device_class": 5},
                           expected_version=1)
runs = int(sys.argv[1])
work = {
    "what-if, national (每 5 班)": lambda: scenario_comparison(scenario=scenario, user=moe),
    "equity view, 22 counties": lambda: equity(counties=counties, plan_year=plan_year),
    "findings against the 110 statistics, national": lambda: roster_findings(user=moe, plan_year=plan_year),
}
results = {}
for name, compute in work.items():
    compute()
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            value = compute()
            times.append(time.perf_counter() - started)
    results[name] = {"median_s": statistics.median(times), "max_s": max(times), "queries": len(queries), "n": runs}
national = scenario_comparison(scenario=scenario, user=moe).national
results["what-if, national (每 5 班)"]["difference_ntd"] = national.difference.total_ntd
results["what-if, national (每 5 班)"]["difference_devices"] = national.difference.devices
print(json.dumps(results, ensure_ascii=False))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = fresh_database()
    try:
        roster = OUT / "national.xlsx"
        if not roster.exists():
            manage("roster_from_realdata", "--out", str(roster), database_url=url)
        manage("import_roster", str(roster), database_url=url)
        data = ROOT / "schools" / "data" / "realdata"
        for name, extra in (
            ("moe_110_basec_elementary.csv", ()),
            ("moe_110_basej_junior_high.csv", ()),
            ("moe_111_remote_schools.csv", ("--year", "111")),
        ):
            manage("load_official_statistics", str(data / name), *extra, database_url=url)
        done = subprocess.run(
            [PYTHON, "-c", TIMING, str(args.runs)],
            cwd=ROOT,
            env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        drop_database()
    results = json.loads(done.stdout.splitlines()[-1])
    lines = ["| computation (in process, read cache off) | median | max | queries |", "| --- | --- | --- | --- |"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['median_s'] * 1000:.0f} ms | {r['max_s'] * 1000:.0f} ms | {r['queries']} |")
    whatif = results["what-if, national (每 5 班)"]
    lines.append("")
    lines.append(
        f"每 5 班 against the 111 rules, nationally: {whatif['difference_devices']:+,} devices, "
        f"{whatif['difference_ntd']:+,} NTD"
    )
    report = "\n".join(lines)
    print(report)
    (OUT / "oversight.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "oversight.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
