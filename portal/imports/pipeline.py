"""The one way a spreadsheet comes in: read (bounded) -> parse -> check -> preview ->
confirm once -> write. The pages, the background job and the commands all call these.

- `read_file`: the safe reader and the kind's parse; never raises for a bad file.
- `preview`: the kind's check against the database; writes nothing.
- `import_rows`: check again and write, in one transaction (all or nothing). A uniqueness
  race with another import (two files for the same school and month at once) is tried
  once more against what the other wrote, then refused with a message, never a 500.
- `upload_confirm`: a pending upload imported exactly once: the upload's row moves
  PENDING -> IMPORTING under its lock in the transaction that writes; a second confirm finds
  nothing to claim. Above the kind's threshold the work is queued as a job instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F

from portal.imports.kinds import ImportKind, ImportRefused, ImportTarget, Parse, Preview, get_kind
from portal.imports.reader import UnreadableFile, read_sheets
from portal.imports.table import Problem
from portal.imports.uploads import (
    Status,
    upload_claim,
    upload_confirmed,
    upload_failed,
    upload_progress,
    upload_read,
)
from portal.models import PendingUpload, User

logger = logging.getLogger(__name__)

ALREADY = "這份檔案已經匯入（或正在匯入），不會再匯入一次"
RACE = "另一份檔案同時寫入了相同的資料，本檔未寫入任何資料；請重新整理預覽，確認無誤後再匯入"
RETRIES = 2


def read_file(kind: ImportKind, content: bytes, *, target: ImportTarget, max_bytes: int | None = None) -> Parse:
    """Read and parse; every problem of the file is in `.errors`."""
    try:
        sheets = read_sheets(content, limits=kind.limits(max_bytes=max_bytes))
    except UnreadableFile as exc:
        parse = kind.new_parse()
        parse.errors.append(Problem(None, "", str(exc)))
        return parse
    return kind.parse(sheets, target=target)


def preview(kind: ImportKind, parse: Parse, *, target: ImportTarget, user: User | None) -> Preview:
    """What confirming would do and everything that stops it: the file's problems and the
    database's, in the file's order, so that the user fixes the file once."""
    result = kind.check(parse, target=target, user=user)
    seen = {id(p) for p in result.errors}
    result.errors = sorted([*result.errors, *(p for p in parse.errors if id(p) not in seen)], key=lambda p: p.row or 0)
    seen = {id(p) for p in result.warnings}
    result.warnings = [*result.warnings, *(p for p in parse.warnings if id(p) not in seen)]
    return result


def _is_race(exc: DatabaseError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    # PostgreSQL: deadlock_detected, serialization_failure (psycopg2 sets pgcode on the cause).
    code = getattr(exc.__cause__, "pgcode", None)
    return code in ("40P01", "40001")


def import_rows(kind: ImportKind, parse: Parse, *, target: ImportTarget, user: User | None, source: str = "") -> dict:
    """Check and write all or nothing; the summary of what was written. Raises ImportRefused."""
    if not parse.ok:
        raise ImportRefused(parse.errors)
    for attempt in range(1, RETRIES + 1):
        try:
            with transaction.atomic():
                checked = preview(kind, parse, target=target, user=user)
                if not checked.ok:
                    raise ImportRefused(checked.errors)
                return kind.write(checked, target=target, user=user, source=source)
        except DatabaseError as exc:
            if not _is_race(exc):
                raise
            logger.info("import %s: attempt %s met a concurrent write (%s)", kind.name, attempt, exc)
    raise ImportRefused(RACE)


def import_content(
    kind: ImportKind,
    content: bytes,
    *,
    target: ImportTarget,
    user: User | None = None,
    source: str = "",
    max_bytes: int | None = None,
) -> dict:
    """A file's bytes read and imported in one call (the demo data, the tests). Raises ImportRefused."""
    parse = read_file(kind, content, target=target, max_bytes=max_bytes)
    return import_rows(kind, parse, target=target, user=user, source=source)


# --- Pending uploads --------------------------------------------------------------------------


def upload_target(upload: PendingUpload) -> ImportTarget:
    return ImportTarget(plan_year=upload.plan_year, county=upload.county)


def upload_preview(*, upload: PendingUpload, user: User) -> Preview:
    kind = get_kind(upload.kind)
    target = upload_target(upload)
    parse = read_file(kind, upload_read(upload), target=target)
    result = preview(kind, parse, target=target, user=user)
    if upload.row_count != len(parse.rows):
        # The confirm decides from this whether the import runs in the request or as a job.
        PendingUpload.objects.filter(pk=upload.pk).update(row_count=len(parse.rows))
        upload.row_count = len(parse.rows)
    return result


@dataclass(frozen=True)
class Outcome:
    summary: dict | None
    """What was written; None while a job does it."""

    @property
    def queued(self) -> bool:
        return self.summary is None


def upload_confirm(*, upload: PendingUpload, user: User) -> Outcome:
    """Import a pending upload exactly once. Raises ImportRefused (nothing written)."""
    kind = get_kind(upload.kind)
    if upload.row_count is None:
        upload_preview(upload=upload, user=user)
    if kind.background(upload.row_count or 0):
        with transaction.atomic():
            if not upload_claim(upload=upload, note="排隊中"):
                raise ImportRefused(ALREADY)
            upload_pk = upload.pk
            transaction.on_commit(lambda: _queue(upload_pk))
        return Outcome(summary=None)
    with transaction.atomic():
        if not upload_claim(upload=upload, note="匯入中"):
            raise ImportRefused(ALREADY)
        target = upload_target(upload)
        parse = read_file(kind, upload_read(upload), target=target)
        summary = import_rows(kind, parse, target=target, user=user, source=upload.original_name)
        upload_confirmed(upload=upload, summary=summary)
    return Outcome(summary=summary)


def _queue(upload_id: int) -> None:
    from portal.tasks import import_upload

    try:
        import_upload.delay(upload_id)
    except Exception:
        # The row stays IMPORTING; portal.tasks.requeue_stuck_imports sends it again.
        logger.exception("import %s could not be queued", upload_id)
        upload_progress(upload_id=upload_id, percent=0, note="排程服務暫時無法使用，恢復後會自動匯入")


def upload_import_job(upload_id: int) -> str:
    """The background import of one claimed upload (the Celery task calls this)."""
    upload = PendingUpload.objects.select_related("plan_year", "county", "uploaded_by").get(pk=upload_id)
    if upload.status != Status.IMPORTING:
        return upload.status
    PendingUpload.objects.filter(pk=upload_id).update(attempts=F("attempts") + 1)
    if upload.attempts + 1 > settings.IMPORT_MAX_ATTEMPTS:
        # Every earlier attempt ended with its worker (killed, out of memory): stop trying.
        upload_failed(
            upload_id=upload_id,
            reason=f"背景匯入已中斷 {upload.attempts} 次，系統已停止重試；請聯絡系統管理者，或將檔案分成較小的檔案上傳",
        )
        return Status.FAILED
    kind = get_kind(upload.kind)
    target = upload_target(upload)
    upload_progress(upload_id=upload_id, percent=10, note="讀取檔案")
    parse = read_file(kind, upload_read(upload), target=target)
    upload_progress(upload_id=upload_id, percent=40, note=f"檢查並寫入 {len(parse.rows):,} {kind.unit}")
    try:
        with transaction.atomic():
            locked = PendingUpload.objects.select_for_update().get(pk=upload_id)
            if locked.status != Status.IMPORTING:
                return locked.status
            summary = import_rows(kind, parse, target=target, user=upload.uploaded_by, source=upload.original_name)
            upload_confirmed(upload=locked, summary=summary)
    except ImportRefused as refused:
        upload_failed(upload_id=upload_id, reason=f"未匯入任何資料：{refused}", problems=refused.problems)
        return Status.FAILED
    return Status.CONFIRMED


def failed_problems(upload: PendingUpload) -> list[Problem]:
    return [Problem(*item) for item in upload.summary.get("problems", [])] if upload.status == Status.FAILED else []
