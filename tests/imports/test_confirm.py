"""Confirm exactly once, races with other imports, big confirms as background jobs, and a
preview page that stays small whatever the file."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from portal.imports import pipeline
from portal.imports.kinds import ImportRefused, ImportTarget, get_kind
from portal.imports.uploads import upload_create
from portal.models import PendingUpload
from portal.tasks import requeue_stuck_imports
from reporting.importing import USAGE_IMPORT
from reporting.models import UsageRecord
from schools.models import RosterRow
from tests.imports.conftest import KINDS, clean_file, upload_file, written
from tests.reporting.conftest import usage_csv, usage_row


class _File:
    def __init__(self, name: str, content: bytes):
        self.name, self._content = name, content

    def read(self) -> bytes:
        return self._content


def pending(kind: str, user, world, content: bytes) -> PendingUpload:
    spec = get_kind(kind)
    county = world["county"] if spec.needs_county or not user.sees_every_county else None
    return upload_create(
        user=user, kind=kind, uploaded_file=_File("檔案.xlsx", content), plan_year=world["plan_year"], county=county
    )


# --- Exactly once -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_second_confirm_of_the_same_upload_is_refused_and_imports_nothing(world, officer_a, kind):
    upload = pending(kind, officer_a, world, clean_file(kind))
    first = pipeline.upload_confirm(upload=upload, user=officer_a)
    after_first = written()
    with pytest.raises(ImportRefused, match="這份檔案已經匯入（或正在匯入）"):
        pipeline.upload_confirm(upload=PendingUpload.objects.get(pk=upload.pk), user=officer_a)
    assert first.summary["rows"] == 2 and written() == after_first


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL")
@pytest.mark.parametrize("kind", KINDS)
def test_two_confirms_at_once_import_once(world, officer_a, kind):
    upload = pending(kind, officer_a, world, clean_file(kind, variant=3))
    before = written()
    results = run_at_once(
        lambda: pipeline.upload_confirm(upload=PendingUpload.objects.get(pk=upload.pk), user=officer_a)
    )
    outcomes = [r for r in results if isinstance(r, pipeline.Outcome)]
    refusals = [r for r in results if isinstance(r, ImportRefused)]
    assert len(outcomes) == 1 and len(refusals) == 1, results
    assert "已經匯入" in str(refusals[0])
    after = written()
    if kind == "roster":
        # The audit trail has each change once: both rows of the file changed, two history rows.
        assert after["roster_history"] - before["roster_history"] == 2
    assert after != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between threads need PostgreSQL")
@pytest.mark.parametrize("kind", KINDS)
def test_two_different_files_for_the_same_rows_at_once_never_answer_500(world, officer_a, kind):
    if kind == "devices":
        first, second = clean_file(kind, variant=7), clean_file(kind, variant=7)  # the same serials twice
    else:
        first, second = clean_file(kind, variant=5), clean_file(kind, variant=6)
    uploads = iter([pending(kind, officer_a, world, first), pending(kind, officer_a, world, second)])
    chosen = {}

    def confirm():
        upload = next(uploads)
        chosen[threading.get_ident()] = upload.pk
        return pipeline.upload_confirm(upload=PendingUpload.objects.get(pk=upload.pk), user=officer_a)

    results = run_at_once(confirm)
    assert all(isinstance(r, pipeline.Outcome | ImportRefused) for r in results), results
    if kind == "devices":
        # A serial is registered once: the second file is refused naming its rows.
        refused = [r for r in results if isinstance(r, ImportRefused)]
        assert len(refused) == 1 and "已登錄在本系統" in str(refused[0])
    else:
        assert all(isinstance(r, pipeline.Outcome) for r in results), results


def run_at_once(work, threads: int = 2) -> list:
    barrier = threading.Barrier(threads)
    results: list = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return results


@pytest.mark.django_db
def test_a_row_written_by_another_import_between_check_and_write_is_replaced_not_a_500(world, officer_a, monkeypatch):
    """The other import commits after this one's check: the write meets the unique key, the
    pipeline checks again and replaces what the other wrote."""
    target = ImportTarget(plan_year=world["plan_year"])
    parse = pipeline.read_file(USAGE_IMPORT, usage_csv([usage_row(hours="77")]), target=target)
    real_check = type(USAGE_IMPORT).check
    stale = real_check(USAGE_IMPORT, parse, target=target, user=officer_a)  # checked before the other wrote
    pipeline.import_content(USAGE_IMPORT, usage_csv([usage_row(hours="11")]), target=target)
    calls = []

    def check(self, parse, **kwargs):
        calls.append(parse)
        return stale if len(calls) == 1 else real_check(self, parse, **kwargs)

    monkeypatch.setattr(type(USAGE_IMPORT), "check", check)
    summary = pipeline.import_rows(USAGE_IMPORT, parse, target=target, user=officer_a)
    assert len(calls) == 2 and summary["replaced"] == 1
    assert UsageRecord.objects.get().hours == 77


# --- In the background ---------------------------------------------------------------------


@pytest.fixture
def background(settings):
    settings.IMPORT_BACKGROUND_ROWS = 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_a_big_confirm_runs_as_a_job_with_progress_on_the_page(
    world, officer_client, kind, background, django_capture_on_commit_callbacks
):
    response = upload_file(officer_client, kind, clean_file(kind, variant=2))
    preview_url = response["Location"]
    assert "確認後會在背景匯入" in officer_client.get(preview_url).content.decode()
    upload = PendingUpload.objects.get()
    before = written()
    with django_capture_on_commit_callbacks() as callbacks:
        queued = officer_client.post(reverse(get_kind(kind).urls.confirm, args=[upload.pk]), follow=True)
    page = queued.content.decode()
    assert "已排入背景匯入" in page and "匯入中" in page and 'hx-trigger="every 2s"' in page
    assert written() == before  # nothing until the job runs
    for callback in callbacks:
        callback()  # the worker takes the job (eager here)
    upload.refresh_from_db()
    assert upload.status == PendingUpload.Status.CONFIRMED and upload.progress == 100 and upload.attempts == 1
    assert written() != before
    fragment = officer_client.get(preview_url, headers={"HX-Request": "true"}).content.decode()
    assert "已匯入" in fragment and "hx-trigger" not in fragment


@pytest.mark.django_db
def test_a_job_refused_by_the_database_fails_with_its_reasons(world, officer_a, background):
    upload = pending("devices", officer_a, world, clean_file("devices", variant=8))
    pipeline.upload_preview(upload=upload, user=officer_a)
    assert pipeline.upload_confirm(upload=upload, user=officer_a).queued
    # Between the confirm and the job, another file registered the same serials.
    pipeline.import_content(
        get_kind("devices"),
        clean_file("devices", variant=8),
        target=ImportTarget(plan_year=world["plan_year"], county=world["county"]),
    )
    assert pipeline.upload_import_job(upload.pk) == PendingUpload.Status.FAILED
    upload.refresh_from_db()
    assert upload.status == PendingUpload.Status.FAILED and "已登錄在本系統" in upload.error
    assert [p.row for p in pipeline.failed_problems(upload)] == [2, 3]


@pytest.mark.django_db
def test_a_job_whose_worker_keeps_dying_stops_after_its_attempts(world, officer_a, background, settings):
    upload = pending("usage", officer_a, world, clean_file("usage"))
    pipeline.upload_preview(upload=upload, user=officer_a)
    pipeline.upload_confirm(upload=upload, user=officer_a)
    PendingUpload.objects.filter(pk=upload.pk).update(attempts=settings.IMPORT_MAX_ATTEMPTS)
    assert pipeline.upload_import_job(upload.pk) == PendingUpload.Status.FAILED
    upload.refresh_from_db()
    assert "已中斷 3 次" in upload.error and not UsageRecord.objects.exists()


@pytest.mark.django_db
def test_a_confirm_while_the_broker_is_away_waits_and_is_sent_again(
    world, officer_a, background, monkeypatch, django_capture_on_commit_callbacks
):
    from portal import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is away")

    upload = pending("usage", officer_a, world, clean_file("usage"))
    pipeline.upload_preview(upload=upload, user=officer_a)
    monkeypatch.setattr(tasks.import_upload, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert pipeline.upload_confirm(upload=upload, user=officer_a).queued
    upload.refresh_from_db()
    assert upload.status == PendingUpload.Status.IMPORTING and "恢復後會自動匯入" in upload.progress_note
    monkeypatch.undo()
    assert requeue_stuck_imports() == 0  # not stuck yet
    PendingUpload.objects.filter(pk=upload.pk).update(started_at=upload.started_at.replace(year=2020))
    assert requeue_stuck_imports() == 1
    upload.refresh_from_db()
    assert upload.status == PendingUpload.Status.CONFIRMED and UsageRecord.objects.count() == 2


# --- The preview page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_of_a_huge_bad_file_stays_under_1_mb_and_lists_every_error(world, officer_client, settings):
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    rows = [usage_row(code=f"{n:06d}", hours="x", students="y") for n in range(30_000)]
    response = upload_file(officer_client, "usage", usage_csv(rows), name="usage.csv")
    page = officer_client.get(response["Location"])
    assert page.status_code == 200 and len(page.content) < 1_000_000
    text = page.content.decode()
    assert "有 90,000 個錯誤" in text and "第 1 頁，共 900 頁" in text
    last = officer_client.get(response["Location"] + "?errors=900").content.decode()
    assert "30001" in last
    listing = officer_client.get(response["Location"] + "?download=problems").content.decode("utf-8-sig")
    assert listing.count("\n") == 90_001


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_the_preview_page_costs_the_same_queries_for_few_and_many_rows(
    world, officer_client, kind, django_assert_max_num_queries
):
    def queries(content: bytes) -> int:
        PendingUpload.objects.all().delete()
        response = upload_file(officer_client, kind, content, name="x.csv")
        with django_assert_max_num_queries(40) as captured:
            assert officer_client.get(response["Location"]).status_code == 200
        return len(captured.captured_queries)

    few, many = queries(sized_file(kind, 3)), queries(sized_file(kind, 300))
    assert few == many


def sized_file(kind: str, rows: int) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if kind == "roster":
        return _roster(rows)
    if kind == "devices":
        writer.writerow(["產品序號", "採購案號", "學校代碼"])
        writer.writerows([f"Q{n}", "111-A-001", "154601"] for n in range(rows))
    elif kind == "attendance":
        writer.writerow(["研習代碼", "學校代碼", "教師識別碼"])
        writer.writerows(["A1-001", "154601", f"T{n}"] for n in range(rows))
    else:
        return usage_csv([usage_row(platform=p, month=f"111年{m}月") for m in range(2, 13) for p in _PLATFORMS][:rows])
    return buffer.getvalue().encode()


_PLATFORMS = ("因材網", "均一教育平台", "PaGamO", "學習吧", "Cool English")


def _roster(rows: int) -> bytes:
    from tests.conftest import record, roster_bytes

    return roster_bytes([record(code=f"{154601 + n:06d}") for n in range(rows)])


@pytest.mark.django_db
def test_a_file_that_changes_nothing_says_so_instead_of_offering_to_import(world, officer_client):
    content = clean_file("roster")
    pipeline.import_content(get_kind("roster"), content, target=ImportTarget(plan_year=world["plan_year"]))
    response = upload_file(officer_client, "roster", content)
    page = officer_client.get(response["Location"]).content.decode()
    assert "這份檔案與目前資料相同，沒有需要匯入的變更" in page and "確認匯入 2 列" not in page
    assert RosterRow.objects.count() == 3
