"""稽核事件 and 稽核紀錄內容: the security log's entries, its hash chain, retention, the
review page and its export, downloads, admin-site changes, and its cost per request."""

import io
import itertools
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import SecurityEvent, SecurityLogHead
from portal.security import Kind, purge_older_than, seal_pending, security_event, verify_chain
from tests.accounts.conftest import log_in
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def some_events(n=5):
    for i in range(n):
        security_event(Kind.LOGIN_FAILED, username=f"user{i}", outcome="failure", detail=f"#{i}")


def test_an_entry_says_who_when_where_what_and_the_outcome(officer_a):
    log_in(Client(REMOTE_ADDR="198.51.100.7"), "officer_a", "wrong")
    event = SecurityEvent.objects.get()
    assert event.username == "officer_a" and event.address == "198.51.100.7"
    assert event.get_kind_display() == "登入失敗" and event.get_outcome_display() == "失敗"
    assert abs((timezone.now() - event.at).total_seconds()) < 60
    assert event.path == "/login/"


def test_entries_cannot_be_changed_through_the_portal(officer_a):
    from django.contrib import admin

    some_events(1)
    event = SecurityEvent.objects.get()
    event.detail = "changed"
    with pytest.raises(ValueError, match="不可修改"):
        event.save()
    assert SecurityEvent not in admin.site._registry


def test_the_chain_is_whole_after_sealing():
    some_events(7)
    assert seal_pending() == 7
    report = verify_chain()
    assert report.ok and report.checked == 7 and (report.first_seq, report.last_seq) == (1, 7)
    events = list(SecurityEvent.objects.order_by("seq"))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    some_events(2)
    assert seal_pending() == 2 and verify_chain().ok and SecurityLogHead.objects.get().last_seq == 9


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (lambda: SecurityEvent.objects.filter(seq=3).update(detail="nothing happened"), "#3 的內容與雜湊不符"),
        (lambda: SecurityEvent.objects.filter(seq=3).update(username="someone_else"), "#3 的內容與雜湊不符"),
        (
            lambda: SecurityEvent.objects.filter(seq=3).update(at=timezone.now() - timedelta(days=3)),
            "#3 的內容與雜湊不符",
        ),
        (lambda: SecurityEvent.objects.filter(seq=3).delete(), "不見了"),
        (lambda: SecurityEvent.objects.filter(seq__gte=4).delete(), "最後幾筆被刪除"),
        (
            lambda: (
                SecurityEvent.objects.filter(seq__gte=3).update(seq=models_F("seq") + 100)
                or SecurityEvent.objects.create(
                    kind="login", username="forged", seq=3, prev_hash="0" * 64, hash="0" * 64
                )
            ),
            "#3",
        ),
    ],
)
def test_tampering_breaks_the_chain_and_the_command_says_where(tamper, says):
    some_events(5)
    seal_pending()
    tamper()
    report = verify_chain()
    assert not report.ok and any(says in problem for problem in report.problems), report.problems
    with pytest.raises(CommandError, match="雜湊鏈不完整"):
        call_command("verify_audit_log")


def models_F(name):
    from django.db.models import F

    return F(name)


def test_the_command_reports_a_whole_chain(capsys):
    some_events(3)
    call_command("verify_audit_log", "--seal")
    out = capsys.readouterr().out
    assert "已封存 3 筆" in out and "雜湊鏈完整：已驗證 3 筆 #1–#3" in out


def test_the_command_exits_1_as_a_process_when_the_chain_is_broken(migrated_sqlite):
    script = (
        "import django; django.setup();"
        "from portal.security import security_event, seal_pending;"
        "from portal.models import SecurityEvent;"
        "[security_event('login', username=f'u{i}') for i in range(3)]; seal_pending();"
        "SecurityEvent.objects.filter(seq=2).update(target='x')"
    )
    env = {**migrated_sqlite, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1 and "#2 的內容與雜湊不符" in done.stderr


def test_retention_purges_old_entries_and_the_chain_still_verifies(settings):
    settings.SECURITY_LOG_RETENTION_DAYS = 365
    some_events(4)
    seal_pending()
    SecurityEvent.objects.filter(seq__lte=2).update(at=timezone.now() - timedelta(days=400))
    # Moving `at` changed those entries: reseal them as they would have been.
    _reseal()
    assert verify_chain().ok
    assert purge_older_than() == 2
    assert not SecurityEvent.objects.filter(seq__lte=2).exists()
    seal_pending()
    report = verify_chain()
    assert report.ok and report.first_seq == 3, report.problems
    purge = SecurityEvent.objects.get(kind="log_purged")
    assert "刪除 2 筆" in purge.detail


def _reseal():
    from portal.security import entry_hash

    prev = ""
    for event in SecurityEvent.objects.order_by("seq"):
        event.prev_hash = prev
        event.hash = prev = entry_hash(event, prev)
        SecurityEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
    SecurityLogHead.objects.filter(pk=1).update(last_hash=prev)


def test_the_beat_schedule_seals_and_purges(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "portal.tasks.seal_security_log",
        "portal.tasks.purge_security_log",
        "accounts.tasks.disable_idle_and_expired_accounts",
    } <= tasks
    from portal.tasks import seal_security_log

    some_events(2)
    assert seal_security_log() == 2


def test_only_admins_review_the_log(officer_a, reviewer, school_user_a, admin_user):
    for user in (officer_a, reviewer, school_user_a):
        assert client_for(user).get(reverse("security_log")).status_code == 403
        assert client_for(user).get(reverse("security_log_export")).status_code == 403
    assert client_for(admin_user).get(reverse("security_log")).status_code == 200


def test_the_review_page_filters_and_exports(admin_user, officer_a):
    log_in(Client(REMOTE_ADDR="203.0.113.5"), "officer_a", "wrong")
    log_in(Client(REMOTE_ADDR="203.0.113.6"), "officer_a")
    client = client_for(admin_user)
    page = client.get(reverse("security_log"), {"kind": "login_failed"}).content.decode()
    assert "203.0.113.5" in page and "203.0.113.6" not in page
    page = client.get(reverse("security_log"), {"address": "203.0.113.6"}).content.decode()
    assert "203.0.113.6" in page and "203.0.113.5" not in page
    today = timezone.localdate()
    page = client.get(reverse("security_log"), {"since": (today + timedelta(days=1)).isoformat()}).content.decode()
    assert "203.0.113" not in page
    bad = client.get(reverse("security_log"), {"since": "2023-01-02", "until": "2023-01-01"})
    assert bad.status_code == 200 and "起日不可晚於迄日" in bad.content.decode()
    export = client.get(reverse("security_log_export"), {"username": "officer_a"})
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("時間（臺北）", "事件", "結果", "帳號", "來源位址")
    assert {row[1] for row in rows[1:]} == {"登入失敗", "登入成功"}
    # The time is Taipei's (UTC+8) in ROC years.
    event = SecurityEvent.objects.filter(username="officer_a").latest("pk")
    local = timezone.localtime(event.at)
    assert any(row[0].endswith(f"{local:%H:%M:%S}") and row[0].startswith(f"{local.year - 1911}年") for row in rows[1:])


def test_every_download_is_logged(officer_a, plan_year, county_a):
    from budget.services import plan_for
    from reporting.models import ExportJob
    from reporting.services import export_job_request
    from reporting.tasks import render_export
    from tests.training.factories import make_record

    plan = plan_for(county=county_a, plan_year=plan_year)
    job = export_job_request(
        user=officer_a, kind=ExportJob.Kind.PLAN_XLSX, plan_year=plan_year, county=county_a, plan=plan
    )
    render_export(job.pk)
    client = client_for(officer_a)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 200
    meeting = make_record("meetings", plan_year=plan_year, county=county_a, school=None)
    assert client.get(reverse("training_meeting_minutes", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("roster_export")).status_code == 200
    downloads = SecurityEvent.objects.filter(kind="download").order_by("pk")
    assert [e.username for e in downloads] == ["officer_a"] * 3
    assert downloads[0].target == "111年花蓮縣國民中小學實施計畫_草稿.xlsx" and downloads[0].detail == "export_download"
    assert downloads[1].target == "紀錄.pdf"
    assert downloads[2].detail == "roster_export"
    # A refused download is no download.
    assert client_for(None).get(reverse("roster_export")).status_code == 302
    assert SecurityEvent.objects.filter(kind="download").count() == 3


def test_admin_site_changes_are_logged_one_by_one_and_in_bulk(admin_user, county_a):
    from schools.models import School

    client = client_for(admin_user)
    school = School.objects.create(code="154698", name="花蓮縣立甲國小", county=county_a, ownership="縣立")
    response = client.post(
        reverse("admin:schools_school_change", args=[school.pk]),
        {"code": "154698", "name": "花蓮縣立乙國小", "county": county_a.pk, "ownership": "縣立"},
    )
    assert response.status_code in (200, 302)
    assert LogEntry.objects.exists() or response.status_code == 200
    others = [
        School.objects.create(code=f"15469{i}", name=f"花蓮縣立刪除{i}國小", county=county_a, ownership="縣立")
        for i in range(2)
    ]
    client.post(
        reverse("admin:schools_school_changelist"),
        {"action": "delete_selected", "_selected_action": [s.pk for s in others], "post": "yes"},
    )
    events = SecurityEvent.objects.filter(kind="admin_change").order_by("pk")
    assert events.filter(detail__contains="刪除").exists()
    bulk = events.filter(target__contains="2 筆").get()
    assert "花蓮縣立刪除0國小" in bulk.detail and bulk.username == "admin"


def test_the_log_costs_a_request_at_most_one_query(officer_a, settings):
    settings.AXES_FAILURE_LIMIT = 2

    def log_queries(do):
        with CaptureQueriesContext(connection) as queries:
            do()
        return [q["sql"] for q in queries.captured_queries if "portal_securityevent" in q["sql"]]

    client = Client(REMOTE_ADDR="192.0.2.200")
    # A failure, then the failure that locks out: two entries, one INSERT.
    assert len(log_queries(lambda: log_in(client, "officer_a", "wrong"))) == 1
    assert len(log_queries(lambda: log_in(client, "officer_a", "wrong"))) == 1
    assert set(SecurityEvent.objects.values_list("kind", flat=True)) >= {"login_failed", "lockout"}
    ok = Client()
    assert len(log_queries(lambda: log_in(ok, "officer_a"))) == 1
    assert log_queries(lambda: ok.get("/")) == []  # a page that records nothing costs nothing
    assert len(log_queries(lambda: ok.get(reverse("roster_export")))) == 1
    assert len(log_queries(lambda: ok.post(reverse("logout")))) == 1


def test_a_log_that_cannot_be_written_does_not_break_the_answer(officer_a, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database full")

    monkeypatch.setattr(SecurityEvent.objects, "bulk_create", broken)
    client = Client()
    assert log_in(client, "officer_a").status_code == 302
    assert client.get(reverse("roster_export")).status_code == 200
    assert any("could not be written" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
