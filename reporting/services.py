"""Export jobs: asked for on a page, rendered by a Celery worker, downloaded when done.

Services queue the Celery task (imported here); reporting.tasks imports these services inside
each task, so that the two modules do not import each other at load time."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from budget.models import CountyPlan, PlanSubmission
from portal.models import User
from reporting.models import ExportJob
from reporting.rendering import plan_document, plan_pdf, plan_xlsx, results_pdf, results_title
from reporting.tasks import render_export
from schools.models import County, PlanYear
from schools.selectors import roster_export_workbook

logger = logging.getLogger(__name__)
XLSX = "xlsx"


@transaction.atomic
def export_job_request(
    *,
    user: User,
    kind: str,
    plan_year: PlanYear,
    county: County | None = None,
    plan: CountyPlan | None = None,
    submission: PlanSubmission | None = None,
) -> ExportJob:
    """Record the request; the worker gets the job's id once the row is committed."""
    job = ExportJob.objects.create(
        kind=kind, requested_by=user, plan_year=plan_year, county=county, plan=plan, submission=submission
    )
    transaction.on_commit(lambda: export_job_queue(job_id=job.pk))
    return job


BROKER_AWAY = "排程服務暫時無法使用，恢復後會自動產製"


def export_job_queue(*, job_id: int) -> bool:
    """Hand the job to the worker. The broker being away loses nothing: the row says so and
    reporting.tasks.requeue_export_jobs sends it once the broker answers again."""
    try:
        render_export.delay(job_id)
    except Exception:
        logger.warning("export job %s could not be queued: the broker is away", job_id, exc_info=True)
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(progress_note=BROKER_AWAY)
        return False
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED, progress_note=BROKER_AWAY).update(
        progress_note=""
    )
    return True


def export_job_progress(job_id: int, percent: int, note: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=min(100, max(0, percent)), progress_note=note[:100])


def export_job_render(job: ExportJob) -> tuple[bytes, str]:
    """The document's bytes and file name (the same code `manage.py render_plan` runs)."""

    def progress(percent: int, note: str) -> None:
        export_job_progress(job.pk, percent, note)

    if job.kind == ExportJob.Kind.ROSTER_XLSX:
        progress(20, "讀取名單")
        content, _count = roster_export_workbook(plan_year=job.plan_year, county=job.county, user=None)
        label = job.county.name if job.county else "全國"
        return content, f"{job.plan_year.year}年{label}國民中小學名單.{XLSX}"
    if job.kind == ExportJob.Kind.RESULTS_PDF:
        return results_pdf(job.plan_year, job.county, progress), f"{results_title(job.plan_year, job.county)}.pdf"
    progress(10, "讀取計畫資料")
    document = plan_document(job.plan, job.submission)
    if job.kind == ExportJob.Kind.PLAN_PDF:
        return plan_pdf(document, progress), document.filename("pdf")
    return plan_xlsx(document, progress), document.filename(XLSX)


def worker_identity() -> str:
    """Who runs an attempt: the host and the process (a prefork child)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _attempt_alive(claimed_by: str) -> bool:
    """Whether the process that claimed an attempt still runs. Only a process on this host can
    be asked; one on another host is taken as alive (the reaper sends its job again once it is
    past the time limit, as a new message, so a dead one still ends counted)."""
    host, _, pid = claimed_by.rpartition(":")
    if not host or not pid.isdigit():
        return False
    if host != socket.gethostname():
        return True
    if int(pid) == os.getpid():
        return False  # this very process is free again: its earlier attempt is over
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def export_job_claim(*, job_id: int, task_id: str = "") -> ExportJob | None:
    """QUEUED -> RUNNING under the row's lock, once per attempt. None when there is nothing to
    do: the job is finished or cancelled, or its attempts are spent (a job that always kills its
    worker ends FAILED with that reason).

    A message comes again for a RUNNING job when the attempt that held it is dead: its worker
    was killed (acks_late + reject_on_worker_lost hand the message back at once), the broker's
    visibility timeout (twice the hard time limit) passed, or the reaper found the job past the
    hard time limit. That is claimed again, as a new attempt. But the broker may also hand the
    same message out twice while its attempt still runs (the worker's connection to Redis
    dropped: the unacked message is restored to the queue): `task_id` is the message's id, kept
    on the job with the process that claimed it, and a second delivery of the message whose
    claimant is alive is no attempt (None; the running attempt finishes the job). Should two
    attempts ever overlap, only the latest one's file is kept (export_job_finish)."""
    with transaction.atomic():
        job = (
            # Lock the job's row only: PostgreSQL refuses FOR UPDATE across the nullable joins.
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("plan__county", "plan__plan_year", "plan_year", "county", "submission")
            .get(pk=job_id)
        )
        if job.is_finished:
            return None
        if (
            task_id
            and job.status == ExportJob.Status.RUNNING
            and job.task_id == task_id
            and _attempt_alive(job.claimed_by)
        ):
            logger.info("export job %s: message %s delivered again while its attempt runs", job_id, task_id)
            return None
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            job.status = ExportJob.Status.FAILED
            job.error = (
                f"產製時工作程序已中斷 {job.attempts} 次（可能是檔案過大或系統資源不足），系統已停止重試；"
                "請稍後再試，或聯絡系統管理者"
            )
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            return None
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.task_id = task_id[:155]
        job.claimed_by = worker_identity()[:200]
        job.error = ""
        job.progress_note = ""
        job.save(update_fields=["status", "started_at", "attempts", "task_id", "claimed_by", "error", "progress_note"])
    return job


def export_job_finish(*, job: ExportJob, content: bytes, filename: str) -> None:
    """Store the file, unless the job was cancelled (or reaped) meanwhile."""
    name = f"job-{job.pk}.{filename.rsplit('.', 1)[-1]}"
    stored = job.file.storage.save(f"exports/{timezone.now():%Y/%m}/{name}", ContentFile(content))
    done = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=job.attempts).update(
        file=stored,
        filename=filename,
        status=ExportJob.Status.DONE,
        progress=100,
        progress_note="完成",
        error="",
        finished_at=timezone.now(),
    )
    if not done:
        job.file.storage.delete(stored)


def export_job_fail(*, job_id: int, reason: str) -> None:
    ExportJob.objects.filter(pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).update(
        status=ExportJob.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def export_job_cancel(*, job: ExportJob, user: User) -> bool:
    """The requester gives up on a job that has not finished; a worker running it drops its file."""
    return bool(
        ExportJob.objects.filter(pk=job.pk, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).update(
            status=ExportJob.Status.CANCELLED,
            error=f"已由 {user.get_full_name() or user.username} 取消",
            finished_at=timezone.now(),
        )
    )


def export_jobs_requeue(*, queued_minutes: int = 5) -> dict:
    """What a lost message or a dead worker left behind: jobs still QUEUED after a while are sent
    again (the broker was away, or the message was lost); jobs RUNNING past the time limit are
    sent again or, their attempts spent, failed with the reason."""
    now = timezone.now()
    counts = {"queued": 0, "overdue": 0}
    waiting = ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, created_at__lt=now - timedelta(minutes=queued_minutes)
    )
    for job_id in waiting.values_list("pk", flat=True):
        counts["queued"] += export_job_queue(job_id=job_id)
    limit = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    overdue = ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=limit)
    for job_id in overdue.values_list("pk", flat=True):
        counts["overdue"] += export_job_queue(job_id=job_id)
    return counts


def export_jobs_delete_old_files(*, older_than_days: int | None = None) -> int:
    """Files of jobs finished long ago are deleted; the rows stay as the record of who asked."""
    days = settings.EXPORT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    count = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        job.save(update_fields=["file"])
        count += 1
    return count
