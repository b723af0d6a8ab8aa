#!/usr/bin/env python
"""Login latency with the second factor (issue 12): password + TOTP, p95 < 300 ms at 10
concurrent logins.

    .venv/bin/python bench/login.py [--concurrency 10] [--logins 400] [--workers 2]
    .venv/bin/python bench/login.py --concurrency 2 --logins 10      # a smoke test

Creates a fresh PostgreSQL database (BENCH_DB), `--logins` MOE reviewers, each with a
confirmed TOTP authenticator, and starts gunicorn (DEBUG=0, Redis for sessions as in
docker-compose.yml) on 127.0.0.1:BENCH_PORT. `--concurrency` client threads then log in as a
person does, each login a different reviewer (a TOTP code is accepted once per 30-second
step, so one account cannot log in again and again): GET the login page, POST the password
(Argon2id checks it), POST the code from the authenticator (computed here from the key, RFC
6238, independently of django-otp). A login's time is the two POSTs, the wait a person
sees after pressing 「登入」 and 「驗證」; each step is also reported on its own. The clients
share the machine's two cores with gunicorn and PostgreSQL.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, PYTHON, ROOT, drop_database, env, fresh_database

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8124"))
PASSWORD = "bench-password-2022"
# One authenticator key for every bench account (hex, as django-otp stores it).
KEY_HEX = "3132333435363738393031323334353637383930"
SETUP = r"""
import sys
import django; django.setup()
from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice
from portal.models import Role, User
count, password, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
encoded = make_password(password)  # one Argon2id hash (its own salt) for every account
users = User.objects.bulk_create(
    [User(username=f"bench_moe_{n:04d}", role=Role.MOE, password=encoded) for n in range(count)]
)
TOTPDevice.objects.bulk_create([TOTPDevice(user=u, name="bench", key=key, confirmed=True) for u in users])
print(len(users))
"""


def totp(key_hex: str, at: float, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1), as an authenticator app computes it."""
    counter = struct.pack(">Q", int(at // step))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def _post(conn, path: str, fields: dict, jar: dict):
    body = urllib.parse.urlencode(fields)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Referer": f"http://{HOST}:{PORT}{path}",
    }
    conn.request("POST", path, body, headers)
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    return response


def log_in(username: str) -> tuple[float, float]:
    """One login as a person does it; (password step, code step) in seconds."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    jar: dict = {}
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    started = time.perf_counter()
    response = _post(conn, "/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}, jar)
    password_done = time.perf_counter()
    if response.status != 302:
        raise RuntimeError(f"{username}: password step answered {response.status}")
    # The code page's form token (the session is new after the password step).
    conn.request("GET", "/login/code/", headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    code_started = time.perf_counter()
    response = _post(conn, "/login/code/", {"code": totp(KEY_HEX, time.time()), "csrfmiddlewaretoken": token}, jar)
    code_done = time.perf_counter()
    if response.status != 302 or "/login/" in (response.getheader("Location") or ""):
        raise RuntimeError(f"{username}: code step answered {response.status} {response.getheader('Location')}")
    conn.close()
    return password_done - started, code_done - code_started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(concurrency: int, usernames: list[str]) -> tuple[list[tuple[float, float]], list[str]]:
    results: list[tuple[float, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(reversed(usernames))

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                username = queue.pop()
            try:
                timing = log_in(username)
            except Exception as exc:  # counted and reported, never hidden
                with lock:
                    errors.append(str(exc))
                continue
            with lock:
                results.append(timing)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--logins", type=int, default=400, help="logins measured (each a different account)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    url = fresh_database()
    total = args.logins + args.warmup
    subprocess.run(
        [PYTHON, "-c", SETUP, str(total), PASSWORD, KEY_HEX],
        cwd=ROOT,
        env=env(url, DJANGO_SETTINGS_MODULE="portal.settings"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
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
        # Every bench login comes from 127.0.0.1: the per-address throttle counts failures only,
        # but a broken run must not lock the rest out.
        THROTTLE_LOGIN_FAILURES_PER_ADDRESS="100000",
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
        names = [f"bench_moe_{n:04d}" for n in range(total)]
        run(args.concurrency, names[: args.warmup])
        started = time.perf_counter()
        results, errors = run(args.concurrency, names[args.warmup :])
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
        drop_database()

    if errors:
        raise SystemExit(f"{len(errors)} logins failed, e.g. {errors[:3]}")
    steps = {
        "login (password + code)": [a + b for a, b in results],
        "password step (POST /login/)": [a for a, _ in results],
        "code step (POST /login/code/)": [b for _, b in results],
    }
    figures = {
        name: {
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": percentile(values, 95) * 1000,
            "p99_ms": percentile(values, 99) * 1000,
            "n": len(values),
        }
        for name, values in steps.items()
    }
    lines = [
        f"{args.concurrency} concurrent logins, {len(results)} logins in {elapsed:.1f} s "
        f"({len(results) / elapsed:.1f}/s); gunicorn {args.workers} sync workers; target p95 < 300 ms",
        "",
        "| step | p50 | p95 | p99 | n |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, f in figures.items():
        lines.append(f"| {name} | {f['p50_ms']:.0f} ms | {f['p95_ms']:.0f} ms | {f['p99_ms']:.0f} ms | {f['n']} |")
    (OUT / "login.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
