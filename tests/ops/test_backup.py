"""落實備份及檢核: backup -> verify -> wipe -> restore -> the same rows and files, on the
database the suite runs on (SQLite here, PostgreSQL in CI); tampered, truncated and foreign
archives fail; the retention; /healthz and the status page."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.backup import (
    MANIFEST,
    SALT,
    SIGNATURE,
    archives,
    backup_create,
    backup_restore,
    backup_status,
    backup_verify,
    backups_prune,
)
from portal.models import Heartbeat
from schools.models import RosterRow, School
from tests.conftest import client_for, load_roster, record

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    return tmp_path


def files_of(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@TRANSACTIONAL
def test_the_demo_data_is_backed_up_wiped_restored_and_identical(folders, capsys, settings):
    settings.DEBUG = True  # seed_demo is for development machines only
    call_command("seed_demo")
    settings.DEBUG = False
    capsys.readouterr()
    from training.models import WorkingMeeting

    meeting = WorkingMeeting.objects.first()
    meeting.minutes.save("紀錄.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
    before_rows, before_files = table_counts(), files_of(folders / "media")
    assert before_rows["schools_rosterrow"] > 100 and before_files

    call_command("backup")
    archive = Path(capsys.readouterr().out.strip())
    assert archive.exists() and archive.parent == folders / "backups"
    call_command("verify_backup", str(archive))
    assert "驗證通過" in capsys.readouterr().out

    # A bad day: rows and files gone.
    RosterRow.objects.all().delete()
    Heartbeat.objects.create(name="after-the-backup", at=timezone.now())
    for path in (folders / "media").rglob("*"):
        if path.is_file():
            path.unlink()
    assert table_counts() != before_rows

    call_command("restore", str(archive), "--yes-really")
    output = capsys.readouterr().out
    assert "還原前的狀態已備份於" in output and "pre-restore" in output
    assert table_counts() == before_rows
    assert files_of(folders / "media") == before_files
    assert len(archives()) == 2  # the restored one and the pre-restore one


@TRANSACTIONAL
def test_the_manifest_counts_every_table_and_every_file(folders, plan_year):
    load_roster(plan_year, [record(), record(code="154602")])
    (folders / "media" / "exports").mkdir(parents=True)
    (folders / "media" / "exports" / "x.pdf").write_bytes(b"pdf")
    archive = backup_create()
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert manifest["tables"]["schools_rosterrow"] == 2 and manifest["tables"]["schools_school"] == 2
    assert manifest["files"] == {"exports/x.pdf": {"sha256": hashlib.sha256(b"pdf").hexdigest(), "size": 3}}
    assert manifest["schema"]["schools"] and manifest["database"]["vendor"] == connection.vendor
    assert backup_verify(archive).ok


def rewritten(archive: Path, change) -> Path:
    """The archive with its members passed through `change(name, data) -> data | None`."""
    target = archive.with_name("changed-" + archive.name)
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source:
            data = source.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def resigned(archive: Path, change_manifest) -> Path:
    """The archive with its manifest changed and signed again, as by someone holding the key."""
    changed = rewritten(
        archive, lambda name, data: json.dumps(change_manifest(json.loads(data))).encode() if name == MANIFEST else data
    )
    with tarfile.open(changed) as tar:
        body = tar.extractfile(MANIFEST).read()
    signature = signing.Signer(salt=SALT).sign(hashlib.sha256(body).hexdigest()).encode()
    return rewritten(changed, lambda name, data: signature if name == SIGNATURE else data)


@TRANSACTIONAL
def test_tampered_truncated_and_foreign_archives_fail(folders, plan_year, settings):
    load_roster(plan_year, [record()])
    (folders / "media").mkdir()
    (folders / "media" / "a.txt").write_bytes(b"minutes")
    archive = backup_create()

    flipped = rewritten(archive, lambda name, data: b"MINUTES" if name == "media/a.txt" else data)
    assert "雜湊值不符" in backup_verify(flipped).summary

    def inflate(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["tables"]["schools_rosterrow"] += 1
        return json.dumps(manifest).encode()

    assert "簽章" in backup_verify(rewritten(archive, inflate)).summary
    assert "缺少清單" in backup_verify(rewritten(archive, lambda n, d: None if n == SIGNATURE else d)).summary

    truncated = archive.with_name("truncated.tar")
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert not backup_verify(truncated).ok

    settings.SECRET_KEY = "another-installation-" + "k" * 50
    assert "另一套系統" in backup_verify(archive).summary


@TRANSACTIONAL
def test_a_manifest_that_lies_about_the_rows_is_caught_by_the_scratch_restore(folders, plan_year):
    load_roster(plan_year, [record()])
    archive = backup_create()

    lying = resigned(archive, lambda manifest: manifest | {"tables": manifest["tables"] | {"schools_rosterrow": 7}})
    result = backup_verify(lying)
    assert not result.ok and "schools_rosterrow：清單 7 列，還原後 1 列" in result.summary


@TRANSACTIONAL
def test_restore_refuses_without_the_flag_and_with_another_schema(folders, plan_year):
    load_roster(plan_year, [record()])
    archive = backup_create()
    with pytest.raises(CommandError, match="--yes-really"):
        call_command("restore", str(archive))

    other = resigned(archive, lambda manifest: manifest | {"schema": manifest["schema"] | {"schools": "0001_initial"}})
    with pytest.raises(Exception, match="結構版本與目前程式不同（schools）"):
        backup_restore(other)
    assert School.objects.count() == 1 and len(archives()) == 1  # nothing touched, no pre-restore backup


def test_retention_keeps_14_days_and_8_weeks(folders, settings):
    folder = folders / "backups"
    folder.mkdir()
    start = datetime(2026, 12, 4, 2, 30)
    for day in range(120):
        for hour in (0, 5):  # two archives some days: only the newest of a day counts
            when = start - timedelta(days=day, hours=hour)
            (folder / f"portal-backup-{when:%Y%m%d-%H%M%S}.tar").write_bytes(b"x")
    deleted = backups_prune(daily=14, weekly=8)
    kept = archives()
    days = {p.name[14:22] for p in kept}
    assert len(kept) == len(days) and len(deleted) == 240 - len(kept)
    assert sorted(days)[-14:] == sorted({(start - timedelta(days=d)).strftime("%Y%m%d") for d in range(14)})
    weeks = {datetime.strptime(d, "%Y%m%d").isocalendar()[:2] for d in days}
    assert len(weeks) == 8


@pytest.mark.django_db
def test_healthz_answers_without_login_and_says_what_is_missing(client, settings, folders):
    Heartbeat.objects.create(name="worker", at=timezone.now() - timedelta(minutes=20))
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 503 and body["checks"]["worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] and body["checks"]["backup"]["ok"]  # a new installation
    Heartbeat.objects.filter(name="worker").update(at=timezone.now())
    assert client.get(reverse("healthz")).status_code == 200
    settings.HEALTH_MIN_FREE_BYTES = 10**18
    assert client.get(reverse("healthz")).json()["checks"]["disk"]["ok"] is False
    assert set(body) == {"ok", "checks"}  # statuses only, no data


@TRANSACTIONAL
def test_the_status_page_shows_the_last_backup_and_its_verification(folders, admin_user, plan_year):
    load_roster(plan_year, [record()])
    page = client_for(admin_user).get(reverse("system_status")).content.decode()
    assert "尚無任何備份" in page
    archive = backup_create()
    backup_verify(archive)
    status = backup_status()
    assert status.backup_ok and status.verify_ok and not status.warnings
    page = client_for(admin_user).get(reverse("system_status")).content.decode()
    assert archive.name in page and "驗證通過" in page and "需要注意" not in page
