"""Export jobs on a bad day: a worker that dies, a job that always kills its worker, a lost
message, a user who gives up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reporting.models import ExportJob
from reporting.services import export_job_claim, export_job_request, export_jobs_requeue
from reporting.tasks import render_export
from tests.conftest import ROOT, client_for, load_roster, record


def ask(user, plan_year) -> ExportJob:
    return export_job_request(user=user, kind=ExportJob.Kind.ROSTER_XLSX, plan_year=plan_year, county=user.county)


@pytest.mark.django_db
def test_a_job_that_keeps_killing_its_worker_ends_failed_with_the_reason(plan_year, officer_a):
    job = ask(officer_a, plan_year)
    for _ in range(settings.EXPORT_MAX_ATTEMPTS):
        assert export_job_claim(job_id=job.pk) is not None  # the worker died each time
    assert render_export(job.pk) == "nothing to do"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and f"已中斷 {settings.EXPORT_MAX_ATTEMPTS} 次" in job.error
    page = client_for(officer_a).get(reverse("export_detail", args=[job.pk])).content.decode()
    assert "已中斷" in page and "hx-trigger" not in page


@pytest.mark.django_db
def test_a_job_running_past_its_time_limit_is_sent_again_by_the_reaper(plan_year, officer_a):
    load_roster(plan_year, [record()])
    job = ask(officer_a, plan_year)
    export_job_claim(job_id=job.pk)  # taken by a worker that then vanished
    assert export_jobs_requeue() == {"queued": 0, "overdue": 0}  # not overdue yet
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    ExportJob.objects.filter(pk=job.pk).update(started_at=long_ago)
    assert export_jobs_requeue() == {"queued": 0, "overdue": 1}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2 and job.file


@pytest.mark.django_db
def test_the_requester_cancels_a_job_and_a_late_worker_keeps_no_file(plan_year, officer_a, officer_b, monkeypatch):
    job = ask(officer_a, plan_year)
    claimed = export_job_claim(job_id=job.pk)
    assert client_for(officer_b).post(reverse("export_cancel", args=[job.pk])).status_code == 404
    page = client_for(officer_a).post(reverse("export_cancel", args=[job.pk]), follow=True).content.decode()
    assert "已取消" in page
    from reporting.services import export_job_finish

    export_job_finish(job=claimed, content=b"late", filename="x.xlsx")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.CANCELLED and not job.file
    assert client_for(officer_a).get(reverse("export_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_same_message_delivered_twice_is_not_a_second_attempt(plan_year, officer_a, monkeypatch):
    """acks_late: when the worker's connection to Redis drops, its unacked message goes back to
    the queue and is delivered again while the first attempt still runs. That is no attempt."""
    import socket

    job = ask(officer_a, plan_year)
    assert export_job_claim(job_id=job.pk, task_id="message-1") is not None
    # The first attempt runs in another live process (our parent stands in for it).
    ExportJob.objects.filter(pk=job.pk).update(claimed_by=f"{socket.gethostname()}:{os.getppid()}")
    monkeypatch.setattr("reporting.services.roster_export_workbook", lambda **k: pytest.fail("rendered twice"))
    assert render_export.apply(args=[job.pk], task_id="message-1").get() == "nothing to do"
    assert export_job_claim(job_id=job.pk, task_id="message-1") is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.task_id) == (ExportJob.Status.RUNNING, 1, "message-1")


@pytest.mark.django_db
def test_the_same_message_after_its_worker_died_is_a_new_attempt(plan_year, officer_a):
    import socket

    job = ask(officer_a, plan_year)
    export_job_claim(job_id=job.pk, task_id="message-1")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ExportJob.objects.filter(pk=job.pk).update(claimed_by=f"{socket.gethostname()}:{dead.pid}")
    assert export_job_claim(job_id=job.pk, task_id="message-1") is not None  # reject_on_worker_lost
    # Another message (the reaper's) for a job whose claimant lives is an attempt too.
    ExportJob.objects.filter(pk=job.pk).update(claimed_by=f"{socket.gethostname()}:{os.getppid()}")
    assert export_job_claim(job_id=job.pk, task_id="message-2") is not None
    job.refresh_from_db()
    assert (job.attempts, job.task_id) == (3, "message-2")


# --- A real worker, SIGKILLed in the middle of a job ------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or connection.vendor != "postgresql",
    reason="a worker process needs the broker and the test database over the network",
)
def test_a_worker_killed_mid_job_hands_the_job_to_its_successor(plan_year, officer_a, tmp_path):
    from portal.celery import app

    load_roster(plan_year, [record(code=f"{154601 + n}") for n in range(300)])
    db = connection.settings_dict
    worker_env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCD",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "prefork", "--concurrency", "1",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT, env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    app.conf.task_always_eager = False
    try:
        job = ExportJob.objects.create(
            kind=ExportJob.Kind.ROSTER_XLSX, requested_by=officer_a, plan_year=plan_year, county=officer_a.county
        )
        render_export.delay(job.pk)
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING, "the job to start")
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
        for child in children:
            os.kill(int(child), signal.SIGKILL)
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).is_finished, "the job to finish after the kill")
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE, job.error
        assert children and job.attempts == 2, (children, job.attempts)
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(30)
        connection.close()


def wait_for(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"gave up waiting for {what}")
