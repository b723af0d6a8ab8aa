#!/usr/bin/env python
"""p95 latency of the busiest pages with the national roster loaded (issue 3).

    .venv/bin/python bench/page_latency.py [--concurrency 20] [--seconds 10]

Loads the national roster (3,633 rows) and every county's plan into a fresh PostgreSQL
database, starts gunicorn (DEBUG=0; Redis for sessions and the read cache, as in
docker-compose.yml) on 127.0.0.1, logs in as 高雄市's county officer (the
largest county) and as an MOE reviewer, and loads each page with `wrk` (Debian's package:
`make bench` installs it) over `--concurrency` connections for `--seconds`; a Lua hook
reports the percentiles. The load generator shares the machine's two cores with gunicorn
and PostgreSQL, as it would not in production. Target: p95 < 150 ms.
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

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8123"))
SETUP = r"""
import django; django.setup()
from portal.models import Role, User
from schools.models import County, PlanYear
from budget.services import plan_for
plan_year = PlanYear.objects.get(year=111)
for county in County.objects.all():
    plan_for(county=county, plan_year=plan_year)
kaohsiung = County.objects.get(name="高雄市")
for username, role, county in (("bench_county", Role.COUNTY, kaohsiung), ("bench_moe", Role.MOE, None)):
    user = User(username=username, role=role, county=county)
    user.set_password("bench-password-2022")
    user.save()
    if user.mfa_required:  # MOE reviewers log in with password + TOTP (issue 12)
        from django_otp.plugins.otp_totp.models import TOTPDevice
        TOTPDevice.objects.create(user=user, name="bench", key="31323334353637383930" * 2, confirmed=True)
"""


def log_in(username: str) -> str:
    """A session cookie, through the real login form (and the second factor's page when the
    user has an authenticator: the bench's MOE reviewer does)."""
    conn = http.client.HTTPConnection(HOST, PORT)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": "bench-password-2022", "csrfmiddlewaretoken": token}
    )
    conn.request(
        "POST",
        "/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://{HOST}:{PORT}/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie")).group(1)
    cookie = f"sessionid={session}; csrftoken={csrf_cookie}"
    conn.request("GET", "/login/code/", headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode()
    if response.status == 200:
        from login import KEY_HEX, totp

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"code": totp(KEY_HEX, time.time()), "csrfmiddlewaretoken": token})
        conn.request(
            "POST",
            "/login/code/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": f"http://{HOST}:{PORT}/login/code/",
            },
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 302, response.status
        # The session key is cycled when the second factor is passed.
        renewed = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
        if renewed:
            cookie = f"sessionid={renewed.group(1)}; csrftoken={csrf_cookie}"
    return cookie


WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %.2f %.2f %.2f\\n", summary.requests, summary.duration,
    summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def load(path: str, cookie: str, concurrency: int, seconds: int) -> dict:
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
    return wrk_figures(done.stdout, path)


def wrk_figures(stdout: str, path: str) -> dict:
    """The figures of WRK_REPORT's RESULT line; any non-2xx answer or socket error ends the run."""
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT"))
    requests, duration_us, bad_status, socket_errors, p50, p95, p99 = line.split()[1:]
    if int(bad_status) or int(socket_errors):
        raise SystemExit(f"{path}: {bad_status} non-2xx answers, {socket_errors} socket errors\n{stdout}")
    return {
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "requests_per_s": int(requests) / (int(duration_us) / 1e6),
        "n": int(requests),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    # Two sync workers served best on this 2-core machine (measured 2/4/6: 115/90/88 req/s on
    # the roster list); more only switch contexts with PostgreSQL and the load generator.
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    url = fresh_database()
    roster = OUT / "national.xlsx"
    if not roster.exists():
        manage("roster_from_realdata", "--out", str(roster), database_url=url)
    manage("import_roster", str(roster), database_url=url)
    subprocess.run([PYTHON, "-c", SETUP], cwd=ROOT, env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"), check=True)

    # As in production (docker-compose.yml): Redis holds the sessions and the read cache.
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
    manage_static = subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=server_env)
    manage_static.check_returncode()
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
            ("county home (高雄市, 353 rows)", "/", county),
            ("roster list, county (page 1 of 8)", "/roster/", county),
            (
                "roster list, county, filtered + searched",
                "/roster/?" + urllib.parse.urlencode({"level": "國小", "area": "remote", "q": "國小", "page": 2}),
                county,
            ),
            ("MOE home (22 counties, 3,633 rows)", "/", moe),
            ("roster list, national (page 40 of 73)", "/roster/?page=40", moe),
            ("plan page (高雄市)", "/plans/111/12/", county),
            ("MOE review queue", "/plans/review/", moe),
        ]
        results = {}
        for name, path, cookie in pages:
            load(path, cookie, args.concurrency, 2)  # warm up
            results[name] = load(path, cookie, args.concurrency, args.seconds)
    finally:
        server.terminate()
        server.wait()
        drop_database()

    lines = [
        f"wrk: {args.concurrency} connections, {args.seconds} s a page; gunicorn {args.workers} sync workers",
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
    (OUT / "latency.md").write_text(report + "\n", encoding="utf-8")
    (OUT / "latency.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
