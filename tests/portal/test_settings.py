"""Settings come from the environment and a bad value stops the process loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.DEBUG, "
    "settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.AUTH_USER_MODEL)"
)


def settings_with(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_VAR_DIR="/tmp/portal-settings-test")
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_defaults_are_sqlite_and_eager_celery_in_debug():
    done = settings_with(DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "True",
        "zh-hant",
        "Asia/Taipei",
        "portal.User",
    ]


def test_redis_and_postgres_from_the_environment():
    done = settings_with(
        DEBUG="0",
        SECRET_KEY="settings-test-" + "0123456789abcdef" * 3,
        DATABASE_URL="postgres://u@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["django.db.backends.postgresql", "False", "False"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "0", "SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        # Django's deploy check warns below 50 characters or 5 distinct ones: refused here.
        ({"DEBUG": "0", "SECRET_KEY": "k" * 20 + "-only-forty-nine-chars-" + "z" * 6}, "SECRET_KEY is too short"),
        ({"DEBUG": "0", "SECRET_KEY": "abcd" * 20}, "SECRET_KEY is too short or too simple"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "1", "DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must be postgres:// or sqlite://"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL='nonsense' cannot be used"),
        ({"DEBUG": "1", "REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' must start with redis://"),
        ({"DEBUG": "1", "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is set but lists nothing"),
        ({"DEBUG": "1", "DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE='forever' is not an integer"),
    ],
)
def test_bad_values_fail_loudly(env, message):
    done = settings_with(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and message in done.stderr


def test_production_settings_pass_the_deploy_check():
    ignored = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(
        DEBUG="0",
        SECRET_KEY="p" * 20 + "-production-secret-" + "q" * 20,
        ALLOWED_HOSTS="portal.example.tw",
        PORTAL_VAR_DIR="/tmp/portal-settings-test",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


PROXY = (
    "import django; from django.conf import settings; django.setup(); "
    "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), settings.AXES_IPWARE_META_PRECEDENCE_ORDER[0])"
)


@pytest.mark.parametrize(
    ("count", "header", "address"),
    [("0", "None", "REMOTE_ADDR"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')", "HTTP_X_FORWARDED_FOR")],
)
def test_forwarded_headers_are_believed_only_behind_our_proxy(count, header, address):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="proxy-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        PROXY_COUNT=count,
        PORTAL_VAR_DIR="/tmp/portal-settings-test",
    )
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    done = subprocess.run([sys.executable, "-c", PROXY], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{header} {address}"


def test_the_production_shape_publishes_only_the_tls_proxy():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["proxy"]["image"].startswith("caddy") and "443:443" in services["proxy"]["ports"]
    assert "ports" not in services["web"] and "healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["environment"]["PROXY_COUNT"] == "1" and "portal-backups" in compose["volumes"]
    caddyfile = (ROOT / "docker" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile and "tls {$PORTAL_TLS:internal}" in caddyfile
