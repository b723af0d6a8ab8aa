"""系統與資訊完整性: headers on every page, no inline script or style, deploy checks,
seed_demo only in development, one line for a 403."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory

from tests.conftest import client_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"<style[\s>]", re.IGNORECASE), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on* event attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
]


def inline_content(html: str) -> list[str]:
    """What in a page a strict Content-Security-Policy would block."""
    return [what for pattern, what in INLINE if pattern.search(html)]


def test_the_inline_check_finds_what_it_must():
    assert inline_content("<script>alert(1)</script>") == ["an inline <script>"]
    assert inline_content('<p style="color:red">') == ["a style attribute"]
    assert inline_content('<form onsubmit="x()">') == ["an on* event attribute"]
    assert inline_content('<script src="/static/js/portal.js" defer></script>') == []


def test_every_page_sends_the_security_headers(officer_a):
    response = client_for(officer_a).get("/")
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    login = Client().get("/login/")
    assert "Content-Security-Policy" in login and not inline_content(login.content.decode())


def test_the_500_page_has_no_inline_style():
    assert not inline_content((ROOT / "templates" / "500.html").read_text())


def test_seed_demo_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="只能在開發模式"):
        call_command("seed_demo")


def test_seed_demo_prints_the_second_factor_of_the_demo_moe_and_admin(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "otpauth://totp/" in out and "totp_code moe" in out
    call_command("totp_code", "moe")
    assert re.fullmatch(r"\d{6}\n", capsys.readouterr().out)
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("totp_code", "moe")


def test_a_403_logs_one_line_not_a_traceback(officer_a, caplog):
    from portal.logfilters import OneLineDenials

    handler_output = []

    class Keep(logging.Handler):
        def emit(self, record):
            handler_output.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("django.request")
    assert any(isinstance(f, OneLineDenials) for f in logger.filters)
    logger.addHandler(handler)
    try:
        response = client_for(officer_a).get("/plans/review/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    denied = [line for line in handler_output if "Forbidden" in line]
    assert len(denied) == 1 and "\n" not in denied[0] and "Traceback" not in denied[0]


def test_other_errors_keep_their_traceback():
    from portal.logfilters import OneLineDenials

    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    record.status_code = 500
    OneLineDenials().filter(record)
    assert record.exc_info is not None


def test_deploy_checks_are_clean_and_a_short_key_is_refused():
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    base.update(DEBUG="0", ALLOWED_HOSTS="portal.example.tw", PORTAL_VAR_DIR="/tmp/portal-settings-test")
    for key, ok in (("k" * 20 + "-a-fifty-character-key-" + "z" * 10, True), ("x" * 49, False), ("aaaaa" * 12, False)):
        done = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env={**base, "SECRET_KEY": key},
            capture_output=True,
            text=True,
        )
        assert (done.returncode == 0) is ok, (key, done.stdout + done.stderr)
        if not ok:
            assert "SECRET_KEY is too short or too simple" in done.stderr


def test_request_factory_pages_without_a_session_still_render():
    # The session-timeout box reads the request; a request without the middleware has none.
    from django.template.loader import render_to_string

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert "session-timeout" not in render_to_string("registration/login.html", {"form": None}, request=request)
