"""Celery tasks of the import pipeline. Tasks take ids; the upload's row carries the rest."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from portal import figures
from portal.imports.uploads import Status, uploads_delete_abandoned
from portal.models import PendingUpload

# Errors worth another try: the database was briefly unreachable.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task
def delete_abandoned_uploads() -> int:
    """Uploads nobody confirmed within a day are deleted with their files."""
    return uploads_delete_abandoned(older_than_hours=24)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=3)
def import_upload(upload_id: int) -> str:
    """A confirmed upload too big for the request (portal.imports.pipeline.upload_confirm)."""
    from portal.imports.pipeline import upload_import_job

    return upload_import_job(upload_id)


@shared_task
def requeue_stuck_imports() -> int:
    """Imports still waiting after IMPORT_STUCK_MINUTES (the broker was away when they were
    confirmed, or their worker died) are sent again; the job itself gives up after
    IMPORT_MAX_ATTEMPTS and says so on the upload."""
    cutoff = timezone.now() - timedelta(minutes=settings.IMPORT_STUCK_MINUTES)
    stuck = list(
        PendingUpload.objects.filter(status=Status.IMPORTING, started_at__lt=cutoff).values_list("pk", flat=True)
    )
    for upload_id in stuck:
        PendingUpload.objects.filter(pk=upload_id, status=Status.IMPORTING).update(started_at=timezone.now())
        import_upload.delay(upload_id)
    return len(stuck)


@shared_task
def heartbeat() -> str:
    """Celery beat, every minute: the worker proves it runs (/healthz reads the time)."""
    from portal.models import Heartbeat

    Heartbeat.objects.update_or_create(name="worker", defaults={"at": timezone.now()})
    return "ok"


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, retry_backoff=300, max_retries=3)
def backup_nightly() -> str:
    """Celery beat, nightly: one archive, then the retention (BACKUP_KEEP_DAILY/WEEKLY)."""
    from portal.backup import backup_create, backups_prune

    archive = backup_create()
    deleted = backups_prune()
    return f"{archive.name}; {len(deleted)} old archives deleted"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def verify_backup_weekly() -> str:
    """Celery beat, weekly: the newest archive restored into a scratch database and checked."""
    from portal.backup import archives, backup_verify

    found = archives()
    if not found:
        return "no archive"
    return backup_verify(found[0]).summary


@shared_task
def seal_security_log() -> int:
    """Every minute: chain the security events written since (portal.security)."""
    from portal.security import seal_pending

    return seal_pending()


@shared_task
def purge_security_log() -> int:
    """Daily: security events older than SECURITY_LOG_RETENTION_DAYS."""
    from portal.security import purge_older_than

    return purge_older_than()


@shared_task(expires=10)
def refresh_stale_figures() -> int:
    """Celery beat, every 10 s: national figures whose data changed are recomputed here, once,
    instead of by every MOE reader (portal/figures.py)."""
    return figures.refresh_stale_figures()
