"""A real Celery worker renders a job end to end: queued after the commit, taken by the
worker from the broker (Redis when REDIS_URL is set, as in CI; Celery's in-memory broker
otherwise), progress on the job row, the file stored, the page offering it."""

import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from django.urls import reverse
from pypdf import PdfReader

from budget.services import plan_for
from portal.celery import app
from reporting.models import ExportJob
from tests.conftest import client_for, fill_narrative, load_roster

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _close_worker_connections(**kwargs):
    # The worker thread opens its own database connection; left open, it keeps the test
    # database busy and PostgreSQL refuses to drop it at the end of the run.
    connections.close_all()


@pytest.fixture
def worker():
    app.conf.task_always_eager = False
    task_postrun.connect(_close_worker_connections)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.conf.task_always_eager = True


def wait_for(job: ExportJob, seconds: float = 90) -> ExportJob:
    deadline = time.monotonic() + seconds
    seen = set()
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.add(job.status)
        if job.is_finished:
            return job
        time.sleep(0.2)
    pytest.fail(f"job still {job.status} after {seconds}s (seen {seen})")


def test_a_worker_renders_the_plan_pdf(worker, plan_year, county_a, county_a_records, officer_a):
    load_roster(plan_year, county_a_records, user=officer_a)
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    client = client_for(officer_a)
    response = client.post(
        reverse("export_request"), {"kind": "plan_pdf", "year": 111, "county": county_a.code, "draft": "1"}
    )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_detail", args=[job.pk])
    job = wait_for(job)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.attempts == 1 and job.progress == 100 and job.started_at <= job.finished_at
    reader = PdfReader(io.BytesIO(job.file.read()))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "六、經費需求" in text and county_a_records[-1]["code"] in text
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert reverse("export_download", args=[job.pk]) in page
