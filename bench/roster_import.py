#!/usr/bin/env python
"""Speed figures of the roster (issue 2), measured as whole processes on PostgreSQL.

    .venv/bin/python bench/roster_import.py [--runs 5]

1. `manage.py estimate` of the national roster (3,633 rows, built from the MOE data in
   schools/data/realdata), as a whole process: target < 2 s.
2. `manage.py import_roster` of it into an empty PostgreSQL database: target < 5 s; then
   the same file again (nothing changes) and a file where every row changed.
(django-import-export's plain `ModelResource` was measured here for the ratio until the import
pipeline replaced the resource: see bench/README.md, issue 10.)

Every run gets a fresh database `portal_bench` (created and dropped here); nothing else on
the server is touched. Results are printed as a Markdown table and kept in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, drop_database, fresh_database, manage, summary


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

    first, again, updated = [], [], []
    for _ in range(args.runs):
        url = fresh_database()
        first.append(manage("import_roster", str(roster), database_url=url))
        again.append(manage("import_roster", str(roster), database_url=url))
        updated.append(manage("import_roster", str(changed), database_url=url))
    results["import_roster, empty database (whole process)"] = first
    results["import_roster, same file again (whole process)"] = again
    results["import_roster, every row changed (whole process)"] = updated
    drop_database()

    lines = ["| what | median |", "| --- | --- |"]
    lines += [f"| {name} | {summary(values)} |" for name, values in results.items()]
    report = "\n".join(lines)
    print(report)
    (OUT / "roster.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "roster.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
