"""PostgreSQL away: pages answer a Chinese 503 page (not a traceback, not a 500), commands
say the database cannot be reached (not "run migrate"), with exit status 1."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_a_page_answers_503_in_chinese_when_the_database_is_away(officer_a, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(officer_a)

    def away(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", away)
    response = client.get(reverse("roster_list"))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    text = response.content.decode()
    assert "系統暫時無法使用" in text and "沒有任何資料遺失" in text and "Traceback" not in text


def test_another_error_is_still_a_500(officer_a, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(officer_a)
    monkeypatch.setattr("schools.views.roster_list_rows", lambda **kwargs: 1 / 0)
    response = client.get(reverse("roster_list"))
    assert response.status_code == 500 and "系統發生錯誤" in response.content.decode()


@pytest.mark.parametrize(
    "command",
    [["import_roster", "x.xlsx"], ["export_roster", "--out", "x.xlsx"], ["showmigrations"], ["estimate", "x.xlsx"]],
)
def test_a_command_says_the_database_cannot_be_reached(command, tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
            "PORTAL_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "無法連線到資料庫" in done.stderr and "migrate" not in done.stderr and "Traceback" not in done.stderr


def test_a_command_on_a_database_without_tables_says_migrate(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "export_roster", "--out", "x.xlsx"],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            "PORTAL_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        done.returncode == 1 and "請先執行 python manage.py migrate" in done.stderr and "Traceback" not in done.stderr
    )
