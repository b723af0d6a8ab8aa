"""Export jobs through the pages: ask, follow the progress, download; failures say why."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from budget.services import plan_for, plan_submit
from reporting.models import ExportJob
from reporting.services import export_job_request, export_jobs_delete_old_files
from reporting.tasks import render_export
from tests.conftest import client_for, fill_narrative, load_roster, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(plan_year, county_a, officer_a):
    load_roster(plan_year, [record(), record(code="154602")], user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    return plan


def ask(client, **data):
    return client.post(reverse("export_request"), {"year": 111, **data})


def test_a_county_asks_for_the_plan_pdf_and_downloads_it(plan, officer_a, django_capture_on_commit_callbacks):
    client = client_for(officer_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ask(client, kind="plan_pdf", county=plan.county.code, draft="1")
    assert len(callbacks) == 1  # queued after the commit, with the job's id only
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_detail", args=[job.pk])
    assert (job.status, job.progress, job.requested_by, job.submission) == ("done", 100, officer_a, None)
    status = client.get(reverse("export_status", args=[job.pk])).content.decode()
    assert "下載 111年花蓮縣國民中小學實施計畫_草稿.pdf" in status and "hx-trigger" not in status
    download = client.get(reverse("export_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "我的文件" in client.get(reverse("export_list")).content.decode()


def test_a_submitted_plan_renders_its_submission(plan, officer_a, reviewer, django_capture_on_commit_callbacks):
    submission = plan_submit(plan=plan, user=officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client_for(reviewer), kind="plan_xlsx", county=plan.county.code)
    job = ExportJob.objects.get()
    assert job.submission == submission and job.status == "done"
    workbook = openpyxl.load_workbook(io.BytesIO(job.file.read()))
    assert "第 1 次送審版本" in workbook["經費需求"]["A2"].value


def test_a_running_job_keeps_asking_for_its_progress(plan, officer_a):
    job = export_job_request(user=officer_a, kind="plan_pdf", plan_year=plan.plan_year, county=plan.county, plan=plan)
    page = client_for(officer_a).get(reverse("export_detail", args=[job.pk])).content.decode()
    assert "排隊中" in page and 'hx-trigger="every 1s"' in page and "htmx.min.js" in page


def test_a_failed_job_says_why(plan, officer_a, monkeypatch):
    job = export_job_request(user=officer_a, kind="plan_pdf", plan_year=plan.plan_year, county=plan.county, plan=plan)

    def broken(*args, **kwargs):
        raise ValueError("字型檔遺失")

    monkeypatch.setattr("reporting.services.plan_pdf", broken)
    assert render_export(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "產製失敗：ValueError：字型檔遺失"
    page = client_for(officer_a).get(reverse("export_detail", args=[job.pk])).content.decode()
    assert "產製失敗：ValueError：字型檔遺失" in page
    assert client_for(officer_a).get(reverse("export_download", args=[job.pk])).status_code == 404


def test_transient_errors_are_retried_then_reported(plan, officer_a, monkeypatch):
    from django.db import OperationalError

    job = export_job_request(user=officer_a, kind="plan_xlsx", plan_year=plan.plan_year, county=plan.county, plan=plan)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("reporting.services.plan_xlsx", flaky)
    # Eagerly, through Celery's own retry machinery (each retry is applied again in place).
    conf = render_export.app.conf
    conf.task_eager_propagates = False
    try:
        result = render_export.apply(args=[job.pk])
    finally:
        conf.task_eager_propagates = True
    assert len(calls) == 4  # the first try and 3 retries
    assert result.failed()
    job.refresh_from_db()
    assert job.status == "failed" and "已重試 3 次" in job.error and job.attempts == 4


def test_a_job_done_is_not_rendered_again(plan, officer_a, monkeypatch):
    job = export_job_request(user=officer_a, kind="plan_xlsx", plan_year=plan.plan_year, county=plan.county, plan=plan)
    render_export(job.pk)
    monkeypatch.setattr("reporting.services.plan_xlsx", lambda *a, **k: pytest.fail("rendered twice"))
    assert render_export(job.pk) == "nothing to do"


def test_old_files_are_deleted_and_the_record_kept(plan, officer_a):
    job = export_job_request(user=officer_a, kind="plan_xlsx", plan_year=plan.plan_year, county=plan.county, plan=plan)
    render_export(job.pk)
    job.refresh_from_db()
    path = job.file.path
    assert export_jobs_delete_old_files() == 0
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert export_jobs_delete_old_files() == 1
    job.refresh_from_db()
    import os

    assert not job.file and not os.path.exists(path) and job.status == "done"
    assert client_for(officer_a).get(reverse("export_download", args=[job.pk])).status_code == 404


def test_who_may_ask_for_what(school_user_a, plan, officer_a, officer_b, reviewer):
    assert ask(client_for(school_user_a), kind="roster_xlsx").status_code == 403
    # Another county's plan: not found, and nothing queued.
    assert ask(client_for(officer_b), kind="plan_pdf", county=plan.county.code).status_code == 404
    # A county officer's roster workbook is their county, whatever they ask for.
    ask(client_for(officer_b), kind="roster_xlsx")
    assert ExportJob.objects.get().county == officer_b.county
    ask(client_for(reviewer), kind="roster_xlsx")
    assert ExportJob.objects.filter(requested_by=reviewer).get().county is None  # national


def test_the_national_roster_workbook(plan_year, reviewer, county_a_records, county_b_records):
    load_roster(plan_year, county_a_records)
    load_roster(plan_year, county_b_records, county_label="臺東縣")
    job = export_job_request(user=reviewer, kind="roster_xlsx", plan_year=plan_year)
    render_export(job.pk)
    job.refresh_from_db()
    sheet = openpyxl.load_workbook(io.BytesIO(job.file.read())).active
    assert sheet["A2"].value == "111年全國國民中小學名單"
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert len(rows) == len(county_a_records) + len(county_b_records)
