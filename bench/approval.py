#!/usr/bin/env python
"""p95 latency of the MOE's day (issue 14): the one-form approval and the national roster
narrowed and sorted.

    BENCH_DB=portal_bench_approval BENCH_PORT=8124 .venv/bin/python bench/approval.py \
        [--reviewers 10] [--connections 20] [--seconds 10]

As bench/page_latency.py: the national roster (3,633 rows) and every county's plan in a fresh
PostgreSQL database, gunicorn (DEBUG=0, Redis for sessions and the read cache) on 127.0.0.1,
`wrk` for the load. 高雄市's plan is put under review (its snapshot frozen as a submission,
returned once with line comments, answered and submitted again), then:

- the review page with the 11-line approval form, `--reviewers` concurrent MOE reviewers
  (target p95 < 300 ms);
- the same form POSTed with one refused line (the page comes back with what was typed and
  the error on its row; nothing is written, so every request does the same work), same load;
- the national roster filtered by 縣市 and sorted by 學生數 (descending), 100 a page,
  `--connections` connections (target p95 < 150 ms).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database, manage
from page_latency import HOST, PORT, SETUP, WRK_REPORT, log_in, wrk_figures

UNDER_REVIEW = r"""
import django; django.setup()
from portal.models import User
from schools.models import County, PlanYear
from budget.models import CountyPlan, PlanStatus, PlanSubmission
from budget.selectors_review import plan_snapshot
from budget.services import review_comment_reply
from budget.services_review import plan_return
plan = CountyPlan.objects.get(county__name="高雄市", plan_year__year=111)
officer, moe = User.objects.get(username="bench_county"), User.objects.get(username="bench_moe")

def submit(number):
    # The bench freezes the snapshot as plan_submit does, without the county's checklist.
    PlanSubmission.objects.create(plan=plan, number=number, submitted_by=officer, **plan_snapshot(plan))
    CountyPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED, version=plan.version + number)
    plan.refresh_from_db()

submit(1)
plan_return(plan=plan, user=moe, reason="請修正", line_notes={3: "充電車數請再確認", 8: "請說明運作費"})
for comment in plan.review_comments.all():
    review_comment_reply(comment=comment, user=officer, kind="explained", text="已依意見修正")
plan.refresh_from_db()
submit(2)
print(plan.version)
"""

POST_SCRIPT = """
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Referer"] = "{referer}"
"""


def csrf_of(cookie: str) -> str:
    return re.search(r"csrftoken=([^;]+)", cookie).group(1)


def load(path: str, cookie: str, concurrency: int, seconds: int, body: str | None = None) -> dict:
    """wrk on `path` (a POST of `body` when given), with a 10 s timeout: on two shared cores a
    queue of 10-20 connections can wait longer than wrk's default 2 s."""
    script = OUT / "approval.lua"
    post = POST_SCRIPT.format(body=body, referer=f"http://{HOST}:{PORT}{path}") if body is not None else ""
    script.write_text(post + WRK_REPORT, encoding="utf-8")
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
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {cookie}",
            "-H",
            f"X-CSRFToken: {csrf_of(cookie)}",
            f"http://{HOST}:{PORT}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return wrk_figures(done.stdout, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    setup_env = env(url, DJANGO_SETTINGS_MODULE="portal.settings")
    subprocess.run([PYTHON, "-c", SETUP], cwd=ROOT, env=setup_env, check=True)
    version = subprocess.run(
        [PYTHON, "-c", UNDER_REVIEW], cwd=ROOT, env=setup_env, check=True, capture_output=True, text=True
    ).stdout.split()[-1]

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
        moe = log_in("bench_moe")
        plan_path = "/plans/111/12/"
        refused = {"version": version, "action": "approve", "amount_1": "1", "note_1": ""}
        body = urllib.parse.urlencode(refused)
        roster_path = "/roster/?" + urllib.parse.urlencode({"county": "12", "sort": "-students", "per_page": 100})
        results = {}
        load(plan_path, moe, args.reviewers, 2)  # warm up
        results[f"review page, 11-line form ({args.reviewers} reviewers)"] = load(
            plan_path, moe, args.reviewers, args.seconds
        )
        load(plan_path + "review/", moe, args.reviewers, 2, body)
        results[f"review form POST, one line refused ({args.reviewers} reviewers)"] = load(
            plan_path + "review/", moe, args.reviewers, args.seconds, body
        )
        load(roster_path, moe, args.connections, 2)
        results[f"national roster, 高雄市, sorted by 學生數, 100 a page ({args.connections} connections)"] = load(
            roster_path, moe, args.connections, args.seconds
        )
    finally:
        server.terminate()
        server.wait()
        drop_database()

    lines = [
        f"wrk: {args.seconds} s a page; gunicorn {args.workers} sync workers",
        "",
        "| page | p50 | p95 | p99 | req/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms "
            f"| {r['requests_per_s']:.0f} |"
        )
    report = "\n".join(lines)
    print(report)
    (OUT / "approval.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "approval.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
