#!/usr/bin/env python
"""Speed figures of the roster (issue 2), measured as whole processes on PostgreSQL.

    .venv/bin/python bench/roster_import.py [--runs 5]

1. `manage.py estimate` of the national roster (3,633 rows, built from the MOE data in
   schools/data/realdata), as a whole process: target < 2 s.
2. `manage.py import_roster` of it into an empty PostgreSQL database: target < 5 s; then
   the same file again (nothing changes) and a file where every row changed.
3. django-import-export's plain default `ModelResource` importing the same rows, for the ratio.

Every run gets a fresh database `portal_bench` (created and dropped here); nothing else on
the server is touched. Results are printed as a Markdown table and kept in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage, summary

PLAIN_RESOURCE = r"""
import sys, time, django
django.setup()
from import_export.resources import modelresource_factory
from tablib import Dataset
from schools.models import PlanYear, RosterRow, School
from schools.services import _upsert_schools, roster_parse_file

plan_year = PlanYear.objects.get(year=111)
parse = roster_parse_file(content=open(sys.argv[1], "rb").read(), plan_year=plan_year)
schools = _upsert_schools(parse.rows)   # the plain resource needs the schools to exist
headers = ["plan_year", "school", "level", "name", "area", "classes", "max_class_size", "teachers", "students",
           "req_carts", "req_teacher_devices", "req_student_devices", "reason", "entitled_carts",
           "entitled_teacher_devices", "entitled_student_devices", "complies"]
dataset = Dataset(headers=headers)
for row in parse.rows:
    req, ent = row.requested, row.entitlement
    dataset.append([plan_year.pk, schools[row.code].pk, row.level, row.name, row.area, row.classes,
                    row.max_class_size, row.teachers, row.students, req.carts, req.teacher_devices,
                    req.student_devices, row.reason, ent.carts, ent.teacher_devices, ent.student_devices,
                    row.complies])
resource = modelresource_factory(RosterRow)()
started = time.perf_counter()
result = resource.import_data(dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
elapsed = time.perf_counter() - started
assert not result.has_errors() and not result.has_validation_errors(), result.base_errors
assert RosterRow.objects.count() == len(parse.rows)
print(elapsed)
"""


def plain_resource_seconds(roster: Path, url: str) -> float:
    done = subprocess.run(
        [PYTHON, "-c", PLAIN_RESOURCE, str(roster)],
        cwd=ROOT,
        env={**env(url), "DJANGO_SETTINGS_MODULE": "portal.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def changed_copy(roster: Path) -> Path:
    """The same roster with every school's name changed: every row is an update."""
    import openpyxl

    workbook = openpyxl.load_workbook(roster)
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=5):
        if isinstance(row[0].value, int):
            row[7].value += "（更名）"
    target = OUT / "national-changed.xlsx"
    workbook.save(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[float]] = {}

    url = fresh_database()
    roster = OUT / "national.xlsx"
    manage("roster_from_realdata", "--out", str(roster), database_url=url)
    changed = changed_copy(roster)

    manage("estimate", str(roster), "--json", database_url=url)  # warm the file cache
    results["estimate (whole process)"] = [
        manage("estimate", str(roster), "--json", database_url=url) for _ in range(args.runs)
    ]

    first, again, updated, plain = [], [], [], []
    for _ in range(args.runs):
        url = fresh_database()
        first.append(manage("import_roster", str(roster), database_url=url))
        again.append(manage("import_roster", str(roster), database_url=url))
        updated.append(manage("import_roster", str(changed), database_url=url))
    for _ in range(max(1, args.runs // 2)):
        plain.append(plain_resource_seconds(roster, fresh_database()))
    results["import_roster, empty database (whole process)"] = first
    results["import_roster, same file again (whole process)"] = again
    results["import_roster, every row changed (whole process)"] = updated
    results["plain default ModelResource.import_data (rows only, in process)"] = plain
    drop_database()

    lines = ["| what | median |", "| --- | --- |"]
    lines += [f"| {name} | {summary(values)} |" for name, values in results.items()]
    ratio = statistics.median(plain) / statistics.median(first)
    lines.append(f"\nPlain default ModelResource / our import (whole process): {ratio:.1f}x")
    report = "\n".join(lines)
    print(report)
    (OUT / "roster.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "roster.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
