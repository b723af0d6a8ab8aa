"""Celery tasks take a job's id; the job row carries everything else, progress included.

The services queue these tasks (reporting.services imports this module), so each task imports
the services it calls inside its body (HackSoft's way out of the import cycle)."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from reporting.models import ExportJob

logger = logging.getLogger(__name__)
# Errors worth another try: the database or the file store was briefly unreachable.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class _ExportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Whatever escaped the task: a transient error whose retries are used up, or a bug.
        from reporting.services import export_job_fail

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
    # acks_late + reject_on_worker_lost (settings): a worker killed mid-job hands the message
    # back; the claim counts the attempt and refuses a job whose attempts are spent.
    from reporting.services import export_job_claim, export_job_fail, export_job_finish, export_job_render

    job = export_job_claim(job_id=job_id, task_id=self.request.id or "")
    if job is None:
        return "nothing to do"
    try:
        content, filename = export_job_render(job)
    except TRANSIENT:
        # Another try comes (autoretry): the job waits for it, not a reaper.
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(status=ExportJob.Status.QUEUED)
        raise
    except SoftTimeLimitExceeded:
        limit = settings.CELERY_TASK_SOFT_TIME_LIMIT // 60
        export_job_fail(job_id=job_id, reason=f"產製超過 {limit} 分鐘的時間上限，已停止；請縮小範圍後再試")
        return "failed"
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        export_job_fail(job_id=job_id, reason=f"產製失敗：{exc.__class__.__name__}：{exc}"[:500])
        return "failed"
    export_job_finish(job=job, content=content, filename=filename)
    return "done"


@shared_task
def requeue_export_jobs() -> dict:
    """Celery beat: jobs the broker or a dead worker left behind are sent again (or failed)."""
    from reporting.services import export_jobs_requeue

    return export_jobs_requeue()


@shared_task
def delete_old_export_files() -> int:
    from reporting.services import export_jobs_delete_old_files

    return export_jobs_delete_old_files()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=60, max_retries=3)
def send_report_reminders() -> int:
    """Celery beat, daily: reminder e-mails for monthly reports (and usage) due within the lead days."""
    from reporting.reminders import reminders_send

    return reminders_send()
