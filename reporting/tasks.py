"""Celery tasks take a job's id; the job row carries everything else, progress included."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from reporting.models import ExportJob
from reporting.services import (
    export_job_fail,
    export_job_finish,
    export_job_render,
    export_jobs_delete_old_files,
)

logger = logging.getLogger(__name__)
# Errors worth another try: the database or the file store was briefly unreachable.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class _ExportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Whatever escaped the task: a transient error whose retries are used up, or a bug.
        if not args:
            return
        if isinstance(exc, TRANSIENT):
            reason = f"系統暫時無法產製（{exc.__class__.__name__}），已重試 {self.max_retries} 次，請稍後再試"
        else:
            reason = f"產製失敗：{exc.__class__.__name__}：{exc}"[:500]
        export_job_fail(job_id=args[0], reason=reason)


@shared_task(
    base=_ExportTask,
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_jitter=True,
    max_retries=3,
)
def render_export(self, job_id: int) -> str:
    # Claim the job under a row lock: a redelivered message (acks_late) finds it running or done.
    with transaction.atomic():
        job = (
            # Lock the job's row only: PostgreSQL refuses FOR UPDATE across the nullable joins.
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("plan__county", "plan__plan_year", "plan_year", "county", "submission")
            .get(pk=job_id)
        )
        if job.status == ExportJob.Status.DONE:
            return "already done"
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["status", "started_at", "attempts", "error"])
    try:
        content, filename = export_job_render(job)
    except TRANSIENT:
        raise
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        export_job_fail(job_id=job_id, reason=f"產製失敗：{exc.__class__.__name__}：{exc}"[:500])
        return "failed"
    export_job_finish(job=job, content=content, filename=filename)
    return "done"


@shared_task
def delete_old_export_files() -> int:
    return export_jobs_delete_old_files()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=60, max_retries=3)
def send_report_reminders() -> int:
    """Celery beat, daily: reminder e-mails for monthly reports (and usage) due within the lead days."""
    from reporting.monthly import reminders_send

    return reminders_send()
