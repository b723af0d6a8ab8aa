"""Uploaded files between upload and confirmation, for every import of the portal.

A pending upload moves PENDING -> IMPORTING -> CONFIRMED or FAILED (or PENDING ->
DISCARDED). Only its uploader sees it (anybody else gets 404). The file is deleted once
its rows are in (after the commit: a rolled-back import keeps it), and abandoned ones by
a periodic task.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal import access
from portal.models import PendingUpload, User

Status = PendingUpload.Status


def upload_create(*, user: User, kind: str, uploaded_file, plan_year=None, county=None) -> PendingUpload:
    content = uploaded_file.read()
    upload = PendingUpload(
        kind=kind,
        plan_year=plan_year,
        county=county,
        uploaded_by=user,
        original_name=uploaded_file.name[:255],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    upload.file.save(f"{kind}-{upload.sha256[:16]}.bin", ContentFile(content), save=False)
    upload.save()
    return upload


def upload_read(upload: PendingUpload) -> bytes:
    """The file's bytes; b"" when it is gone (the reader then says the file is empty)."""
    if not upload.file:
        return b""
    try:
        with upload.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return b""


def upload_for_user(*, user: User, kind: str, pk: int) -> PendingUpload:
    """The user's own upload of that kind; anybody else's answers 404."""
    uploads = PendingUpload.objects.select_related("plan_year", "county").filter(kind=kind, uploaded_by=user)
    return access.get_for_user(uploads, user, pk=pk)


def uploads_recent(*, user: User, kind: str, limit: int = 5) -> list[PendingUpload]:
    uploads = PendingUpload.objects.filter(kind=kind, uploaded_by=user).exclude(status=Status.DISCARDED)
    return list(access.for_user(uploads, user).select_related("plan_year")[:limit])


def upload_claim(*, upload: PendingUpload, note: str) -> bool:
    """PENDING -> IMPORTING, once: a conditional UPDATE takes the row's lock, so a second
    confirm of the same file waits for the first and then finds nothing to claim."""
    claimed = PendingUpload.objects.filter(pk=upload.pk, status=Status.PENDING).update(
        status=Status.IMPORTING, progress=0, progress_note=note, started_at=timezone.now(), error=""
    )
    if claimed:
        upload.status = Status.IMPORTING
    return bool(claimed)


def upload_progress(*, upload_id: int, percent: int, note: str) -> None:
    PendingUpload.objects.filter(pk=upload_id, status=Status.IMPORTING).update(
        progress=min(100, max(0, percent)), progress_note=note[:100]
    )


def upload_confirmed(*, upload: PendingUpload, summary: dict) -> None:
    """The data is in; the file goes once that is committed."""
    upload.status = Status.CONFIRMED
    upload.confirmed_at = upload.finished_at = timezone.now()
    upload.summary = summary
    upload.progress = 100
    upload.progress_note = "完成"
    upload.save(update_fields=["status", "confirmed_at", "finished_at", "summary", "progress", "progress_note"])
    _delete_file_after_commit(upload)


def upload_failed(*, upload_id: int, reason: str, problems: list | None = None) -> None:
    PendingUpload.objects.filter(pk=upload_id, status=Status.IMPORTING).update(
        status=Status.FAILED,
        error=reason[:2000],
        summary={"problems": [[p.row, p.column, p.message] for p in (problems or [])[:500]]},
        finished_at=timezone.now(),
    )


def upload_discard(*, upload: PendingUpload) -> None:
    """Nothing of it was imported: the file goes at once."""
    upload.file.delete(save=False)
    upload.status = Status.DISCARDED
    upload.save(update_fields=["status", "file"])


def _delete_file_after_commit(upload: PendingUpload) -> None:
    if not upload.file:
        return
    name, storage = upload.file.name, upload.file.storage

    def delete() -> None:
        storage.delete(name)
        PendingUpload.objects.filter(pk=upload.pk).update(file="")

    transaction.on_commit(delete)


def uploads_delete_abandoned(*, older_than_hours: int = 24) -> int:
    """Files nobody will import any more: pending ones left for a day are discarded; a failed
    import's file goes too (its row stays, with the reason)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    abandoned = PendingUpload.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
    count = 0
    for upload in abandoned:
        upload_discard(upload=upload)
        count += 1
    for upload in PendingUpload.objects.filter(status=Status.FAILED, finished_at__lt=cutoff).exclude(file=""):
        upload.file.delete(save=False)
        upload.save(update_fields=["file"])
    return count
