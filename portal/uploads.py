"""Uploaded files between upload and confirmation, for every import of the portal.

An import page saves the file with `upload_create`, shows a preview computed from
`upload_read` (nothing written), and on confirmation imports all or nothing and calls
`upload_confirmed`. Only the uploader sees a pending upload (another user gets 404).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from portal import access
from portal.models import PendingUpload, User

ALLOWED_SUFFIXES = (".xlsx", ".csv")


class UploadFileForm(forms.Form):
    """A spreadsheet, refused before anything parses it when empty, too big or not .xlsx/.csv."""

    file = forms.FileField(label="檔案")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_mb = settings.UPLOAD_MAX_BYTES // 2**20
        self.fields["file"].help_text = f"Excel 活頁簿（.xlsx）或 CSV（UTF-8 或 Big5），上限 {limit_mb} MB"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("檔案是空的")
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"檔案太大（{upload.size:,} 位元組），上限為 {settings.UPLOAD_MAX_BYTES:,} 位元組"
            )
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("只接受 .xlsx 或 .csv 檔（舊版 .xls 請先另存為 .xlsx）")
        return upload


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
    with upload.file.open("rb") as handle:
        return handle.read()


def upload_for_user(*, user: User, kind: str, pk: int) -> PendingUpload:
    """The user's own upload of that kind; anybody else's answers 404."""
    uploads = PendingUpload.objects.select_related("plan_year", "county").filter(kind=kind, uploaded_by=user)
    return access.get_for_user(uploads, user, pk=pk)


def upload_confirmed(*, upload: PendingUpload, summary: dict) -> None:
    """The data is in; the file itself is not kept."""
    upload.status = PendingUpload.Status.CONFIRMED
    upload.confirmed_at = timezone.now()
    upload.summary = summary
    upload.file.delete(save=False)
    upload.save(update_fields=["status", "confirmed_at", "summary", "file"])


def upload_discard(*, upload: PendingUpload) -> None:
    upload.file.delete(save=False)
    upload.status = PendingUpload.Status.DISCARDED
    upload.save(update_fields=["status", "file"])


def uploads_delete_abandoned(*, older_than_hours: int = 24) -> int:
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    abandoned = PendingUpload.objects.filter(status=PendingUpload.Status.PENDING, created_at__lt=cutoff)
    count = 0
    for upload in abandoned:
        upload_discard(upload=upload)
        count += 1
    return count
